"""The PDF says everything the HTML page says: ``pdftotext`` of the PDF holds every line of the
page's text (whitespace removed on both sides: the PDF wraps lines, Chinese without spaces), in
English and Chinese, for the seeded two-store digest and for one long enough to span many pages.
"""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from digest_seed import seed, tenant_entry, write_tenants
from fontTools.ttLib import TTFont

from config.settings import Settings
from jobs.cli.digest import render_now
from jobs.digest.cjk_font import font_path
from jobs.digest.document import html_page, pdf_bytes
from jobs.digest.fonts import pdf_safe
from jobs.digest.render import RenderedEdition
from jobs.wiring import digest_deps

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
BLOCKS = {"h1", "h2", "h3", "p", "li", "div", "ul", "footer"}


class _PageText(HTMLParser):
    """The visible lines of the page's body: one per block element, the footer left out (it
    links to the PDF itself)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []
        self._buf, self._skip = "", 0

    def _flush(self) -> None:
        if self._buf.strip() and not self._skip:
            self.lines.append(" ".join(self._buf.split()))
        self._buf = ""

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in BLOCKS:
            self._flush()
        self._skip += tag in ("head", "footer")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self._flush()
        self._skip -= tag in ("head", "footer")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buf += data


def page_lines(html: str) -> list[str]:
    parser = _PageText()
    parser.feed(html)
    parser.close()
    return parser.lines


def squeeze(text: str) -> str:
    return "".join(pdf_safe(text).split())


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def missing_lines(html: str, pdf: bytes, tmp_path: Path) -> list[str]:
    text = squeeze(pdf_text(pdf, tmp_path))
    return [line for line in page_lines(html) if squeeze(line) not in text]


@pytest.fixture
def editions(sqlite_engine, tmp_path, monkeypatch) -> tuple[RenderedEdition, ...]:
    """Acme's two stores in Chinese and English, UK orders late (a partial digest)."""
    seed(sqlite_engine, complete=False)
    path = write_tenants(tmp_path, tenant_entry(language="both"))
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("TIKPULSE_CONFIG", str(path))
    return render_now(digest_deps(Settings()), "acme", "2026-W47").editions


def test_every_line_of_the_html_page_is_in_the_pdf(editions, tmp_path) -> None:
    assert [e.text.lang for e in editions] == ["zh", "en"]
    for e in editions:
        lines = page_lines(e.html)
        assert len(lines) > 40 and any("Acme US" in line for line in lines)
        assert missing_lines(e.html, e.pdf.data, tmp_path) == [], e.text.lang


def test_page_one_is_the_summary(editions, tmp_path) -> None:
    for e in editions:
        first = pdf_text(e.pdf.data, tmp_path).split("\f")[0]
        assert len(e.text.summary) == 3
        for line in (e.text.title, *e.text.summary, e.text.headline[0].value, e.text.changes[0]):
            assert squeeze(line) in squeeze(first), (e.text.lang, line)
        assert page_lines(e.html).index(e.text.summary[0]) < page_lines(e.html).index(
            e.text.changes[0])  # the HTML page leads with it too


def test_the_new_sections_are_in_the_html_and_the_pdf(editions, tmp_path) -> None:
    for e in editions:
        titles = [title for title, _ in e.text.sections]
        want = ["资金", "广告计划", "流量构成", "转化路径", "内容"] if e.text.lang == "zh" else [
            "Money", "Ads by campaign", "Traffic mix", "Conversion path", "Content"]
        assert set(want) <= set(titles), titles
        text, lines = squeeze(pdf_text(e.pdf.data, tmp_path)), page_lines(e.html)
        for title, section in e.text.sections:
            assert title in lines and squeeze(title) in text
            assert all(line in lines and squeeze(line) in text for line in section)


def test_nothing_is_lost_across_many_page_breaks(editions, tmp_path) -> None:
    for e in editions:
        t = e.text
        long = dataclasses.replace(
            t, suggestions=tuple(f"{i}. {s}" for i in range(12) for s in t.suggestions),
            changes=t.changes * 6, stores=t.stores * 8,
            sections=(("Long", tuple(f"{i} " + t.changes[0] * 3 for i in range(20))),))
        pngs = [c.data for c in e.charts]
        pdf = pdf_bytes(long, "Asia/Shanghai", pngs, [(n, imgs) for _, n, imgs in e.stores])
        html = html_page(long, "Asia/Shanghai", [(c.filename, c.title) for c in e.charts], [],
                         "x.pdf")
        assert pdf_text(pdf, tmp_path).count("\f") >= 6
        assert missing_lines(html, pdf, tmp_path) == [], t.lang


def embedded_fonts(pdf: bytes, tmp_path: Path) -> list[str]:
    """The font names ``pdffonts`` lists as embedded (subset prefix removed)."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    rows = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True,
                          text=True).stdout.splitlines()[2:]
    return [row.split()[0].split("+")[-1] for row in rows if " yes " in row]


def test_chinese_is_noto_sans_cjk_embedded_with_its_bold(editions, tmp_path) -> None:
    assert font_path("Regular").exists() and font_path("Bold").exists(), (
        "the PDF's Chinese font is built by `bash .ci/setup` (python -m jobs.digest.cjk_font)")
    zh = next(e for e in editions if e.text.lang == "zh")
    fonts = embedded_fonts(zh.pdf.data, tmp_path)
    assert {"NotoSansCJKsc-Regular", "NotoSansCJKsc-Bold", "DejaVuSans"} <= set(fonts), fonts
    bold = TTFont(str(font_path("Bold")))
    assert "glyf" in bold and "CFF " not in bold  # TrueType outlines: what ReportLab embeds
    assert all(ord(ch) in bold.getBestCmap() for ch in "本周结论净变化原因达人（）：")


def test_a_wrapped_chinese_line_never_starts_with_a_comma_or_colon(tmp_path) -> None:
    """Kinsoku: "，" and "：" stay at the end of the line before (ReportLab's own table lacks
    them). The comma moves along the text until some land exactly at a line start."""
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    from jobs.digest.document import FRAME_WIDTH, _styles
    from jobs.digest.fonts import markup

    style = _styles("zh")["body"]
    paras = [Paragraph(markup("测" * n + "，" + "试" * 60 + "：" + "验" * 40), style)
             for n in range(30, 90)]
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=(FRAME_WIDTH + 80, 2000), leftMargin=40, rightMargin=40,
                      topMargin=10, bottomMargin=10).build(paras)  # room for a hanging mark
    lines = [line.strip() for line in pdf_text(out.getvalue(), tmp_path).splitlines()]
    assert sum(1 for line in lines if line.startswith("测")) >= 30  # the paragraphs are there
    assert [line for line in lines if line[:1] in ("，", "：")] == []
