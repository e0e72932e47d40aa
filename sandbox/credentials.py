"""Well-known demo credentials: one app on each API and one pair of auth codes per demo seller.

Every value can be overridden (flags of ``tikpulse sandbox serve``, or ``Sandbox.start``) so a test
can pick its own. Auth codes are single-use, as on the real platforms; mint more through the admin
endpoint ``POST /sandbox/auth_codes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sandbox.dataset import Dataset

DEMO_APP_KEY = "6demoappkey01"
DEMO_APP_SECRET = "demo-app-secret-0123456789abcdef"
DEMO_ADS_APP_ID = "7300000000000000001"
DEMO_ADS_SECRET = "demo-ads-secret-0123456789abcdef"


@dataclass(frozen=True)
class DemoSeller:
    """A seller account: its shops and ad accounts, and one fresh auth code for each API."""

    name: str
    shop_auth_code: str
    ads_auth_code: str
    shop_ids: tuple[str, ...]
    advertiser_ids: tuple[str, ...]


@dataclass(frozen=True)
class DemoCredentials:
    """App credentials of both APIs and the demo sellers that can authorize them."""

    app_key: str = DEMO_APP_KEY
    app_secret: str = DEMO_APP_SECRET
    ads_app_id: str = DEMO_ADS_APP_ID
    ads_secret: str = DEMO_ADS_SECRET
    sellers: tuple[DemoSeller, ...] = field(default_factory=tuple)


def demo_credentials(dataset: Dataset, base: DemoCredentials | None = None) -> DemoCredentials:
    """Credentials for a data set: the app values of ``base`` (or the demo ones) + sellers."""
    base = base or DemoCredentials()
    shops, advertisers = dataset.shops, dataset.advertisers
    sellers = []
    for seller_idx in sorted(set(shops["seller_idx"])):
        shop_rows = [int(i) for i in (shops["seller_idx"] == seller_idx).to_numpy().nonzero()[0]]
        adv = advertisers[advertisers["shop_idx"].isin(shop_rows)]["advertiser_id"]
        sellers.append(
            DemoSeller(
                name=f"Demo Seller {seller_idx + 1}",
                shop_auth_code=f"SBX-SHOP-{seller_idx + 1}-{base.app_key[-4:]}",
                ads_auth_code=f"SBX-ADS-{seller_idx + 1}-{base.ads_app_id[-4:]}",
                shop_ids=tuple(str(shops["shop_id"][i]) for i in shop_rows),
                advertiser_ids=tuple(str(a) for a in adv),
            )
        )
    return replace(base, sellers=tuple(sellers)) if not base.sellers else base


def describe(creds: DemoCredentials, base_url: str) -> str:
    """Human-readable summary printed when the sandbox starts."""
    lines = [
        f"TikTok sandbox on {base_url}",
        f"  TIKTOK_SHOP_API_URL={base_url}  TIKTOK_SHOP_AUTH_URL={base_url}",
        f"  TIKTOK_ADS_API_URL={base_url}/open_api/v1.3",
        f"  TIKTOK_APP_KEY={creds.app_key}  TIKTOK_APP_SECRET={creds.app_secret}",
        f"  TIKTOK_ADS_APP_ID={creds.ads_app_id}  TIKTOK_ADS_SECRET={creds.ads_secret}",
    ]
    for s in creds.sellers:
        lines.append(
            f"  {s.name}: shop auth code {s.shop_auth_code}, ads auth code {s.ads_auth_code}"
        )
        lines.append(
            f"    shops {', '.join(s.shop_ids)}; advertisers {', '.join(s.advertiser_ids)}"
        )
    return "\n".join(lines)
