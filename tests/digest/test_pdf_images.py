"""Charts go into the PDF as the very PNG the chat and the HTML page get: no re-plot, no
re-compression. ``pdfimages`` takes each image back out of the PDF and it is pixel for pixel the
chart PNG; PNGs with an alpha channel (made elsewhere) still embed, through ReportLab."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from matplotlib.figure import Figure
from PIL import Image, ImageChops

from analytics import charts
from analytics.chart_style import to_png
from jobs.digest.document import chart
from jobs.digest.pdf_images import PngFlowable, rgb_png
from jobs.digest.sentences import DigestText

pytestmark = pytest.mark.skipif(shutil.which("pdfimages") is None, reason="needs poppler-utils")


def trend(lang: str) -> bytes:
    return charts.kpi_trend("总GMV" if lang == "zh" else "Gross GMV", "USD",
                            [f"2026-W{w}" for w in range(40, 48)],
                            [41000, 43000, 45000, 39000, 47000, 52000, 44100, 45000],
                            period="2026-W47", lang=lang, target=50000)


def rgba_png() -> bytes:
    """A PNG with an alpha channel, as ``savefig`` writes one."""
    fig = Figure(figsize=(4, 2), dpi=100)
    fig.add_subplot().plot([1, 3, 2])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def images_in(pdf: bytes, folder: Path) -> list[Image.Image]:
    (folder / "doc.pdf").write_bytes(pdf)
    subprocess.run(["pdfimages", "-png", str(folder / "doc.pdf"), str(folder / "img")],
                   check=True)
    return [Image.open(p).convert("RGB") for p in sorted(folder.glob("img-*.png"))]


def pdf_of(pngs: list[bytes]) -> bytes:
    from jobs.digest.document import pdf_bytes

    text = DigestText(lang="en", title="Charts", period="2026-W47", partial=None, headline=(),
                      changes=(), suggestions=(), stores=(), quality=())
    return pdf_bytes(text, "UTC", pngs, [])


def test_chart_pngs_are_opaque_rgb_and_embedded_as_they_are(tmp_path: Path) -> None:
    pngs = [trend("en"), trend("zh")]
    for png in pngs:
        assert Image.open(io.BytesIO(png)).mode == "RGB" and rgb_png(png) is not None
        assert isinstance(chart(png), PngFlowable)
    pdf = pdf_of(pngs)
    for png in pngs:  # the compressed rows are copied, not re-encoded
        assert rgb_png(png).idat in pdf  # type: ignore[union-attr]
    got = images_in(pdf, tmp_path)
    assert len(got) == 2
    for image, png in zip(got, pngs, strict=True):
        want = Image.open(io.BytesIO(png)).convert("RGB")
        assert image.size == want.size and ImageChops.difference(image, want).getbbox() is None


def test_a_png_with_alpha_still_embeds_through_reportlab(tmp_path: Path) -> None:
    png = rgba_png()
    assert rgb_png(png) is None and rgb_png(b"not a png") is None
    assert not isinstance(chart(png), PngFlowable)
    got = images_in(pdf_of([png]), tmp_path)
    want = Image.open(io.BytesIO(png)).convert("RGB")
    assert len(got) == 2 and got[0].size == want.size  # the image and its soft mask (alpha)
    assert ImageChops.difference(got[0], want).getbbox() is None


def test_the_same_chart_twice_is_stored_once(tmp_path: Path) -> None:
    png = trend("en")
    pdf = pdf_of([png, png])
    assert pdf.count(rgb_png(png).idat) == 1  # type: ignore[union-attr]
    assert len(images_in(pdf, tmp_path)) == 2  # drawn twice from the one stored image


def test_to_png_keeps_the_figure_pixels() -> None:
    fig = Figure(figsize=(3, 1.5), dpi=100)
    fig.add_subplot().bar([0, 1, 2], [3, 1, 2], color="#0072B2")
    ours = Image.open(io.BytesIO(to_png(fig)))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    theirs = Image.open(buf).convert("RGB")
    assert ours.mode == "RGB" and ours.size == theirs.size == (300, 150)
    assert ImageChops.difference(ours, theirs).getbbox() is None
