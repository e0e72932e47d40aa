"""Fault injection: planned failures per endpoint and per shop or advertiser, for tests and demos.

Kinds (``KINDS``): ``rate_limit`` (shop API: HTTP 429 + code 36009002 + Retry-After; ads API:
HTTP 200 + code 40100), ``server_error`` (HTTP 503; codes 36009003 / 50002), ``timeout`` (the
response is held back for ``delay`` seconds), ``token_expired`` (the caller's access token expires
for good at that request: 105002 / 40102), ``token_revoked`` (the seller deauthorizes the app:
105001 now, 36004005 on refresh / 40105), ``entity_changed`` (code 101000: the shop's legal entity
changed, so token and cipher no longer match), ``malformed_json`` and ``truncated_json`` (HTTP 200
with a body that does not parse). A fault fires ``count`` times (None: until cleared) after letting
``after`` matching requests through. Faults are set through the admin endpoint ``/sandbox/faults``
(``FaultClient`` here) or a scenario file, never through the client's code paths.
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

KINDS = frozenset(
    {
        "rate_limit",
        "server_error",
        "timeout",
        "token_expired",
        "token_revoked",
        "entity_changed",
        "malformed_json",
        "truncated_json",
    }
)


@dataclass
class Fault:
    """One planned failure and how often it has matched and fired so far."""

    kind: str
    endpoint: str = "*"  # exact path, a prefix ending in "*", or "*" for every endpoint
    shop_id: str | None = None
    advertiser_id: str | None = None
    count: int | None = 1
    after: int = 0
    delay: float = 5.0
    seen: int = field(default=0)
    fired: int = field(default=0)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; known: {sorted(KINDS)}")

    def matches(self, path: str, shop_id: str | None, advertiser_id: str | None) -> bool:
        """True if this fault targets the request (before counting)."""
        if self.endpoint != "*" and not (
            path == self.endpoint
            or (self.endpoint.endswith("*") and path.startswith(self.endpoint[:-1]))
        ):
            return False
        if self.shop_id is not None and self.shop_id != shop_id:
            return False
        return self.advertiser_id is None or self.advertiser_id == advertiser_id


class FaultRegistry:
    """The server-side list of planned faults (thread-safe)."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, **spec: Any) -> Fault:
        """Plan a fault (keyword arguments of ``Fault``)."""
        fault = Fault(**{k: v for k, v in spec.items() if k not in ("seen", "fired")})
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every planned fault."""
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict[str, Any]]:
        """Planned faults with their counters."""
        with self._lock:
            return [asdict(f) for f in self._faults]

    def take(
        self, path: str, shop_id: str | None = None, advertiser_id: str | None = None
    ) -> Fault | None:
        """The fault that fires on this request, if any (updates counters)."""
        with self._lock:
            for fault in self._faults:
                if not fault.matches(path, shop_id, advertiser_id):
                    continue
                if fault.count is not None and fault.fired >= fault.count:
                    continue
                fault.seen += 1
                if fault.seen <= fault.after:
                    continue
                fault.fired += 1
                return fault
        return None

    def load_scenario(self, path: Path) -> int:
        """Add the faults listed in a JSON or YAML scenario file (a list, or {"faults": [...]})."""
        text = Path(path).read_text()
        if str(path).endswith((".yaml", ".yml")):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
        specs = data.get("faults", []) if isinstance(data, dict) else data
        for spec in specs:
            self.add(**spec)
        return len(specs)


class FaultClient:
    """Test-side helper that plans faults over HTTP through the admin endpoint."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url.rstrip("/") + "/sandbox/faults"

    def add(self, kind: str, endpoint: str = "*", **spec: Any) -> dict[str, Any]:
        """Plan a fault; keywords as ``Fault`` (shop_id, advertiser_id, count, after, delay)."""
        response = httpx.post(
            self.url, json={"kind": kind, "endpoint": endpoint, **spec}, timeout=10
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def clear(self) -> None:
        """Remove every planned fault."""
        httpx.delete(self.url, timeout=10).raise_for_status()

    def list(self) -> list[dict[str, Any]]:
        """Planned faults and how often each fired."""
        faults: list[dict[str, Any]] = httpx.get(self.url, timeout=10).json()["faults"]
        return faults
