"""The report as a PPTX deck (python-pptx), the agency's meeting format: a title slide, the
summary (the three-line conclusion over the headline KPI cards), one slide per section
(continued on further slides when long), one per chart, one per store (its KPIs and charts) and
data quality.

Same words as the HTML page and the PDF (``DigestText``). Each slide's speaker notes define the
metrics it names, from the one metric catalog (``analytics.catalog``). 16:9, built on the
default template's layouts.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as Deck
from pptx.slide import Slide
from pptx.text.text import _Paragraph
from pptx.util import Emu, Inches, Pt

from analytics.catalog import METRICS
from jobs.digest.chat_format import heading
from jobs.digest.fonts import pdf_safe
from jobs.digest.package import Attachment
from jobs.digest.sentences import Cell, DigestText
from jobs.digest.words import apart

#: Slide size (16:9) and the margin around the content.
WIDTH, HEIGHT, MARGIN = Inches(13.333), Inches(7.5), Inches(0.5)
#: Characters of bullet text per slide before a section continues on the next one.
CHARS_PER_SLIDE = 900
#: KPI cards per row on the summary slide and on a store slide.
CARDS_PER_ROW = 5
#: What each tenant chart (by its file name's last part) shows, for its speaker notes.
CHART_METRICS = {"trend": ("gross_gmv",), "drivers": ("net_gmv", "visitors", "cvr", "aov"),
                 "creators": ("commission_cost",), "stock": ("units",), "mix": ("gross_gmv",),
                 "funnel": ("impressions", "clicks", "visitors", "orders", "cvr")}
#: Default template layouts: title slide, title only.
TITLE_LAYOUT, TITLE_ONLY = 0, 5
#: Muted text, good and bad moves.
MUTED, GOOD, BAD = RGBColor(0x55, 0x55, 0x55), RGBColor(0x1A, 0x7F, 0x37), RGBColor(0xB4, 0x23,
                                                                                   0x18)
FONT = {"zh": "Noto Sans CJK SC", "en": "DejaVu Sans"}


def definitions(text: str, lang: str) -> list[str]:
    """The catalog definition of every metric ``text`` names (case aside; longest names first,
    so "Net GMV" is not also read as "GMV"); a bare "GMV" means gross GMV."""
    out, rest = [], text.casefold()
    for m in sorted(METRICS, key=lambda m: -len(m.zh if lang == "zh" else m.en)):
        name = m.zh if lang == "zh" else m.en
        if name and name.casefold() in rest:
            rest = rest.replace(name.casefold(), "")
            out.append(f"{name}: {m.formula}." + (f" {m.caveat}" if m.caveat else ""))
    return out or (definitions("总GMV" if lang == "zh" else "Gross GMV", lang)
                   if "gmv" in rest else [])


def _put(para: _Paragraph, text: str, lang: str, size: int, *, bold: bool = False,
         color: RGBColor | None = None) -> None:
    """One run of ``text`` in ``para``, in the language's font (East Asian slot too)."""
    run = para.add_run()
    run.text = pdf_safe(text)  # emoji marks as symbols the slide fonts draw (✅ -> ✓)
    font = run.font
    font.size, font.bold, font.name = Pt(size), bold, FONT[lang]
    _ea(run._r.get_or_add_rPr(), FONT[lang])
    if color is not None:
        font.color.rgb = color


def _ea(rpr: object, typeface: str) -> None:
    ea = rpr.find(qn("a:ea"))  # type: ignore[attr-defined]
    if ea is None:
        ea = rpr.makeelement(qn("a:ea"), {})  # type: ignore[attr-defined]
        latin = rpr.find(qn("a:latin"))  # type: ignore[attr-defined]
        latin.addnext(ea) if latin is not None else rpr.append(ea)  # type: ignore[attr-defined]
    ea.set("typeface", typeface)


def _slide(deck: Deck, title: str, lang: str, notes: Iterable[str] = ()) -> Slide:
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    box = slide.shapes.title
    box.left, box.top, box.width, box.height = MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(0.9)
    _put(box.text_frame.paragraphs[0], title, lang, 28, bold=True)
    text = "\n".join(notes)
    if text:
        slide.notes_slide.notes_text_frame.text = text
    return slide


def _text(slide: Slide, lines: Sequence[str], lang: str, top: Emu, height: Emu, *,
          size: int = 16, bullet: bool = True, color: RGBColor | None = None) -> None:
    frame = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, height).text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _put(para, f"• {line}" if bullet else line, lang, size, color=color)
        para.space_after = Pt(6)


def _cards(slide: Slide, cells: Sequence[Cell], lang: str, top: Emu) -> Emu:
    """KPI cards in rows under ``top``; returns the height they take. A value with its
    reporting-currency figure beside ("THB222,719（≈ US$6,353）") shows that figure on a line of
    its own, and the cards grow to hold it."""
    width = (WIDTH - 2 * MARGIN) // CARDS_PER_ROW
    values = [apart(c.value) for c in cells]
    height = Inches(1.6) if any(beside for _, beside in values) else Inches(1.25)
    for i, (c, value) in enumerate(zip(cells, values, strict=True)):
        row, col = divmod(i, CARDS_PER_ROW)
        box = slide.shapes.add_textbox(MARGIN + col * width, top + row * height,
                                       width - Inches(0.1), height - Inches(0.1))
        frame = box.text_frame
        frame.word_wrap = True
        tone = BAD if "⚠" in c.change else GOOD if "✅" in c.change else MUTED
        beside = f"≈ {value[1]}" if value[1] else ""
        for j, (text, size, color, bold) in enumerate((
                (c.name, 12, MUTED, False), (value[0], 20, None, True), (beside, 12, MUTED, False),
                (c.change, 10, tone, False), (c.target, 10, MUTED, False))):
            if not text:
                continue
            para = frame.paragraphs[0] if j == 0 else frame.add_paragraph()
            _put(para, text, lang, size, bold=bold, color=color)
    rows = -(-len(cells) // CARDS_PER_ROW)
    return Emu(rows * height)


def _chunks(lines: Sequence[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    for line in lines:
        if out[-1] and sum(map(len, out[-1])) + len(line) > CHARS_PER_SLIDE:
            out.append([])
        out[-1].append(line)
    return out


def _picture(slide: Slide, png: bytes, left: Emu, top: Emu, width: Emu, height: Emu) -> None:
    """``png`` as large as fits in the box, centred in it."""
    pic = slide.shapes.add_picture(io.BytesIO(png), left, top, width=width)
    if pic.height > height:
        pic.width, pic.height = int(pic.width * height / pic.height), height
    pic.left = left + (width - pic.width) // 2


def deck_bytes(t: DigestText, zone: str, charts: Sequence[Attachment],
               stores: Sequence[tuple[str, Sequence[bytes]]]) -> bytes:
    """The whole report of one language as PPTX bytes."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = WIDTH, HEIGHT
    lang = t.lang
    first = deck.slides.add_slide(deck.slide_layouts[TITLE_LAYOUT])
    for shape, lines, size, top, height in (
            (first.shapes.title, [t.title], 36, Inches(2.2), Inches(1.6)),
            (first.placeholders[1], [f"{t.period} · {zone}", *([t.partial] if t.partial else [])],
             18, Inches(3.9), Inches(1.4))):
        # all four: a placeholder given only some keeps zeros for the others (the layout's
        # place is for the template's own slide size, not ours)
        shape.left, shape.top, shape.width, shape.height = MARGIN, top, WIDTH - 2 * MARGIN, height
        frame = shape.text_frame
        for i, line in enumerate(lines):
            _put(frame.paragraphs[0] if i == 0 else frame.add_paragraph(), line, lang, size,
                 bold=size > 20)
    summary = [c.name for c in t.headline]
    slide = _slide(deck, heading("summary", lang, t.cadence), lang,
                   definitions(" ".join(summary), lang))
    lead = [*t.summary] or ([t.headline_note] if t.headline_note else [*t.changes[:3]])
    _text(slide, lead, lang, Inches(1.2), Inches(1.45), size=15)
    _cards(slide, t.headline, lang, Inches(2.7))
    for title, lines in [(heading("changes", lang), t.changes), *t.sections,
                         (heading("suggestions", lang), t.suggestions)]:
        _section(deck, title, lines, lang)
    for c in (c for c in charts if not c.filename.endswith("-summary.png")):
        kind = c.filename.removesuffix(".png").rsplit("-", 1)[-1]
        names = " ".join(m.zh if lang == "zh" else m.en for m in METRICS
                         if m.id in CHART_METRICS.get(kind, ()))
        slide = _slide(deck, c.title, lang, definitions(f"{c.title} {names}", lang))
        _picture(slide, c.data, MARGIN, Inches(1.2), WIDTH - 2 * MARGIN, HEIGHT - Inches(1.5))
    images = dict(stores)
    for name, cells in t.stores if len(t.stores) > 1 or not t.headline else ():
        _store(deck, name, cells, images.get(name, ()), lang)
    _section(deck, heading("quality", lang), t.quality, lang)
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue()


def _section(deck: Deck, title: str, lines: Sequence[str], lang: str) -> None:
    parts = _chunks(lines)
    for i, part in enumerate(parts):
        name = title if len(parts) == 1 else f"{title} ({i + 1}/{len(parts)})"
        slide = _slide(deck, name, lang, definitions(" ".join(part), lang))
        _text(slide, part, lang, Inches(1.3), HEIGHT - Inches(1.6))


def _store(deck: Deck, name: str, cells: Sequence[Cell], pngs: Sequence[bytes],
           lang: str) -> None:
    slide = _slide(deck, name, lang, definitions(" ".join(c.name for c in cells), lang))
    top = Inches(1.2) + _cards(slide, cells, lang, Inches(1.2)) + Inches(0.1)
    if pngs:
        width = (WIDTH - 2 * MARGIN) // len(pngs)
        for i, png in enumerate(pngs):
            _picture(slide, png, MARGIN + i * width, top, width - Inches(0.1),
                     HEIGHT - top - Inches(0.3))
