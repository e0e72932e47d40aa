"""Render a composed digest: per language the text, charts, PDF and HTML, and the chat package.

``render_editions(digest, zone)`` draws everything for each of the tenant's languages (store
sections may come pre-rendered from the per-store fan-out jobs); ``package_of`` wraps the result
for the notifiers; ``write_editions`` writes HTML + PNGs + PDF + PPTX deck into a folder. The deck
is drawn once per edition and travels with it (Feishu posts it after the PDF).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from jobs.digest.chat_format import slack_blocks, slack_text, telegram_messages
from jobs.digest.compose import Digest
from jobs.digest.deck import deck_bytes
from jobs.digest.document import html_page, pdf_bytes, write_files
from jobs.digest.figures import store_charts, tenant_charts
from jobs.digest.package import Attachment, DigestPackage, Edition
from jobs.digest.sentences import DigestText, digest_text
from jobs.digest.words import Words
from jobs.report.forked import in_forks
from jobs.report.model import StoreReport, WeeklyReport

#: Media type of the PPTX deck.
PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
#: Store sections drawn as charts (the largest stores by GMV); every store is listed in the text.
MAX_STORE_CHARTS = 10
#: (shop_id, lang) -> that store section's PNGs, as made by the fan-out jobs.
StoreImages = Mapping[tuple[str, str], tuple[bytes, ...]]


@dataclass(frozen=True)
class RenderedEdition:
    """One language of the rendered digest."""

    text: DigestText
    charts: tuple[Attachment, ...]
    stores: tuple[tuple[str, str, tuple[bytes, ...]], ...]  # (shop_id, name, PNGs)
    pdf: Attachment
    html: str
    zone: str = ""  # the schedule's time zone, shown beside the period
    deck: Attachment | None = None  # the PPTX deck of the same text and charts


def snapshot_hash(report: WeeklyReport) -> str:
    """SHA-256 of the frozen snapshot: same numbers, same hash."""
    return hashlib.sha256(report.to_json().encode("utf-8")).hexdigest()


def charted_stores(report: WeeklyReport) -> list[StoreReport]:
    """The stores whose sections get charts: all when several, capped at the largest by GMV
    (in the reporting currency; stores whose rate is missing after those whose is known)."""
    if len(report.stores) < 2 and report.total is not None:
        return []

    def size(store: StoreReport) -> tuple[bool, Decimal]:
        kpis = store.in_currency(report.reporting_currency)
        return kpis is not None, Decimal(0) if kpis is None else kpis.current.gross_gmv

    return sorted(report.stores, key=size, reverse=True)[:MAX_STORE_CHARTS]


def render_store(report: WeeklyReport, shop_id: str, lang: str) -> tuple[bytes, ...]:
    """One store section's charts."""
    return render_store_report(report.store(shop_id), report.week, lang)


def render_store_report(store: StoreReport, week: str, lang: str) -> tuple[bytes, ...]:
    """One store section's charts (in its own currency) from the store's own part of the
    snapshot (the unit of work of a fan-out job, which need not rebuild the whole tenant's
    report)."""
    period = f"{week} · {Words(lang).period(store.first_day, store.last_day)}"
    return store_charts(store, lang, period)


@contextmanager
def _stage(stages: dict[str, float], name: str) -> Iterator[None]:
    """Add the seconds the block takes to ``stages[name]``."""
    start = time.perf_counter()
    yield
    stages[name] = stages.get(name, 0.0) + time.perf_counter() - start


def render_editions(digest: Digest, zone: str, store_images: StoreImages | None = None, *,
                    stages: dict[str, float] | None = None) -> tuple[RenderedEdition, ...]:
    """Every language edition of ``digest`` (``zone``: the schedule's time zone, shown), each
    drawn in a forked child where a core is spare (``forked.in_forks``: the languages share
    nothing). Each chart is drawn once and its PNG reused by the chat, HTML, PDF and deck;
    ``stages`` (the benchmark's) collects seconds per stage, added up over the languages:
    text, charts, pdf, html, deck."""
    drawn = in_forks(lambda lang: _edition_of(digest, zone, lang, store_images),
                     digest.report.languages)
    if stages is not None:
        for _, spent in drawn:
            for name, seconds in spent.items():
                stages[name] = stages.get(name, 0.0) + seconds
    return tuple(edition for edition, _ in drawn)


def _edition_of(digest: Digest, zone: str, lang: str, store_images: StoreImages | None) -> (
    tuple[RenderedEdition, dict[str, float]]
):
    """One language's edition and the seconds of its stages."""
    report, stages = digest.report, dict[str, float]()
    with _stage(stages, "text"):
        text = digest_text(digest, lang)
    with _stage(stages, "charts"):
        charts = tenant_charts(digest, lang, text.period)
        stores = tuple(
            (s.shop_id, s.name, (store_images or {}).get((s.shop_id, lang))
             or render_store(report, s.shop_id, lang))
            for s in charted_stores(report))
    name = f"tikpulse-{report.tenant_id}-{report.week}-{lang}"
    drawn = [c.data for c in charts if not is_summary(c)]  # page 1 has the cards as text
    with _stage(stages, "pdf"):
        pdf = pdf_bytes(text, zone, drawn, [(n, imgs) for _, n, imgs in stores])
    files = [(c.filename, c.title) for c in charts]
    store_files = [(n, [_store_file(name, shop, i) for i in range(len(imgs))])
                   for shop, n, imgs in stores]
    with _stage(stages, "html"):
        html = html_page(text, zone, files, store_files, f"{name}.pdf")
    with _stage(stages, "deck"):
        deck = deck_bytes(text, zone, charts, [(n, imgs) for _, n, imgs in stores])
    return RenderedEdition(text, charts, stores,
                           Attachment(f"{name}.pdf", text.title, pdf, "application/pdf"),
                           html, zone, Attachment(f"{name}.pptx", text.title, deck,
                                                  PPTX_MIME)), stages


def is_summary(chart: Attachment) -> bool:
    """Whether a tenant chart is the phone-sized summary image (the chats lead with it)."""
    return chart.filename.endswith("-summary.png")


def _store_file(name: str, shop_id: str, i: int) -> str:
    return f"{name}-store-{shop_id}-{i + 1}.png"


def package_of(digest: Digest, editions: tuple[RenderedEdition, ...], zone: str,
               digest_hash: str, *, corrected_at: datetime | None = None) -> DigestPackage:
    """The chat package of the rendered editions."""
    when = (corrected_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    report = digest.report
    return DigestPackage(
        tenant_id=report.tenant_id, week=report.week, snapshot_hash=digest_hash,
        status="partial" if digest.partial else "sent",
        editions=tuple(_edition(e, zone, digest.partial, when) for e in editions))


def _edition(e: RenderedEdition, zone: str, partial: bool, when: str) -> Edition:
    """The chat formats of one rendered edition."""
    first, *more = telegram_messages(e.text, zone)
    return Edition(
        lang=e.text.lang, title=e.text.title, slack_text=slack_text(e.text),
        slack_blocks=slack_blocks(e.text, zone), telegram_html=first, telegram_more=tuple(more),
        charts=e.charts, pdf=e.pdf, partial=partial, deck=e.deck,
        correction_note=Words(e.text.lang).t("correction", when=when))


def write_editions(editions: tuple[RenderedEdition, ...], folder: Path) -> list[Path]:
    """HTML page, PDF, PPTX deck and PNGs of every edition into ``folder``."""
    paths: list[Path] = []
    for e in editions:
        name = e.pdf.filename.removesuffix(".pdf")
        images = {c.filename: c.data for c in e.charts}
        for shop, _, imgs in e.stores:
            images.update({_store_file(name, shop, i): png for i, png in enumerate(imgs)})
        deck = e.deck.data if e.deck is not None else deck_bytes(
            e.text, e.zone, e.charts, [(n, imgs) for _, n, imgs in e.stores])
        paths += write_files(folder, name, e.html, e.pdf.data, images, deck)
    return paths
