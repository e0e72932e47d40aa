"""TikTok Business (Marketing) API client: token exchange, advertisers, daily integrated reports.

Reports are requested at AUCTION_CAMPAIGN or AUCTION_AD level by ``stat_time_day`` in chunks of
at most 30 days (the API's limit with a day dimension). Metric values are strings on the wire;
``"-"`` means "no data" and becomes ``None``, never zero. Days are the advertiser's local days and
each row keeps the advertiser's time zone next to them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx

from jobs.sources.errors import BadResponse, RateLimited, UpstreamError
from jobs.sources.ratelimit import Limiter, Unlimited
from jobs.sources.retry import RetryPolicy
from jobs.sources.tiktok import wire as w
from jobs.sources.tiktok.envelope import ads_data

#: Endpoint paths relative to the versioned base URL (paths end with ``/``).
ACCESS_TOKEN = "/oauth2/access_token/"
ADVERTISERS = "/oauth2/advertiser/get/"
ADVERTISER_INFO = "/advertiser/info/"
INTEGRATED_REPORT = "/report/integrated/get/"
#: Longest report window the API accepts with a day dimension.
MAX_REPORT_DAYS = 30
#: Largest report page.
MAX_REPORT_PAGE_SIZE = 1000
#: Report levels we pull and the id/name dimensions and attributes of each.
LEVELS: dict[str, tuple[list[str], list[str]]] = {
    "AUCTION_CAMPAIGN": (["campaign_id", "stat_time_day"], ["campaign_name"]),
    "AUCTION_AD": (["ad_id", "stat_time_day"],
                   ["ad_name", "campaign_id", "campaign_name", "adgroup_id"]),
}
#: Numeric metrics pulled into every report row.
METRICS = [
    "spend", "impressions", "clicks", "reach", "conversion", "complete_payment",
    "total_onsite_shopping_value", "onsite_shopping", "video_play_actions",
    "video_watched_2s", "video_watched_6s", "likes", "comments", "shares", "follows",
]


@dataclass(frozen=True)
class AdsToken:
    """A long-lived advertiser token and the advertisers it covers."""

    access_token: str
    advertiser_ids: tuple[str, ...]
    scope: tuple[str, ...]


@dataclass(frozen=True)
class Advertiser:
    """An ad account; ``timezone`` is the IANA zone its report days are in."""

    id: str
    name: str | None
    currency: str | None
    timezone: str | None


@dataclass(frozen=True)
class AdReportRow:
    """One campaign or ad on one advertiser-local day."""

    advertiser_id: str
    level: str
    entity_id: str
    day: date
    timezone: str | None
    currency: str | None
    campaign_id: str | None
    campaign_name: str | None
    ad_name: str | None
    adgroup_id: str | None
    #: Every requested metric; ``None`` where the API said ``"-"``.
    metrics: dict[str, Decimal | None]

    @property
    def spend(self) -> Decimal | None:
        """Spend in the advertiser's currency."""
        return self.metrics.get("spend")


@dataclass(frozen=True)
class ReportPage:
    """One report page; (``chunk_start``, ``page``) is the resume cursor."""

    rows: list[AdReportRow]
    chunk_start: date
    chunk_end: date
    page: int
    total_page: int

    @property
    def is_last_of_chunk(self) -> bool:
        """True when this is the chunk's last page."""
        return self.page >= self.total_page


class TikTokAdsClient:
    """One Business API app; the per-advertiser token is passed to each call."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        app_id: str,
        secret: str,
        api_url: str,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._http = http
        self._app_id = app_id
        self._secret = secret
        self._api_url = api_url.rstrip("/")
        self._limiter = limiter or Unlimited()
        self._retry = retry or RetryPolicy()
        self._clock = clock

    def exchange_code(self, auth_code: str) -> AdsToken:
        """Exchange a single-use ads authorization code for an advertiser token."""
        body = {"app_id": self._app_id, "secret": self._secret, "auth_code": auth_code}
        data = self._call("POST", ACCESS_TOKEN, None, body=body)
        return AdsToken(
            access_token=str(w.required(data, "access_token")),
            advertiser_ids=tuple(str(a) for a in data.get("advertiser_ids") or ()),
            scope=tuple(str(s) for s in data.get("scope") or ()),
        )

    def advertisers(self, access_token: str) -> list[Advertiser]:
        """Advertisers the token covers, with currency and time zone."""
        params = {"app_id": self._app_id, "secret": self._secret}
        listed = w.items(self._call("GET", ADVERTISERS, access_token, params), "list")
        ids = [str(w.required(a, "advertiser_id")) for a in listed]
        names = {str(a["advertiser_id"]): w.text(a.get("advertiser_name")) for a in listed}
        info = self._advertiser_info(access_token, ids) if ids else {}
        return [self._advertiser(i, names[i], info.get(i, {})) for i in ids]

    def report(
        self, access_token: str, advertiser: Advertiser, level: str, start: date, end: date,
        *, resume_page: int = 1,
    ) -> Iterator[ReportPage]:
        """Daily rows for ``[start, end]`` (inclusive, advertiser days), chunk by chunk."""
        first = True
        for chunk_start, chunk_end in report_chunks(start, end):
            page = resume_page if first else 1
            first = False
            while True:
                result = self._report_page(access_token, advertiser, level,
                                           chunk_start, chunk_end, page)
                yield result
                if result.is_last_of_chunk:
                    break
                page += 1

    def _report_page(
        self, access_token: str, advertiser: Advertiser, level: str,
        chunk_start: date, chunk_end: date, page: int,
    ) -> ReportPage:
        dimensions, attributes = LEVELS[level]
        params = {
            "advertiser_id": advertiser.id, "report_type": "BASIC", "data_level": level,
            "dimensions": json.dumps(dimensions), "metrics": json.dumps(attributes + METRICS),
            "start_date": chunk_start.isoformat(), "end_date": chunk_end.isoformat(),
            "page": page, "page_size": MAX_REPORT_PAGE_SIZE,
        }
        data = self._call("GET", INTEGRATED_REPORT, access_token, params)
        info = w.obj(data, "page_info")
        rows = [parse_report_row(x, advertiser, level) for x in w.items(data, "list")]
        total_page = w.integer(info.get("total_page")) or 1
        return ReportPage(rows, chunk_start, chunk_end, page, max(total_page, 1))

    def _advertiser_info(self, access_token: str, ids: list[str]) -> dict[str, Mapping[str, Any]]:
        params = {"advertiser_ids": json.dumps(ids),
                  "fields": json.dumps(["advertiser_id", "name", "currency", "timezone",
                                        "display_timezone"])}
        data = self._call("GET", ADVERTISER_INFO, access_token, params)
        return {str(a.get("advertiser_id")): a for a in w.items(data, "list")}

    @staticmethod
    def _advertiser(adv_id: str, name: str | None, info: Mapping[str, Any]) -> Advertiser:
        return Advertiser(
            id=adv_id,
            name=name or w.text(info.get("name")),
            currency=w.text(info.get("currency")),
            timezone=w.text(info.get("display_timezone")) or w.text(info.get("timezone")),
        )

    def _call(
        self, method: str, path: str, access_token: str | None,
        params: Mapping[str, Any] | None = None, *, body: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self._retry.call(lambda: self._send(method, path, access_token, params, body))

    def _send(
        self, method: str, path: str, access_token: str | None,
        params: Mapping[str, Any] | None, body: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        headers = {"content-type": "application/json"}
        if access_token is not None:
            headers["Access-Token"] = access_token
        content = None if body is None else json.dumps(body).encode()
        self._limiter.acquire()
        try:
            response = self._http.request(method, self._api_url + path, params=params,
                                          headers=headers, content=content)
        except httpx.TimeoutException as exc:
            raise UpstreamError(f"timeout: {method} {path}") from exc
        except httpx.TransportError as exc:
            raise UpstreamError(f"connection failed: {method} {path}: {exc}") from exc
        try:
            return ads_data(response, now=self._clock())
        except RateLimited as exc:
            self._limiter.pause(min(exc.retry_after or 1.0, 1.0))
            raise


def report_chunks(start: date, end: date) -> Iterator[tuple[date, date]]:
    """Inclusive ``(chunk_start, chunk_end)`` windows of at most 30 days covering the range."""
    cursor = start
    while cursor <= end:
        chunk_end = min(end, cursor + timedelta(days=MAX_REPORT_DAYS - 1))
        yield cursor, chunk_end
        cursor = chunk_end + timedelta(days=1)


def parse_report_row(data: Mapping[str, Any], advertiser: Advertiser, level: str) -> AdReportRow:
    """One ``data.list`` entry; ``"-"`` metrics become ``None``."""
    dims = w.obj(data, "dimensions")
    metrics = w.obj(data, "metrics")
    id_key = LEVELS[level][0][0]
    parsed = {m: _metric(metrics.get(m), m) for m in METRICS}
    return AdReportRow(
        advertiser_id=advertiser.id,
        level=level,
        entity_id=str(w.required(dims, id_key)),
        day=_stat_day(w.required(dims, "stat_time_day")),
        timezone=advertiser.timezone,
        currency=advertiser.currency,
        campaign_id=w.text(dims.get("campaign_id") or metrics.get("campaign_id")),
        campaign_name=_attribute(metrics.get("campaign_name")),
        ad_name=_attribute(metrics.get("ad_name")),
        adgroup_id=_attribute(metrics.get("adgroup_id")),
        metrics=parsed,
    )


def _metric(value: Any, name: str) -> Decimal | None:
    """Every metric as an exact ``Decimal`` (money and counts alike); ``"-"`` as ``None``."""
    return w.money(value, name)


def _attribute(value: Any) -> str | None:
    return None if value in (None, "", w.MISSING) else str(value)


def _stat_day(value: Any) -> date:
    """``"2025-12-25 00:00:00"`` (advertiser-local) -> the date."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise BadResponse(f"stat_time_day: expected 'YYYY-MM-DD HH:MM:SS', got {value!r}") from exc
