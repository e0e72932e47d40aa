"""The ECB's euro reference-rate feed, served with the demo's rates: ``GET /fx/<file>.xml``.

Files as on ``https://www.ecb.europa.eu/stats/eurofxref/``: ``eurofxref-daily.xml`` (the latest
publication day), ``eurofxref-hist-90d.xml`` (the last 90 days) and ``eurofxref-hist.xml`` (a year
before the data set's first day onward), newest day first, in the ECB's format
(``gesmes:Envelope / Cube / Cube time / Cube currency rate``, ``1 EUR = rate currency``).

Rates are published for business days only (weekends, 1 Jan, 1 May, 25-26 Dec skipped) up to the
day before the API clock. They are the demo rates of ``jobs.warehouse.fx_rates`` (USD per unit of
each currency, moved -1.0%..+1.0% a day) expressed per euro and rounded to six significant digits
as a publisher would, so a cross rate such as GBP->USD agrees with the demo rate to about 1e-5.
Faults (``/sandbox/faults`` with endpoint ``/fx/*``): ``server_error`` answers 503,
``malformed_json`` / ``truncated_json`` cut the XML short, ``timeout`` holds the answer back.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sandbox.state import SandboxState
from sandbox.web import Handler, Request, Response, Router

PREFIX = "/fx/"
DAILY, HIST_90D, HIST = "eurofxref-daily.xml", "eurofxref-hist-90d.xml", "eurofxref-hist.xml"
#: Calendar days the 90-day file reaches back from its latest publication day.
HIST_90D_DAYS = 90
#: Days before the data set's first day that the history file starts.
HIST_LEAD_DAYS = 365
#: USD per one unit of each currency (the same table as ``DEMO_USD_PER_UNIT`` in
#: ``jobs.warehouse.fx_rates``; a test keeps them equal).
USD_PER_UNIT: dict[str, Decimal] = {
    "GBP": Decimal("1.27"), "THB": Decimal("0.0285"), "MYR": Decimal("0.222"),
    "VND": Decimal("0.0000395"), "IDR": Decimal("0.0000632"), "CNY": Decimal("0.139"),
}
#: USD per euro before the daily movement.
USD_PER_EUR = Decimal("1.08")
#: Significant digits of a published rate (the ECB prints four to six).
SIGNIFICANT_DIGITS = 6
#: Quoted currencies, in the order of each day's block.
CURRENCIES: tuple[str, ...] = ("USD", *sorted(USD_PER_UNIT))
#: (month, day) of the TARGET closing days that fall on fixed dates.
CLOSED: frozenset[tuple[int, int]] = frozenset({(1, 1), (5, 1), (12, 25), (12, 26)})

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" \
xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>"""
TAIL = "\t</Cube>\n</gesmes:Envelope>\n"


def add_routes(router: Router, state: SandboxState) -> None:
    """Register the three feed files under ``/fx/``."""
    for name in (DAILY, HIST_90D, HIST):
        router.add("GET", PREFIX + name, _handler(state, name))


def _handler(state: SandboxState, name: str) -> Handler:
    return lambda req: _serve(state, req, name)


def feed_url(base_url: str, name: str = HIST_90D) -> str:
    """The URL of one feed file on a sandbox at ``base_url`` (what ``TIKPULSE_FX_URL`` takes)."""
    return base_url.rstrip("/") + PREFIX + name


def _moved(usd: Decimal, code: str, day: date) -> Decimal:
    step = (day.toordinal() * 7 + sum(map(ord, code))) % 11 - 5  # -5..5, as the demo rates
    return usd * (Decimal(1000) + 2 * step) / 1000


def eur_rate(currency: str, day: date) -> Decimal:
    """How many units of ``currency`` one euro buys on ``day``, as published."""
    usd_per_eur = _moved(USD_PER_EUR, "EUR", day)
    exact = usd_per_eur if currency == "USD" else (
        usd_per_eur / _moved(USD_PER_UNIT[currency], currency, day))
    return exact.quantize(Decimal(1).scaleb(exact.adjusted() + 1 - SIGNIFICANT_DIGITS))


def publication_days(first: date, last: date) -> list[date]:
    """The business days in ``[first, last]`` on which rates are published."""
    days = (first + timedelta(i) for i in range((last - first).days + 1))
    return [d for d in days if d.weekday() < 5 and (d.month, d.day) not in CLOSED]


def feed_days(state: SandboxState, name: str) -> list[date]:
    """The publication days a feed file holds at the current API clock."""
    config = state.dataset.config
    today = config.end - timedelta(days=state.days_back)
    published = publication_days(config.start - timedelta(HIST_LEAD_DAYS), today - timedelta(1))
    if name == DAILY:
        return published[-1:]
    if name == HIST_90D:
        return [d for d in published if d > published[-1] - timedelta(HIST_90D_DAYS)]
    return published


def feed_xml(days: list[date]) -> bytes:
    """The ECB XML for ``days``, newest first."""
    lines = [HEAD]
    for day in sorted(days, reverse=True):
        lines.append(f"\t\t<Cube time='{day.isoformat()}'>")
        lines.extend(f"\t\t\t<Cube currency='{ccy}' rate='{eur_rate(ccy, day):f}'/>"
                     for ccy in CURRENCIES)
        lines.append("\t\t</Cube>")
    lines.append(TAIL)
    return "\n".join(lines).encode()


def _serve(state: SandboxState, req: Request, name: str) -> Response:
    fault = state.faults.take(req.path)
    if fault is not None and fault.kind == "server_error":
        return Response(503, b"Service Unavailable", {"content-type": "text/plain"})
    body: bytes = state.cached(("fx_feed", name), lambda: feed_xml(feed_days(state, name)))
    if fault is not None and fault.kind in ("malformed_json", "truncated_json"):
        body = body[: len(body) // 2]
    delay = fault.delay if fault is not None and fault.kind == "timeout" else 0.0
    return Response(200, body, {"content-type": "text/xml"}, delay=delay)
