"""TikTok Shop regions with the currency and time zone a shop there defaults to."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    code: str
    currency: str
    timezone: str


REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        Region("GB", "GBP", "Europe/London"),
        Region("US", "USD", "America/Los_Angeles"),
        Region("TH", "THB", "Asia/Bangkok"),
        Region("VN", "VND", "Asia/Ho_Chi_Minh"),
        Region("MY", "MYR", "Asia/Kuala_Lumpur"),
        Region("ID", "IDR", "Asia/Jakarta"),
        Region("PH", "PHP", "Asia/Manila"),
        Region("SG", "SGD", "Asia/Singapore"),
        Region("MX", "MXN", "America/Mexico_City"),
        Region("ES", "EUR", "Europe/Madrid"),
        Region("DE", "EUR", "Europe/Berlin"),
        Region("FR", "EUR", "Europe/Paris"),
        Region("IT", "EUR", "Europe/Rome"),
        Region("JP", "JPY", "Asia/Tokyo"),
    )
}
# Seller Center and the API say "UK" in places and "GB" in others.
REGIONS["UK"] = REGIONS["GB"]


def region_defaults(code: str) -> Region:
    """Currency and time zone for a region code; raises ``KeyError`` naming the known codes."""
    try:
        return REGIONS[code.upper()]
    except KeyError:
        raise KeyError(f"unknown region {code!r}; known: {', '.join(sorted(REGIONS))}") from None
