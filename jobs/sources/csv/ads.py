"""Ads Manager campaign/ad exports by day (CSV) -> ``ad_report_rows``, streamed in batches.

A file with an ad id column is read at ad level, otherwise at campaign level. ``"-"`` cells are
missing data (``NULL``), not zero. Days are the advertiser's local days, as Ads Manager shows them.
Accepted headers per field are ``HEADERS`` (matched ignoring case, spaces and punctuation).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobs.sources.csv.common import (
    MAX_PROBLEMS,
    CellError,
    Problem,
    match_headers,
    open_rows,
    parse_date,
    parse_int,
    parse_money,
)

HEADERS: dict[str, tuple[str, ...]] = {
    "day": ("By Day", "Date", "Day", "stat_time_day", "日期"),
    "campaign_id": ("Campaign ID", "campaign_id", "推广系列ID"),
    "campaign_name": ("Campaign name", "Campaign", "推广系列名称"),
    "ad_id": ("Ad ID", "ad_id", "广告ID"),
    "ad_name": ("Ad name", "Ad", "广告名称"),
    "currency": ("Currency", "币种"),
    "spend": ("Cost", "Spend", "Total cost", "花费"),
    "impressions": ("Impressions", "Impression", "展示次数"),
    "clicks": ("Clicks (destination)", "Clicks", "Clicks (all)", "点击次数"),
    "conversions": ("Conversions", "Conversion", "转化数"),
    "purchases": ("Complete payment", "Purchases", "Purchase", "Orders (SKU)"),
    "purchase_value": ("Total onsite shopping value", "Gross revenue", "Total purchase value",
                       "Purchase value", "Complete payment value"),
    "video_views": ("Video views", "Video play actions"),
}
REQUIRED = ("day", "campaign_id", "spend")
BATCH_ROWS = 5000
_COUNTS = ("impressions", "clicks", "conversions", "purchases", "video_views")


class AdsCsvReader:
    """Streams an Ads Manager export as batches of ``ad_report_rows``; problems collected."""

    def __init__(self, path: Path | str, *, advertiser_id: str, currency: str) -> None:
        self.path, self.advertiser_id, self.currency = str(path), advertiser_id, currency
        self.problems: list[Problem] = []
        self.rows_read = 0
        self._now = datetime.now(UTC)

    def batches(self) -> Iterator[list[dict[str, Any]]]:
        """Lists of rows; nothing more is yielded once a problem was found."""
        rows = open_rows(self.path)
        cols = match_headers(next(rows, []), HEADERS)
        for name in REQUIRED:
            if name not in cols:
                self.problems.append(Problem(1, HEADERS[name][0], "(missing)",
                                             f"a column named one of {list(HEADERS[name])}"))
        if self.problems:
            return
        batch: dict[tuple[Any, ...], dict[str, Any]] = {}
        for number, row in enumerate(rows, start=2):
            if not any(c.strip() for c in row) or _is_total(row, cols):
                continue
            self.rows_read += 1
            parsed = self._row(row, number, cols)
            if parsed is not None:
                key = (parsed["level"], parsed["day"], parsed["campaign_id"], parsed["ad_id"])
                batch[key] = parsed
            if len(self.problems) >= MAX_PROBLEMS:
                return
            if len(batch) >= BATCH_ROWS and not self.problems:
                yield list(batch.values())
                batch = {}
        yield list(batch.values())

    def _row(self, row: list[str], number: int, cols: dict[str, int]) -> dict[str, Any] | None:
        def get(name: str) -> str:
            i = cols.get(name)
            return row[i] if i is not None and i < len(row) else ""

        field = "day"
        try:
            day = parse_date(get("day"))
            campaign_id, ad_id = get("campaign_id").strip(), get("ad_id").strip()
            field = "campaign_id"
            if not campaign_id:
                raise CellError("a campaign id")
            field = "spend"
            out: dict[str, Any] = {
                "advertiser_id": self.advertiser_id,
                "level": "ad" if "ad_id" in cols else "campaign",
                "day": day, "campaign_id": campaign_id, "ad_id": ad_id,
                "campaign_name": get("campaign_name").strip() or None,
                "ad_name": get("ad_name").strip() or None,
                "currency": get("currency").strip().upper() or self.currency,
                "spend": parse_money(get("spend")), "pulled_at": self._now,
            }
            field = "purchase_value"
            out["purchase_value"] = parse_money(get("purchase_value"))
            for field in _COUNTS:
                out[field] = parse_int(get(field))
            return out
        except CellError as error:
            self.problems.append(Problem(number, HEADERS[field][0], get(field), error.expected))
            return None


def _is_total(row: list[str], cols: dict[str, int]) -> bool:
    """Ads Manager appends a "Total of N results" row: not data."""
    i = cols["day"]
    cell = row[i].strip().lower() if i < len(row) else ""
    return cell.startswith("total")
