"""The shops and ad accounts of a tenant, with the names and time zones the rules need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from jobs.warehouse.schema import advertisers, shops


@dataclass(frozen=True)
class Subject:
    """A shop or an advertiser: what its data is keyed by and where its days begin."""

    id: str
    kind: str  # shop | advertiser
    name: str
    timezone: str
    region: str | None = None

    def local_today(self, now: datetime) -> date:
        """The subject's local calendar day at ``now``."""
        return now.astimezone(ZoneInfo(self.timezone)).date()


def tenant_subjects(conn: Connection, tenant_id: str) -> dict[str, Subject]:
    """Every shop and advertiser of the tenant in the warehouse, by id."""
    found = {
        r.shop_id: Subject(r.shop_id, "shop", r.name, r.timezone, r.region)
        for r in conn.execute(select(shops.c.shop_id, shops.c.name, shops.c.timezone,
                                     shops.c.region).where(shops.c.tenant_id == tenant_id))
    }
    for r in conn.execute(select(advertisers.c.advertiser_id, advertisers.c.name,
                                 advertisers.c.timezone)
                          .where(advertisers.c.tenant_id == tenant_id)):
        found[r.advertiser_id] = Subject(r.advertiser_id, "advertiser", r.name, r.timezone)
    return found
