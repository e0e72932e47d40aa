"""Ads Manager campaign/ad exports by day (CSV or .xlsx) -> ``ad_report_rows``, streamed in batches.

A file with an ad id column is read at ad level, otherwise at campaign level. ``"-"`` cells are
missing data (``NULL``), not zero. Days are the advertiser's local days, as Ads Manager shows them.
Accepted headers per field are ``HEADERS`` (``headers.ADS_HEADERS``, matched as ``common.normalise``
says). Refused, as for order exports: a column we read appearing twice, an amount in another
currency than the row's (or the account's) or below zero, a negative count, an id Excel turned into
``7.49E+18``, a day more than ``FUTURE_SLACK`` ahead, a row longer than the header, a cut-off last
row, and the same campaign/ad and day twice with different figures (an identical repeat is read
once).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jobs.sources.csv.common import (
    FUTURE_SLACK,
    MAX_PROBLEMS,
    CellError,
    Problem,
    column_letter,
    excel_number_problem,
    match_headers,
    parse_amount,
    parse_date,
    parse_int,
    repeated_headers,
)
from jobs.sources.csv.export_file import ExportFile, as_export
from jobs.sources.csv.headers import ADS_HEADERS, ADS_REQUIRED

HEADERS = ADS_HEADERS
REQUIRED = ADS_REQUIRED
BATCH_ROWS = 5000
_COUNTS = ("impressions", "clicks", "conversions", "purchases", "video_views")
_FIGURES = ("campaign_name", "ad_name", "currency", "spend", "purchase_value", *_COUNTS)


class AdsCsvReader:
    """Streams an Ads Manager export as batches of ``ad_report_rows``; problems collected."""

    def __init__(self, path: Path | str | ExportFile, *, advertiser_id: str,
                 currency: str) -> None:
        self.source = as_export(path)
        self.path, self.advertiser_id, self.currency = self.source.name, advertiser_id, currency
        self.problems: list[Problem] = []
        self.rows_read = 0
        self._now = datetime.now(UTC)
        self._latest_day = (self._now + FUTURE_SLACK).date()
        self._names: dict[str, str] = {}
        self._seen: dict[tuple[Any, ...], tuple[int, int]] = {}

    def batches(self) -> Iterator[list[dict[str, Any]]]:
        """Lists of rows; nothing more is yielded once a problem was found."""
        rows = self.source.rows()
        header = next(rows, [])
        cols = match_headers(header, HEADERS)
        self._names = {name: header[i].strip() for name, i in cols.items()}
        self.problems.extend(repeated_headers(header, HEADERS))
        for name in REQUIRED:
            if name not in cols:
                self.problems.append(Problem(
                    1, HEADERS[name][0], "(missing)",
                    f"a column named one of {list(HEADERS[name])}",
                    "export the report again by day with this column (Ads Manager > Reporting)"))
        if self.problems:
            return
        width = len(header)
        batch: dict[tuple[Any, ...], dict[str, Any]] = {}
        last: tuple[int, list[str]] | None = None
        for number, row in enumerate(rows, start=2):
            if not any(c.strip() for c in row) or _is_total(row, cols):
                continue
            last = (number, row)
            if len(row) > width:
                self.problems.append(_long_row(number, len(row), width))
            else:
                self.rows_read += 1
                parsed = self._row(row, number, cols)
                if parsed is not None and self._is_new(parsed, number):
                    batch[_key(parsed)] = parsed
            if len(self.problems) >= MAX_PROBLEMS:
                return
            if len(batch) >= BATCH_ROWS and not self.problems:
                yield list(batch.values())
                batch = {}
        if last is not None and not self.source.ends_with_line_break:
            self._check_cut(*last, width, cols)
        yield list(batch.values())

    def _name(self, field: str) -> str:
        return self._names.get(field) or HEADERS[field][0]

    def _row(self, row: list[str], number: int, cols: dict[str, int]) -> dict[str, Any] | None:
        def get(name: str) -> str:
            i = cols.get(name)
            return row[i] if i is not None and i < len(row) else ""

        field = "day"
        try:
            day = parse_date(get("day"))
            if day > self._latest_day:
                raise CellError("a day that has already happened",
                                "an Ads Manager report cannot hold future days: check the cell "
                                "and export the report again")
            campaign_id, ad_id = get("campaign_id").strip(), get("ad_id").strip()
            for field in ("campaign_id", "ad_id"):
                excel = excel_number_problem(number, self._name(field), get(field))
                if excel is not None:
                    self.problems.append(excel)
                    return None
            field = "campaign_id"
            if not campaign_id:
                raise CellError("a campaign id")
            field = "currency"
            currency = get("currency").strip().upper() or self.currency
            field = "spend"
            out: dict[str, Any] = {
                "advertiser_id": self.advertiser_id,
                "level": "ad" if "ad_id" in cols else "campaign",
                "day": day, "campaign_id": campaign_id, "ad_id": ad_id,
                "campaign_name": get("campaign_name").strip() or None,
                "ad_name": get("ad_name").strip() or None,
                "currency": currency, "spend": parse_amount(get("spend"), 2, currency),
                "pulled_at": self._now,
            }
            field = "purchase_value"
            out["purchase_value"] = parse_amount(get("purchase_value"), 2, currency)
            for field in _COUNTS:
                out[field] = parse_int(get(field))
                if out[field] is not None and out[field] < 0:
                    raise CellError("a count of 0 or more",
                                    "Ads Manager never reports negative counts: correct the "
                                    "cell, or export the report again")
            return out
        except CellError as error:
            self.problems.append(Problem(number, self._name(field), get(field), error.expected,
                                         error.fix))
            return None

    def _is_new(self, parsed: dict[str, Any], number: int) -> bool:
        """False for a repeat of a row already read; a repeat with other figures is a problem."""
        key = _key(parsed)
        figures = hash(tuple(parsed[f] for f in _FIGURES))
        first = self._seen.setdefault(key, (number, figures))
        if first[0] == number:
            return True
        if first[1] != figures:
            what = parsed["ad_id"] or parsed["campaign_id"]
            self.problems.append(Problem(
                number, self._name("spend"), str(parsed["spend"]),
                f"the same figures as row {first[0]}, the same {parsed['level']} and day",
                f"{parsed['level']} {what} on {parsed['day']} appears twice with different "
                "figures (two exports pasted together?): keep only the newer export's rows, or "
                "export one date range again"))
        return False

    def _check_cut(self, number: int, row: list[str], width: int, cols: dict[str, int]) -> None:
        """The file ends without a line break: its last row may have been cut off."""
        if len(row) >= width and width - 1 not in cols.values():
            return  # whole up to a column we do not read
        self.problems.append(Problem(
            number, "(whole row)", f"{len(row)} cells, ending {row[-1][-20:]!r}",
            f"a complete row of {width} cells ending with a line break",
            "the file stops in the middle of this row, so it was probably cut off: export it "
            "again. If the file is complete, add a line break at its end"))


def _key(parsed: dict[str, Any]) -> tuple[Any, ...]:
    return (parsed["level"], parsed["day"], parsed["campaign_id"], parsed["ad_id"])


def _long_row(number: int, cells: int, width: int) -> Problem:
    return Problem(number, f"(columns after {column_letter(width - 1)})", f"{cells} cells",
                   f"{width} cells, one per column of the header",
                   "a cell holds an unquoted comma or line break, so the cells after it moved "
                   "into the wrong columns: export the file again")


def _is_total(row: list[str], cols: dict[str, int]) -> bool:
    """Ads Manager appends a "Total of N results" row: not data."""
    i = cols["day"]
    cell = row[i].strip().lower() if i < len(row) else ""
    return cell.startswith("total")
