"""Reading the tenants file: ``load_tenants(path)`` parses and validates the YAML into a registry.

Every problem is reported together as a ``TenantsFileError`` naming the file, the entry
(``tenants[0].stores[1].timezone``) and the fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import available_timezones

import yaml
from pydantic import ValidationError

from config.tenants import Tenant, TenantsFile


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
