"""Rows of the report's insight sections, as frozen records (analytics returns DataFrames).

``records(frame, Cls)`` turns a DataFrame into a tuple of ``Cls`` taking the columns named like
its fields, with pandas' missing values as ``None`` and numpy scalars as plain Python values, so
the snapshot stays exact and JSON-serialisable. ``Insights`` groups every section of the week.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd

from analytics.anomaly_types import Anomaly
from analytics.content import WinnerProfile
from analytics.creators import CreatorSplit
from analytics.drivers import Decomposition
from analytics.funnel import FunnelShift
from analytics.stock import StockPlan
from analytics.suggestions import Suggestion

R = TypeVar("R")


@dataclass(frozen=True)
class Driver:
    """Why a KPI of one scope (a store id or the tenant id) moved against the previous week."""

    scope: str
    decomposition: Decomposition


@dataclass(frozen=True)
class Contributor:
    """How much one store, campaign, creator or product moved a total (reporting currency)."""

    dimension: str  # store | campaign | creator | product
    metric: str  # gross_gmv | purchase_value | affiliate_gmv
    key: str
    current: float
    previous: float
    delta: float
    share: float | None  # of the total change


@dataclass(frozen=True)
class ChannelShare:
    """One channel's share of visitors, page views and GMV, now and the week before."""

    channel: str
    visitors_share: float | None
    visitors_share_previous: float | None
    visitors_change_pp: float | None
    page_views_share: float | None
    page_views_share_previous: float | None
    page_views_change_pp: float | None
    gmv_share: float | None
    gmv_share_previous: float | None
    gmv_change_pp: float | None


@dataclass(frozen=True)
class FunnelStep:
    """One stage of one channel's funnel, with the step rate from the stage before."""

    channel: str
    stage: str
    from_stage: str | None
    current: int | None
    previous: int | None
    current_rate: float | None
    previous_rate: float | None
    change_pp: float | None
    volume_ok: bool


@dataclass(frozen=True)
class CreatorRow:
    """One creator's week: sales, efficiency and the fake-engagement risk with its reasons."""

    creator_username: str
    gmv: Decimal | None
    orders: int
    units: int
    commission: Decimal | None
    gmv_per_commission: float | None
    refund_rate: float | None
    views: int | None
    engagement_rate: float | None
    cvr: float | None
    is_new: bool
    followers: float | None
    risk: bool
    risk_reasons: tuple[str, ...]
    rank_gmv: int
    rank_efficiency: int
    nickname: str | None = None  # display name from the marketplace profile
    clicks: int | None = None  # product clicks from the creator's content
    verdict: str | None = None  # rebook | watch | stop (analytics.creator_verdicts)
    verdict_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Label:
    """The name a person reads for an id the sections use (a campaign, a SKU)."""

    kind: str  # campaign | sku
    key: str
    name: str


@dataclass(frozen=True)
class ContentRow:
    """One video or LIVE session's week."""

    shop_id: str
    content_id: str
    content_type: str
    creator_username: str | None
    title: str | None
    views: int | None
    likes: int | None
    comments: int | None
    orders: int | None
    gmv: Decimal
    engagement_rate: float | None
    gmv_per_1k_views: float | None
    hook_s: int | None
    duration_s: int | None
    posting_hour: float | None
    rank: int
    product_clicks: int | None = None
    ctr: float | None = None  # product clicks / views
    product_name: str | None = None  # the product it sold most units of (affiliate lines)


@dataclass(frozen=True)
class CampaignRow:
    """One campaign's week (money in ``currency``), its trend and the cut / watch / keep / scale
    verdict (``analytics.campaigns.campaign_verdict``) on the targets' ROAS ``basis``."""

    shop_id: str
    campaign_id: str
    campaign_name: str | None
    currency: str
    spend: Decimal
    roas_platform: float | None
    roas_true: float | None
    true_estimated: bool  # scaled from the store's true / platform ratio (several campaigns)
    cpa: Decimal | None
    ctr: float | None
    roas_previous: float | None
    spend_previous: Decimal | None
    verdict: str | None
    basis: str
    noise: float  # the campaign's noise band (share of break-even)
    target: float | None = None  # the ROAS target and break-even the verdict used
    break_even: float | None = None
    blockers: tuple[str, ...] = ()  # the store's deteriorations that stopped a "scale"
    checks: tuple[float | None, ...] = ()  # cvr change, refund-rate points, true ROAS change


@dataclass(frozen=True)
class StockRow(StockPlan):
    """A stock plan with the product's name and seller SKU as the warehouse has them (None when
    it has none: the digest then shows the SKU id)."""

    product_name: str | None = None
    seller_sku: str | None = None


@dataclass(frozen=True)
class Insights:
    """Everything beyond the KPIs: anomalies and their causes, mix, funnel, creators, content,
    stock and suggestions. Empty sections mean the source had no data for the week."""

    anomalies: tuple[Anomaly, ...] = ()
    drivers: tuple[Driver, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    mix: tuple[ChannelShare, ...] = ()
    funnel: tuple[FunnelStep, ...] = ()
    biggest_drop: FunnelShift | None = None
    creators: tuple[CreatorRow, ...] = ()
    creator_split: CreatorSplit | None = None
    content: tuple[ContentRow, ...] = ()
    winners: tuple[WinnerProfile, ...] = ()
    stock: tuple[StockRow, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    labels: tuple[Label, ...] = ()  # names of the campaigns (and SKUs) the sections name by id
    campaigns: tuple[CampaignRow, ...] = ()  # ads by campaign, biggest spend first

    def name_of(self, kind: str, key: str) -> str | None:
        """The name of a campaign or SKU id, when the warehouse has one."""
        return next((x.name for x in self.labels if x.kind == kind and x.key == key), None)


def _plain(value: Any, hint: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_plain(v, Any) for v in value)
    if value is None or (not isinstance(value, str | Decimal) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    options = typing.get_args(hint) or (hint,)
    if isinstance(value, float) and int in options and float not in options:
        return int(value) if math.isfinite(value) else None
    if isinstance(value, int) and not isinstance(value, bool) and float in options and (
            int not in options):
        return float(value)
    return value


def records(frame: pd.DataFrame | None, cls: type[R], limit: int | None = None) -> tuple[R, ...]:
    """The rows of ``frame`` as ``cls`` records (columns named like its fields)."""
    if frame is None or frame.empty:
        return ()
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    rows = frame.head(limit) if limit else frame
    out = []
    for row in rows.to_dict("records"):
        out.append(cls(**{n: _plain(row.get(n), hints[n]) for n in names}))
    return tuple(out)
