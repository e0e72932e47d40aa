"""The tenants file's models: who the sellers (or agency clients) are, their stores and targets.

A tenant's schedules live in ``config.schedules``, its chats in ``config.chat_bindings``; reading
and validating the file is ``config.tenant_registry.load_tenants``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator

from config.chat_bindings import Chats
from config.model_base import _check_currency, _check_zone, _Strict
from config.regions import REGIONS
from config.schedules import DigestSchedule

Language = Literal["zh", "en"]
#: Reporting currency of a tenant that names none: in the tenants file, and for a tenant created by
#: ``tikpulse auth connect-shop`` or a CSV import alike (never its first shop's currency).
DEFAULT_REPORTING_CURRENCY = "USD"
#: Markers that identify a test order in buyer_message / recipient name (case-insensitive).
DEFAULT_TEST_ORDER_MARKERS = ("TEST ORDER",)


class Store(_Strict):
    """One TikTok Shop (a shop in one region) and the ads accounts that promote it."""

    shop_id: str = Field(min_length=1)
    name: str | None = None
    region: str
    currency: str | None = None  # defaults from the region
    timezone: str | None = None  # defaults from the region
    advertiser_ids: tuple[str, ...] = ()
    lead_time_days: int = Field(default=14, ge=0, le=365)
    #: Cost of goods of one unit, by seller SKU (or SKU id), in the store's currency: the chat's
    #: profit answer subtracts units sold x this (an estimate; SKUs without one are named).
    #: Written as a mapping (``ACME-MUG: 3.50``); kept as sorted pairs so a store stays hashable.
    unit_costs: tuple[tuple[str, Annotated[Decimal, Field(ge=0)]], ...] = ()

    @field_validator("unit_costs", mode="before")
    @classmethod
    def _costs_as_pairs(cls, value: object) -> object:
        if isinstance(value, dict):
            return tuple(sorted((str(k), v) for k, v in value.items()))
        return value

    @field_validator("shop_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value

    @field_validator("advertiser_ids", mode="before")
    @classmethod
    def _ids_as_text(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(str(v) for v in value)
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value.upper() not in REGIONS:
            raise ValueError(f"unknown region {value!r}; use one of {', '.join(sorted(REGIONS))}")
        return REGIONS[value.upper()].code

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value is None else _check_currency(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else _check_zone(value)

    @property
    def resolved_currency(self) -> str:
        return self.currency or REGIONS[self.region].currency

    @property
    def resolved_timezone(self) -> str:
        return self.timezone or REGIONS[self.region].timezone


class Targets(_Strict):
    """What the tenant aims for; the digest shows progress against each that is set."""

    roas: Decimal | None = Field(default=None, gt=0)
    cvr: Decimal | None = Field(default=None, gt=0, lt=1)
    cpa: Decimal | None = Field(default=None, gt=0)
    weekly_gmv: Decimal | None = Field(default=None, gt=0)
    break_even_roas: Decimal | None = Field(default=None, gt=0)


class Tenant(_Strict):
    """A seller, or one client of an agency: the unit that owns data and sees only its own."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
    name: str
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY
    language: tuple[Language, ...] = ("en",)
    stores: tuple[Store, ...] = ()
    targets: Targets = Targets()
    digest: DigestSchedule = DigestSchedule()
    chats: Chats = Chats()
    test_order_markers: tuple[str, ...] = DEFAULT_TEST_ORDER_MARKERS
    alert_min_severity: Literal["low", "medium", "high"] = "medium"
    quiet_hours: tuple[int, int] | None = None  # local hours [start, end), e.g. [22, 8]

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        if value == "both":
            return ("zh", "en")
        if isinstance(value, str):
            return (value,)
        return value

    @field_validator("reporting_currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return _check_currency(value)

    @property
    def reporting_currency_defaulted(self) -> bool:
        """True when the tenant names no reporting currency (``DEFAULT_REPORTING_CURRENCY``)."""
        return "reporting_currency" not in self.model_fields_set


class TenantsFile(_Strict):
    tenants: tuple[Tenant, ...] = ()
