"""The full report as a PDF (matplotlib ``PdfPages``, no pyplot) and as an HTML page.

PDF: text pages (headline, what changed, suggestions, stores, data quality), then the tenant
charts three to a page, then each store's section. HTML: the same text and the PNGs next to it.
A4 portrait; Chinese wraps by character, other text by word.
"""

from __future__ import annotations

import io
import textwrap
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

import jinja2
import matplotlib.image as mpimg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from analytics.chart_style import chart_context
from jobs.digest.chat_format import heading
from jobs.digest.sentences import DigestText

A4 = (8.27, 11.69)
#: Text lines per PDF page and characters per line (a CJK character counts as two).
LINES_PER_PAGE, LINE_WIDTH = 52, 92
#: Columns of a bold heading line (a larger font: fewer characters fit).
HEAD_WIDTH = 70
#: Charts per PDF page (1200 px wide charts fill the width of A4 three to a page).
IMAGES_PER_PAGE = 3
TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("jobs.digest", "templates"), autoescape=True,
).get_template("digest.html")


#: Emoji marks of the chat text -> symbols the PDF fonts have (DejaVu Sans).
PDF_SYMBOLS = str.maketrans({"✅": "✓", "✏": "✎", "\ufe0f": None})


def pdf_safe(text: str) -> str:
    """Chat text with its emoji replaced by symbols the embedded fonts can draw."""
    return text.translate(PDF_SYMBOLS)


#: Where a mixed Chinese line may break without splitting a number or a word.
BREAKS = (" ", "，", "、", "：", "；", "（", "。")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, width: int = LINE_WIDTH) -> list[str]:
    """Lines of at most ``width`` columns (CJK counts double)."""
    if _width(text) == len(text):
        return textwrap.wrap(text, width, subsequent_indent="   ") or [""]
    lines, line = [], ""
    for ch in text:
        if _width(line + ch) > width:
            cut = max(line.rfind(b) for b in BREAKS)  # prefer a space or punctuation
            if cut > len(line) - 16 and cut > 3:
                lines.append(line[:cut + 1].rstrip())
                line = "   " + line[cut + 1:].lstrip()
            else:
                lines.append(line)
                line = "   "
        line += ch
    return [*lines, line]


def text_lines(t: DigestText, zone: str) -> list[tuple[str, str]]:
    """(style, text) lines of the report's text part: style is title, head or body."""
    out = [("title", t.title), ("body", f"{t.period} · {zone}")]
    if t.partial:
        out += [("head", line) for line in wrap(t.partial, HEAD_WIDTH)]
    out.append(("head", heading("headline", t.lang)))
    if t.headline_note:
        out += [("body", line) for line in wrap(t.headline_note)]
    for c in t.headline:
        out += [("body", line) for line in wrap(f"{c.name}: {c.value}  {c.change}"
                                                 + (f" · {c.target}" if c.target else ""))]
    groups = [(heading("changes", t.lang), t.changes), *t.sections,
              (heading("suggestions", t.lang), t.suggestions)]
    for title, items in groups:
        out.append(("head", title))
        out += [("body", line) for item in items for line in wrap(f"• {item}")]
    if len(t.stores) > 1 or not t.headline:
        out.append(("head", heading("stores", t.lang)))
        for name, cells in t.stores:
            row = f"• {name}: " + " · ".join(f"{c.name} {c.value} {c.change.split(' · ')[0]}"
                                            for c in cells[:3])
            out += [("body", line) for line in wrap(row)]
    out.append(("head", heading("quality", t.lang)))
    out += [("body", line) for item in t.quality for line in wrap(item)]
    return out


def _text_pages(lines: list[tuple[str, str]]) -> Iterator[Figure]:
    sizes = {"title": 16, "head": 12.5, "body": 10}
    for start in range(0, len(lines), LINES_PER_PAGE):
        fig = Figure(figsize=A4)
        y = 0.95
        for style, text in lines[start:start + LINES_PER_PAGE]:
            if style == "head":
                y -= 0.008
            fig.text(0.06, y, pdf_safe(text), fontsize=sizes[style], va="top", parse_math=False,
                     fontweight="bold" if style != "body" else "normal")
            y -= 0.0175 if style == "body" else 0.026
        yield fig


def _image_pages(images: Sequence[bytes], caption: str = "") -> Iterator[Figure]:
    top = 0.93 if caption else 0.97
    for start in range(0, len(images), IMAGES_PER_PAGE):
        fig = Figure(figsize=A4)
        if caption:
            fig.text(0.06, 0.97, caption, fontsize=13, fontweight="bold", va="top",
                     parse_math=False)
        slot_height = top / IMAGES_PER_PAGE
        for slot, png in enumerate(images[start:start + IMAGES_PER_PAGE]):
            bottom = top - (slot + 1) * slot_height
            ax = fig.add_axes((0.04, bottom, 0.92, slot_height * 0.96))
            ax.imshow(mpimg.imread(io.BytesIO(png), format="png"), interpolation="none")
            ax.set_axis_off()
        yield fig


def pdf_bytes(t: DigestText, zone: str, charts: Sequence[bytes],
              stores: Sequence[tuple[str, Sequence[bytes]]]) -> bytes:
    """The whole report of one language as PDF bytes."""
    buf = io.BytesIO()
    with chart_context(), PdfPages(buf, metadata={"Title": t.title, "Creator": "TikPulse"}) as pdf:
        pages = [*_text_pages(text_lines(t, zone)), *_image_pages(charts)]
        for name, images in stores:
            pages += list(_image_pages(images, name))
        for page in pages:
            pdf.savefig(page)
    return buf.getvalue()


def html_page(t: DigestText, zone: str, charts: Sequence[tuple[str, str]],
              stores: Sequence[tuple[str, Sequence[str]]], pdf_name: str) -> str:
    """The report as one HTML page; ``charts``/``stores`` name PNG files next to it."""
    return TEMPLATE.render(t=t, zone=zone, charts=charts, stores=stores, pdf_name=pdf_name,
                           heading=lambda key: heading(key, t.lang),
                           made=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


def write_files(folder: Path, name: str, html: str, pdf: bytes,
                images: dict[str, bytes]) -> list[Path]:
    """Write the HTML page, the PDF and the PNGs into ``folder``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{name}.html", folder / f"{name}.pdf"]
    paths[0].write_text(html, encoding="utf-8")
    paths[1].write_bytes(pdf)
    for filename, data in images.items():
        (folder / filename).write_bytes(data)
        paths.append(folder / filename)
    return paths
