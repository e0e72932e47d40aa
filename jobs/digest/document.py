"""The full report as a PDF (ReportLab flowables) and as an HTML page, with the same words in
the same order.

PDF: page 1 is the summary (title, period, the partial warning, the three-line conclusion, the
headline KPIs as cards, as on the summary image, and what changed), then the sections,
suggestions, the tenant charts, each store (its KPI cards and charts) and data quality, flowing
across A4 pages: nothing is cut at a page break, a heading stays with what follows it, a chart
moves whole to the next page. Charts are the 1200 px PNGs (about 2x at the page width),
embedded as they are (``jobs.digest.pdf_images``). HTML:
the same text and the PNGs next to it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import jinja2
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from jobs.digest.chat_format import heading
from jobs.digest.fonts import markup, register
from jobs.digest.pdf_images import png_flowable
from jobs.digest.sentences import Cell, DigestText

TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("jobs.digest", "templates"), autoescape=True,
).get_template("digest.html")
#: Page margin, and the width left for text and charts.
MARGIN = 15 * mm
FRAME_WIDTH = A4[0] - 2 * MARGIN
#: The tallest a chart is drawn (points): well inside a page's frame.
MAX_CHART_HEIGHT = A4[1] - 2 * MARGIN - 40 * mm
#: KPI cards per row: the headline's, and a store's.
CARDS_PER_ROW, STORE_CARDS_PER_ROW = 3, 4
#: Colours: headings, muted text, card fill, good / bad moves, the partial warning.
INK, MUTED, CARD = (colors.HexColor(c) for c in ("#1a1a1a", "#555555", "#f6f7f9"))
GOOD, BAD, WARN = (colors.HexColor(c) for c in ("#1a7f37", "#b42318", "#fff3d6"))


def _styles(lang: str) -> dict[str, ParagraphStyle]:
    wrap = "CJK" if lang == "zh" else None
    base = ParagraphStyle("body", fontName=register()[0], fontSize=9.5, leading=13.5,
                          textColor=INK, wordWrap=wrap)

    def like(name: str, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)  # type: ignore[arg-type]

    return {"body": base, "title": like("title", fontSize=18, leading=23),
            "period": like("period", textColor=MUTED, spaceAfter=6),
            "h2": like("h2", fontSize=13, leading=17, spaceBefore=10, spaceAfter=4),
            "h3": like("h3", fontSize=11, leading=15, spaceBefore=8, spaceAfter=3),
            "item": like("item", leftIndent=11, bulletIndent=2, spaceAfter=2.5),
            "lead": like("lead", fontSize=10.5, leading=14.5, leftIndent=11, bulletIndent=2,
                         spaceAfter=3),
            "quality": like("quality", textColor=MUTED, fontSize=8.5, leading=12,
                            leftIndent=11, bulletIndent=2, spaceAfter=2),
            "partial": like("partial", backColor=WARN, borderPadding=5, spaceBefore=4,
                            spaceAfter=8),
            "kpi_name": like("kpi_name", textColor=MUTED, fontSize=8.5, leading=11),
            "kpi_value": like("kpi_value", fontSize=12.5, leading=16),
            "kpi_note": like("kpi_note", fontSize=8, leading=10.5)}


def _p(text: str, style: ParagraphStyle, *, bold: bool = False, bullet: bool = False) -> Paragraph:
    return Paragraph(markup(text, bold=bold), style, bulletText="•" if bullet else None)


def _card(c: Cell, s: dict[str, ParagraphStyle]) -> list[Flowable]:
    tone = BAD if "⚠" in c.change else GOOD if "✅" in c.change else MUTED
    note = ParagraphStyle("change", parent=s["kpi_note"], textColor=tone)
    out = [_p(c.name, s["kpi_name"]), _p(c.value, s["kpi_value"], bold=True), _p(c.change, note)]
    return out + ([_p(c.target, s["kpi_note"])] if c.target else [])


def kpi_cards(cells: Sequence[Cell], s: dict[str, ParagraphStyle], per_row: int) -> Table:
    """KPI cards in a grid: name, value, change vs last week / 4-week average, target."""
    cards: list[list[Flowable] | str] = [_card(c, s) for c in cells]
    rows = [cards[i:i + per_row] for i in range(0, len(cards), per_row)]
    rows[-1] = rows[-1] + [""] * (per_row - len(rows[-1]))
    table = Table(rows, colWidths=[FRAME_WIDTH / per_row] * per_row)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, -1), CARD),
        ("GRID", (0, 0), (-1, -1), 2, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return table


def chart(png: bytes, width: float = FRAME_WIDTH) -> Flowable:
    """A chart PNG scaled to ``width`` (points), keeping its aspect; a tall one (the phone-sized
    summary) is scaled down further to fit a page. The PNG's own bytes go into the PDF (the
    chart is never drawn again; ``jobs.digest.pdf_images``)."""
    return png_flowable(png, width, MAX_CHART_HEIGHT)


def _section(title: str, lines: Sequence[str], s: dict[str, ParagraphStyle],
             style: str = "item") -> list[Flowable]:
    head = _p(title, s["h2"], bold=True)
    items = [_p(line, s[style], bullet=True) for line in lines]
    return [KeepTogether([head, *items[:1]]), *items[1:]]


def story(t: DigestText, zone: str, charts: Sequence[bytes],
          stores: Sequence[tuple[str, Sequence[bytes]]]) -> list[Flowable]:
    """The report's flowables, in the HTML page's order (summary first)."""
    s = _styles(t.lang)
    out: list[Flowable] = [_p(t.title, s["title"], bold=True), _p(f"{t.period} · {zone}",
                                                                   s["period"])]
    if t.partial:
        out.append(_p(t.partial, s["partial"], bold=True))
    if t.summary:
        out += [_p(heading("summary", t.lang, t.cadence), s["h2"], bold=True),
                *(_p(line, s["lead"], bold=True, bullet=True) for line in t.summary)]
    out.append(_p(heading("headline", t.lang, t.cadence), s["h2"], bold=True))
    if t.headline_note:
        out.append(_p(t.headline_note, s["partial"], bold=True))
    if t.headline:
        out.append(kpi_cards(t.headline, s, CARDS_PER_ROW))
    out += _section(heading("changes", t.lang), t.changes, s)
    for title, lines in t.sections:
        out += _section(title, lines, s)
    out += _section(heading("suggestions", t.lang), t.suggestions, s)
    out += [Spacer(1, 6), *(chart(png) for png in charts)]
    if len(t.stores) > 1 or not t.headline:
        head: list[Flowable] = [_p(heading("stores", t.lang), s["h2"], bold=True)]
        images = dict(stores)
        for name, cells in t.stores:  # the heading stays with the first store
            block, head = [*head, _p(name, s["h3"], bold=True)], []
            if cells:
                block.append(kpi_cards(cells, s, STORE_CARDS_PER_ROW))
            pngs = [chart(png) for png in images.get(name, ())]
            out += [KeepTogether(block + pngs[:1]), *pngs[1:]]
    out += _section(heading("quality", t.lang), t.quality, s, "quality")
    return out


def pdf_bytes(t: DigestText, zone: str, charts: Sequence[bytes],
              stores: Sequence[tuple[str, Sequence[bytes]]]) -> bytes:
    """The whole report of one language as PDF bytes."""
    buf = io.BytesIO()
    footer = markup(f"{t.title} · TikPulse")

    def number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        line = Paragraph(f"{footer} · {doc.page}", ParagraphStyle(
            "footer", fontName=register()[0], fontSize=7.5, textColor=MUTED))
        line.wrap(FRAME_WIDTH, 20)
        line.drawOn(canvas, MARGIN, 8 * mm)
        canvas.restoreState()

    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=t.title,
                            author="TikPulse", creator="TikPulse", lang=t.lang)
    doc.build(story(t, zone, charts, stores), onFirstPage=number, onLaterPages=number)
    return buf.getvalue()


def html_page(t: DigestText, zone: str, charts: Sequence[tuple[str, str]],
              stores: Sequence[tuple[str, Sequence[str]]], pdf_name: str) -> str:
    """The report as one HTML page; ``charts``/``stores`` name PNG files next to it."""
    return TEMPLATE.render(t=t, zone=zone, charts=charts, stores=stores, pdf_name=pdf_name,
                           heading=lambda key: heading(key, t.lang, t.cadence),
                           made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def write_files(folder: Path, name: str, html: str, pdf: bytes,
                images: dict[str, bytes], pptx: bytes | None = None) -> list[Path]:
    """Write the HTML page, the PDF, the deck (when given) and the PNGs into ``folder``;
    returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    documents = {f"{name}.html": html.encode("utf-8"), f"{name}.pdf": pdf}
    if pptx is not None:
        documents[f"{name}.pptx"] = pptx
    paths = []
    for filename, data in {**documents, **images}.items():
        (folder / filename).write_bytes(data)
        paths.append(folder / filename)
    return paths
