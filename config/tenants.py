"""The tenants file: who the sellers (or agency clients) are, their stores, targets and chats.

``load_tenants(path)`` parses and validates the YAML file. Every problem is reported together as a
``TenantsFileError`` naming the file, the entry (``tenants[0].stores[1].timezone``) and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import yaml
from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from config.logs import register_secret
from config.regions import REGIONS

Language = Literal["zh", "en"]
#: Reporting currency of a tenant that names none: in the tenants file, and for a tenant created by
#: ``tikpulse auth connect-shop`` or a CSV import alike (never its first shop's currency).
DEFAULT_REPORTING_CURRENCY = "USD"
#: Markers that identify a test order in buyer_message / recipient name (case-insensitive).
DEFAULT_TEST_ORDER_MARKERS = ("TEST ORDER",)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


def _check_currency(value: str) -> str:
    if len(value) != 3 or not value.isalpha() or not value.isupper():
        raise ValueError(f"currency {value!r} is not an ISO 4217 code such as USD, GBP or THB")
    return value


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


Cadence = Literal["weekly", "biweekly", "monthly"]
#: When a report of each cadence goes out unless its entry names a cron: a week's and a
#: fortnight's on Monday 09:00 (a fortnight's only on the Monday after it ends), a month's on the
#: 1st at 09:00.
DEFAULT_REPORT_CRON: dict[str, str] = {"weekly": "0 9 * * MON", "biweekly": "0 9 * * MON",
                                       "monthly": "0 9 1 * *"}


def _check_cron(value: str) -> str:
    if not croniter.is_valid(value):
        raise ValueError(f"invalid cron expression {value!r} (five fields, e.g. \"0 9 * * MON\")")
    return value


class ReportSchedule(_Strict):
    """One report cadence of a tenant (周报 / 双周报 / 月报) and when it goes out."""

    cadence: Cadence = "weekly"
    cron: str | None = None  # default: ``DEFAULT_REPORT_CRON`` of the cadence

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        return None if value is None else _check_cron(value)

    @property
    def when(self) -> str:
        """The cron expression in force."""
        return self.cron or DEFAULT_REPORT_CRON[self.cadence]


class DigestSchedule(_Strict):
    """When the digests go out, in the tenant's own time zone: ``reports`` lists the cadences
    (weekly, biweekly, monthly) each with its cron; without it, the weekly one on ``cron``."""

    cron: str = "0 9 * * MON"
    timezone: str = "Asia/Shanghai"
    #: Hours after the scheduled time a digest waits for late data before going out as partial.
    hold_hours: int = Field(default=6, ge=0, le=72)
    reports: tuple[ReportSchedule, ...] = ()

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return _check_cron(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return _check_zone(value)

    @field_validator("reports")
    @classmethod
    def _one_each(cls, value: tuple[ReportSchedule, ...]) -> tuple[ReportSchedule, ...]:
        cadences = [r.cadence for r in value]
        if len(set(cadences)) != len(cadences):
            raise ValueError("each cadence (weekly, biweekly, monthly) may be listed once")
        return value

    @property
    def schedules(self) -> tuple[ReportSchedule, ...]:
        """The reports in force: ``reports``, or the weekly one on ``cron`` as before."""
        return self.reports or (ReportSchedule(cadence="weekly", cron=self.cron),)


class SlackBinding(_Strict):
    channel: str = Field(pattern=r"^[CGD][A-Z0-9]{6,}$")
    admins: tuple[str, ...] = ()


class TelegramBinding(_Strict):
    chat: int
    admins: tuple[int, ...] = ()


class FeishuBinding(_Strict):
    """A Feishu/Lark group (or direct chat) by chat id; admins by open_id."""

    chat: str = Field(pattern=r"^oc_[A-Za-z0-9_-]{6,}$")
    admins: tuple[Annotated[str, Field(pattern=r"^ou_[A-Za-z0-9_-]{6,}$")], ...] = ()


#: How an encrypted WeCom robot key starts in the tenants file (``tikpulse chats encrypt-key``).
ENCRYPTED_KEY_PREFIX = "enc:"


class WeComBinding(_Strict):
    """A WeCom group robot: a name (its channel id in TikPulse) and its webhook key, stored
    encrypted (``enc:...``); the key is a secret: never logged, masked when shown."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    key: SecretStr
    admins: tuple[str, ...] = ()  # WeCom user ids, mentioned in alerts

    @field_validator("key")
    @classmethod
    def _encrypted(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        register_secret(raw)  # even a plain key pasted by mistake never reaches a log line
        if not raw.startswith(ENCRYPTED_KEY_PREFIX):
            raise ValueError("the WeCom robot key is in plain text; the tenants file keeps it "
                             "encrypted")
        return SecretStr(raw)


class Chats(_Strict):
    slack: tuple[SlackBinding, ...] = ()
    telegram: tuple[TelegramBinding, ...] = ()
    feishu: tuple[FeishuBinding, ...] = ()
    wecom: tuple[WeComBinding, ...] = ()


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


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a tenants file."""

    entry: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.entry}: {self.message}. Fix: {self.fix}"


class TenantsFileError(ValueError):
    """The tenants file cannot be used; ``problems`` lists every reason found."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{path}: {len(problems)} problem(s) in the tenants file:\n{lines}")


@dataclass(frozen=True)
class TenantRegistry:
    """Validated tenants with lookups by tenant id, shop id and chat binding."""

    path: Path | None
    tenants: tuple[Tenant, ...]

    def tenant(self, tenant_id: str) -> Tenant | None:
        return next((t for t in self.tenants if t.id == tenant_id), None)

    def tenant_of_shop(self, shop_id: str) -> Tenant | None:
        return next((t for t in self.tenants if any(s.shop_id == shop_id for s in t.stores)), None)

    def tenant_of_slack_channel(self, channel_id: str) -> Tenant | None:
        return next(
            (t for t in self.tenants if any(b.channel == channel_id for b in t.chats.slack)), None
        )

    def tenant_of_telegram_chat(self, chat_id: int) -> Tenant | None:
        return next(
            (t for t in self.tenants if any(b.chat == chat_id for b in t.chats.telegram)), None
        )

    def tenant_of_feishu_chat(self, chat_id: str) -> Tenant | None:
        return next(
            (t for t in self.tenants if any(b.chat == chat_id for b in t.chats.feishu)), None
        )


def load_tenants(path: Path | str | None) -> TenantRegistry:
    """Read and validate the tenants file at ``path`` (no path: an empty registry)."""
    if path is None:
        return TenantRegistry(None, ())
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise TenantsFileError(
            path, [Problem("file", "not found", "check TIKPULSE_CONFIG or copy "
                           "config/tenants.example.yaml")]
        ) from None
    except IsADirectoryError:
        raise TenantsFileError(path, [Problem("file", "is a directory", "point TIKPULSE_CONFIG "
                                              "at the tenants YAML file")]) from None
    except yaml.YAMLError as exc:
        raise TenantsFileError(path, [Problem("file", f"not valid YAML ({exc})",
                                              "fix the YAML syntax at the line shown")]) from None
    try:
        parsed = TenantsFile.model_validate(data)
    except ValidationError as exc:
        raise TenantsFileError(path, [_problem(err) for err in exc.errors()]) from None
    problems = list(_cross_checks(parsed.tenants))
    if problems:
        raise TenantsFileError(path, problems)
    return TenantRegistry(path, parsed.tenants)


def _entry(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "file"


def _problem(err: dict) -> Problem:  # type: ignore[type-arg]
    entry = _entry(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        field = err["loc"][-1]
        return Problem(entry, f"unknown field {field!r}",
                       "remove it or check its spelling against config/tenants.example.yaml")
    message = str(err["msg"]).removeprefix("Value error, ")
    fixes = {
        "time zone": "use an IANA zone name such as Europe/London or Asia/Shanghai",
        "cron": "use five cron fields, e.g. '0 9 * * MON' (09:00 every Monday)",
        "currency": "use a three-letter ISO code in capitals, e.g. GBP",
        "region": "use a two-letter TikTok Shop region code",
        "WeCom robot key": "run 'tikpulse chats encrypt-key' and paste the enc:... line it prints",
        "^oc_": "use the chat id (oc_...) the bot replies with when @mentioned in that group",
        "^ou_": "use the admin's open_id (ou_...)",
    }
    fix = next((f for key, f in fixes.items() if key in message), "see config/tenants.example.yaml")
    if kind == "missing":
        message, fix = "required field is missing", "add it (see config/tenants.example.yaml)"
    return Problem(entry, message, fix)


def _cross_checks(tenants: tuple[Tenant, ...]) -> Iterable[Problem]:
    seen_tenant: dict[str, int] = {}
    seen_shop: dict[str, str] = {}
    seen_chat: dict[str, str] = {}
    for ti, tenant in enumerate(tenants):
        if tenant.id in seen_tenant:
            yield Problem(f"tenants[{ti}].id", f"tenant id {tenant.id!r} is used twice",
                          "give each tenant its own id")
        seen_tenant[tenant.id] = ti
        for si, store in enumerate(tenant.stores):
            entry = f"tenants[{ti}].stores[{si}].shop_id"
            if store.shop_id in seen_shop:
                owner = seen_shop[store.shop_id]
                yield Problem(entry, f"shop {store.shop_id} is already a store of tenant {owner!r}",
                              "list each shop under one tenant only")
            seen_shop[store.shop_id] = tenant.id
        bindings = [(f"slack channel {b.channel}", f"chats.slack[{i}].channel")
                    for i, b in enumerate(tenant.chats.slack)]
        bindings += [(f"telegram chat {b.chat}", f"chats.telegram[{i}].chat")
                     for i, b in enumerate(tenant.chats.telegram)]
        bindings += [(f"feishu chat {b.chat}", f"chats.feishu[{i}].chat")
                     for i, b in enumerate(tenant.chats.feishu)]
        bindings += [(f"wecom robot {b.name}", f"chats.wecom[{i}].name")
                     for i, b in enumerate(tenant.chats.wecom)]
        for key, where in bindings:
            if key in seen_chat:
                yield Problem(f"tenants[{ti}].{where}", f"{key} is already bound to tenant "
                              f"{seen_chat[key]!r}", "bind each channel or chat to one tenant only")
            seen_chat[key] = tenant.id


def all_timezones() -> set[str]:
    """IANA zone names known on this machine (for help texts)."""
    return available_timezones()
