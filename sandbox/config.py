"""What the data generator should build: one frozen, hashable value, so identical configs share
data.

``end`` is exclusive: the data set covers the ``weeks * 7`` local days before ``end`` in every
shop's own time zone, and the API's clock ("as of") is ``end`` 00:00 in the shop's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sandbox.regions import REGION_CYCLE

#: Mean paid orders per shop per ordinary day (shops vary around it, log-normally).
DEFAULT_DAILY_ORDERS = 100.0
#: Affiliate creators working with each shop.
DEFAULT_CREATORS_PER_SHOP = 30


def last_monday(today: date | None = None) -> date:
    """The most recent Monday on or before ``today`` (UTC): the default exclusive end."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


@dataclass(frozen=True)
class GeneratorConfig:
    """Size, shape and seed of a synthetic data set (deterministic: same config, same data)."""

    seed: int = 7
    shops: int = 3
    weeks: int = 10
    end: date = field(default_factory=last_monday)
    daily_orders: float = DEFAULT_DAILY_ORDERS
    creators_per_shop: int = DEFAULT_CREATORS_PER_SHOP
    advertisers_per_shop: int = 1
    regions: tuple[str, ...] = REGION_CYCLE
    test_orders_per_shop: int = 3
    plant_anomalies: bool = True

    @property
    def start(self) -> date:
        """First local day of the data set (inclusive)."""
        return self.end - timedelta(days=7 * self.weeks)

    @property
    def days(self) -> int:
        """Number of local days covered."""
        return 7 * self.weeks
