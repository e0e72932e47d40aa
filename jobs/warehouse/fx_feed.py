"""Daily reference rates from a feed into ``fx_rates``: fetch, parse and store, all or nothing.

A feed is the European Central Bank's euro reference rates (``eurofxref-daily.xml``,
``eurofxref-hist-90d.xml``, ``eurofxref-hist.xml``; ``gesmes:Envelope / Cube / Cube
time="YYYY-MM-DD" / Cube currency="USD" rate="1.0812"``: 1 EUR = rate currency, business days
only), or any URL serving the same XML or a ``day,base,quote,rate`` CSV. Given one of the ECB
files, ``sync_fx`` fetches the smallest of the three (same folder) that covers the days the
warehouse lacks: back to a week before the first order or ad day when rates do not reach that
far, else the days since the last stored rate. Days without a publication are covered when the
rates are read (``load_fx`` carries the last published rate forward).

Errors: ``FxFeedError``, one line saying what failed and what to do, for a feed that cannot be
reached, answers with an HTTP error, or is not a feed. Nothing is written then.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Connection, Engine, func, select

from jobs.warehouse.fx_rates import MAX_CARRY_FORWARD_DAYS, FxFileError, read_fx_csv
from jobs.warehouse.schema import ad_report_rows, fx_rates, orders
from jobs.warehouse.upsert import upsert

#: The ECB's files, smallest first: the latest publication day, the last 90 days, since 1999.
ECB_DAILY, ECB_90D, ECB_HIST = "eurofxref-daily.xml", "eurofxref-hist-90d.xml", "eurofxref-hist.xml"
ECB_FILES = frozenset({ECB_DAILY, ECB_90D, ECB_HIST})
#: Currency every ECB rate is quoted against (1 EUR = rate currency).
ECB_BASE = "EUR"
#: Calendar days back from today the 90-day file surely covers (it holds 90; margin for the lag
#: between a day and its publication at about 16:00 CET).
ECB_90D_COVERS_DAYS = 85
#: Days of rates a sync keeps when the warehouse has no orders or ads yet.
DEFAULT_LOOKBACK_DAYS = 28
#: Seconds to connect and between bytes; the full history file is a few megabytes.
FEED_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: What to do when the feed fails, appended to every ``FxFeedError``.
FEED_ADVICE = ("Try again later, check TIKPULSE_FX_URL, or add rates yourself with "
               "'tikpulse fx import FILE' (columns day,base,quote,rate).")


class FxFeedError(RuntimeError):
    """The FX feed could not be read; the message says what failed and what to do."""

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        super().__init__(" ".join(f"FX feed {url}: {problem}. {FEED_ADVICE}".split()))


@dataclass(frozen=True)
class FxSyncResult:
    """What one sync fetched and stored."""

    url: str  # the feed file fetched
    days: int  # publication days stored (new or re-stated)
    rows: int  # rates stored: one per day and currency pair
    first: date | None  # first and last day stored
    last: date | None
    latest: date | None  # the feed's latest publication day
    currencies: tuple[str, ...]  # quoted currencies stored


def sync_fx(engine: Engine, url: str, *, client: httpx.Client | None = None,
            today: date | None = None, since: date | None = None) -> FxSyncResult:
    """Fetch the reference rates the warehouse lacks from ``url``'s feed and upsert them.

    ``since`` asks for rates back to that day even before any order or ad; ``today`` is the
    UTC date by default. Re-running changes nothing; every rate of a run is written in one
    transaction, and nothing at all when ``FxFeedError`` is raised.
    """
    today = today or datetime.now(UTC).date()
    source = feed_source(url)
    with engine.connect() as conn:
        wanted_from = needed_from(conn, source, today, since)
    feed = feed_for(url, wanted_from, today)
    fetched = fetch_rates(feed, source, client)
    rows = [r for r in fetched if wanted_from <= r["day"] <= today]
    with engine.begin() as conn:
        written = upsert(conn, fx_rates, rows)
    days: list[date] = sorted({r["day"] for r in rows})
    return FxSyncResult(feed, len(days), written, days[0] if days else None,
                        days[-1] if days else None,
                        max((r["day"] for r in fetched), default=None),
                        tuple(sorted({str(r["quote"]) for r in rows})))


def feed_source(url: str) -> str:
    """The ``source`` stored with a feed's rates: its host (``www.ecb.europa.eu``)."""
    parts = urlsplit(url)
    return f"feed:{parts.netloc or url}"[:64]


def earliest_data_day(conn: Connection) -> date | None:
    """The first day any order or ad report row falls on (a day early for time zones)."""
    first_order = conn.execute(select(func.min(orders.c.create_time))).scalar()
    first_ad = conn.execute(select(func.min(ad_report_rows.c.day))).scalar()
    days = [d for d in (first_ad, first_order and first_order.date() - timedelta(1)) if d]
    return min(days) if days else None


def needed_from(conn: Connection, source: str, today: date, since: date | None = None) -> date:
    """The first day a sync from ``source`` must fetch.

    Back to a week before the data's first day (or ``since``) when this source's rates start
    later than that; otherwise from the day after its latest stored rate.
    """
    data_first = earliest_data_day(conn)
    if since is not None:
        wanted = since
    elif data_first is not None:
        wanted = data_first - timedelta(MAX_CARRY_FORWARD_DAYS)
    else:
        wanted = today - timedelta(DEFAULT_LOOKBACK_DAYS)
    first: date | None
    last: date | None
    first, last = conn.execute(
        select(func.min(fx_rates.c.day), func.max(fx_rates.c.day))
        .where(fx_rates.c.source == source)
    ).one()
    if first is None or last is None or first > wanted + timedelta(MAX_CARRY_FORWARD_DAYS):
        return wanted
    return last + timedelta(1)


def feed_for(url: str, wanted_from: date, today: date) -> str:
    """The smallest ECB file beside ``url`` that covers ``wanted_from`` to today (else ``url``)."""
    folder, _, name = url.rpartition("/")
    if name not in ECB_FILES:
        return url
    span = (wanted_from + timedelta(i) for i in range((today - wanted_from).days))
    if not any(day.weekday() < 5 for day in span):  # no business day before today is missing
        return f"{folder}/{ECB_DAILY}"
    if wanted_from >= today - timedelta(ECB_90D_COVERS_DAYS):
        return f"{folder}/{ECB_90D}"
    return f"{folder}/{ECB_HIST}"


def fetch_rates(url: str, source: str, client: httpx.Client | None = None) -> (
    list[dict[str, Any]]
):
    """The rate rows of the feed at ``url`` (ECB XML or a ``day,base,quote,rate`` CSV)."""
    body = fetch_feed(url, client)
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return parse_ecb_xml(body, url, source)
    try:
        return read_fx_csv(io.StringIO(body.decode("utf-8-sig")), url, source)
    except (FxFileError, UnicodeDecodeError) as exc:
        raise FxFeedError(url, f"neither ECB XML nor a day,base,quote,rate CSV ({exc})") from None


def fetch_feed(url: str, client: httpx.Client | None = None) -> bytes:
    """The body of ``url``; ``FxFeedError`` for a network failure or an HTTP error status."""
    own = client is None
    http = client or httpx.Client(timeout=FEED_TIMEOUT, follow_redirects=True)
    try:
        response = http.get(url)
        response.raise_for_status()
        return response.content
    except httpx.HTTPStatusError as exc:
        status = exc.response
        raise FxFeedError(url, f"answered HTTP {status.status_code} {status.reason_phrase}"
                          ) from None
    except httpx.TimeoutException:
        raise FxFeedError(url, "timed out") from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FxFeedError(url, f"could not be reached ({type(exc).__name__}: {exc})") from None
    finally:
        if own:
            http.close()


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def parse_ecb_xml(body: bytes, url: str, source: str) -> list[dict[str, Any]]:
    """Rows ``(day, EUR, currency, rate)`` of an ECB reference-rate XML; rates as ``Decimal``."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FxFeedError(url, f"is not valid XML ({exc})") from None
    rows: list[dict[str, Any]] = []
    for cube in root.iter():
        if _local(cube.tag) != "Cube" or "time" not in cube.attrib:
            continue
        try:
            day = date.fromisoformat(cube.attrib["time"])
        except ValueError:
            raise FxFeedError(url, f"day {cube.attrib['time']!r} is not a date") from None
        for quoted in cube:
            if _local(quoted.tag) == "Cube" and "currency" in quoted.attrib:
                rows.append({"day": day, "base": ECB_BASE, **_rate(quoted.attrib, day, url),
                             "source": source})
    if not rows:
        raise FxFeedError(url, "holds no Cube time=... rates (not an ECB reference-rate file)")
    return rows


def _rate(attrib: dict[str, str], day: date, url: str) -> dict[str, object]:
    code = attrib["currency"].strip().upper()
    try:
        rate = Decimal(attrib.get("rate", "").strip())
    except InvalidOperation:
        rate = Decimal(0)
    if len(code) != 3 or not code.isalpha() or not rate.is_finite() or rate <= 0:
        raise FxFeedError(url, f"{day} {attrib['currency']!r} has no positive rate "
                          f"({attrib.get('rate')!r})")
    return {"quote": code, "rate": rate}
