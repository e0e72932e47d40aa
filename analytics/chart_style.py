"""The look shared by every digest chart: fonts, colour-blind-safe palette, sizes, titles, numbers.

Inputs: nothing at import but the font files of the machine. Outputs: ``STYLE`` (rc settings
used inside ``chart_context``), the Okabe-Ito ``PALETTE``, ``compact_number`` and
``CompactAxis`` (numbers and axis ticks in the reader's language, one style per axis) and
``to_png``; where things go on a chart (title, period line, axes) is ``analytics.chart_layout``.
CJK faces from the Debian ``fonts-noto-cjk`` / ``fonts-wqy-zenhei`` packages are registered at
import so Chinese renders without tofu; Latin digits and the minus sign keep coming from DejaVu
Sans.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter
from PIL import Image

Lang = Literal["zh", "en"]
Number = float | int | Decimal

#: Font files tried at import, in order; missing files are skipped.
CJK_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
#: Family list: DejaVu first for digits and U+2212, CJK faces as per-glyph fallbacks.
FONT_FAMILIES = ["DejaVu Sans", "Noto Sans CJK SC", "WenQuanYi Zen Hei"]
#: Okabe-Ito colours, distinguishable with the common colour-vision deficiencies.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "vermillion": "#D55E00", "purple": "#CC79A7", "grey": "#7F7F7F",
    "black": "#000000",
}
SERIES = [PALETTE[k] for k in ("blue", "orange", "sky", "green", "purple", "vermillion",
                               "yellow", "grey")]
GOOD, BAD, NEUTRAL = PALETTE["blue"], PALETTE["vermillion"], PALETTE["grey"]
#: zlib level of the PNGs: the fastest; flat colours still compress well (RGB at level 1 is
#: smaller than the RGBA at level 3 that ``savefig`` wrote, and quicker to write).
PNG_COMPRESSION = 1
#: The PNG file signature and the row filter ``to_png`` uses (2: "Up").
PNG_SIGNATURE, PNG_FILTER_UP = b"\x89PNG\r\n\x1a\n", 2
#: Significant digits a compact label keeps (10.4k, 1.04万): a coarser 1万 hides a 4 % move.
SIGNIFICANT_DIGITS = 3
#: Most decimals an axis's ticks get to tell them apart (299,150 and 299,152 as 29.9150万 and
#: 29.9152万; the trend widens a near-flat series' axis so that it rarely needs that many).
MOST_TICK_DECIMALS = 6
#: 1200 px wide at this dpi; heights vary per chart.
WIDTH_IN, DPI = 12.0, 100
STYLE: dict[str, Any] = {
    "font.family": FONT_FAMILIES,
    "font.size": 16,
    "axes.titlesize": 16,
    "axes.labelsize": 16,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 15,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "axes.unicode_minus": True,
    "savefig.facecolor": "white",
}
WORDS: dict[str, dict[Lang, str]] = {
    "target": {"en": "Target", "zh": "目标"},
    "baseline": {"en": "4-week baseline", "zh": "4周基线"},
    "this_week": {"en": "This week", "zh": "本周"},
    "last_week": {"en": "Last week", "zh": "上周"},
    "unit": {"en": "Unit", "zh": "单位"},
    "days": {"en": "days", "zh": "天"},
    "count": {"en": "count", "zh": "数量"},
    "lead_time": {"en": "reorder lead time", "zh": "补货周期"},
}


def register_cjk_fonts() -> list[str]:
    """Add the installed CJK font files to matplotlib; returns the files that were found."""
    found = [p for p in CJK_FONT_FILES if Path(p).exists()]
    for path in found:
        font_manager.fontManager.addfont(path)
    return found


def font_families(found: list[str]) -> list[str]:
    """The family list for the fonts found: WenQuanYi only when Noto CJK is missing."""
    has_noto = any("Noto" in p for p in found)
    return [f for f in FONT_FAMILIES if not (has_noto and f.startswith("WenQuanYi"))]


REGISTERED_FONTS = register_cjk_fonts()
STYLE["font.family"] = font_families(REGISTERED_FONTS)


def word(key: str, lang: Lang) -> str:
    """A fixed chart word (legend, axis) in the reader's language."""
    return WORDS[key][lang]


@contextmanager
def chart_context() -> Iterator[None]:
    """The shared rc settings, scoped to one chart (no global state is left changed)."""
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        yield


def compact_number(value: Number, lang: Lang, decimals: int | None = None,
                   scale_of: Number | None = None) -> str:
    """Short axis/label text: 12.3k / 4.5M in English, 1.23万 / 3.4亿 in Chinese; ``scale_of``
    picks the unit by another number (an axis's largest tick), so one axis has one style.
    Without ``decimals``, a label keeps ``SIGNIFICANT_DIGITS`` (1.04万 beside 10.4k, never a
    coarse 1.0万), trailing zeros dropped."""
    v = float(value)
    sign, a = ("−" if v < 0 else ""), abs(v)
    size_of = a if scale_of is None else abs(float(scale_of))
    if a == 0 and scale_of is not None:
        return "0"
    size, suffix = next(((s, u) for s, u in _units(lang) if size_of >= s), (1.0, ""))
    if suffix and decimals is None:
        return f"{sign}{_significant(a / size)}{suffix}"
    if suffix:
        if scale_of is not None and a and round(a / size, decimals) == 0:
            return "≈0"  # too small to show in the axis's unit
        return f"{sign}{a / size:.{decimals}f}{suffix}"
    if a >= 100 or a.is_integer():
        return f"{sign}{a:,.0f}"
    return f"{sign}{a:.{(1 if decimals is None else decimals) + 1}g}"


def _significant(scaled: float) -> str:
    """``scaled`` with at least ``SIGNIFICANT_DIGITS`` (and one decimal at least: 299.2, as
    English has always read), trailing zeros dropped: 1.04, 29.9, 125, 1.2."""
    whole = len(str(int(round(scaled))))
    text = f"{scaled:.{max(1, SIGNIFICANT_DIGITS - whole)}f}"
    return text.rstrip("0").rstrip(".")


class CompactAxis(Formatter):
    """Tick labels of one axis in one number style: every tick in the unit of the largest
    (0.8万, 1.0万, 1.2万 in Chinese; never a mix of 8,000 and 1.0万). On a log axis
    (``log=True``) each tick is in its own unit instead (``log_tick``)."""

    def __init__(self, lang: Lang, decimals: int = 1, *, log: bool = False) -> None:
        self.lang, self.decimals, self.log = lang, decimals, log
        self.ticks: list[float] = []

    def set_locs(self, locs: Sequence[float]) -> None:
        """Remember the axis's tick values (matplotlib calls this before labelling)."""
        self.ticks = [float(v) for v in locs]

    def __call__(self, x: float, pos: int | None = None) -> str:
        if self.log:
            return log_tick(x, self.lang)
        ticks = self.ticks or [x]
        top = max(abs(v) for v in ticks)
        if _unit_size(top, self.lang) == 1.0:  # under the first unit: plain 4,000 or 2.15
            digits = tick_decimals(ticks, top, self.lang, 0)
            return "0" if x == 0 else f"{'−' if x < 0 else ''}{abs(x):,.{digits}f}"
        return compact_number(x, self.lang, tick_decimals(ticks, top, self.lang,
                                                          self.decimals), scale_of=top)


def log_tick(value: float, lang: Lang) -> str:
    """A log axis's tick in its own unit, with the decimals it needs: 100, 1,000, 1万, 10万,
    1000万, 1亿 in Chinese; 100, 1k, 10k, 1M in English. Its ticks span decades, so one unit
    for the whole axis would turn the small ones into 0.000001亿 or "≈0"."""
    size = _unit_size(value, lang)
    digits = next((d for d in range(2) if abs(round(value / size, d) - value / size) < 1e-9), 2)
    return compact_number(value, lang, digits)


def tick_decimals(ticks: Sequence[float], top: float, lang: Lang, least: int = 1) -> int:
    """The fewest decimals (from ``least``) that tell every tick exactly in the unit of ``top``
    (2,500 steps read 0.25万, not a rounded 0.2万); where ``MOST_TICK_DECIMALS`` cannot, the
    fewest that at least give no two ticks the same label."""
    size = _unit_size(top, lang)
    scaled = [t / size for t in ticks]
    most = max(least, MOST_TICK_DECIMALS)
    for digits in range(least, most + 1):
        if all(abs(round(s, digits) - s) < 1e-9 for s in scaled):
            return digits
    return next((d for d in range(least, most + 1)
                 if len({round(s, d) for s in scaled}) == len(set(scaled))), most)


def _unit_size(top: float, lang: Lang) -> float:
    """The unit an axis whose largest tick is ``top`` reads in (1 below the first unit)."""
    return next((s for s, _ in _units(lang) if abs(top) >= s), 1.0)


def _units(lang: Lang) -> tuple[tuple[float, str], ...]:
    return ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def to_png(fig: Figure) -> bytes:
    """The figure as an opaque 8-bit RGB PNG at its own dpi, drawn once. RGB (not the RGBA of
    ``savefig``; the figure is opaque white anyway, so the pixels are the same) lets the PDF
    embed the PNG's compressed data as it is, without decoding and re-compressing it."""
    canvas = fig.canvas  # the summary card's, whose text sizes are measured already
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)
    canvas.draw()  # type: ignore[no-untyped-call]
    pixels = canvas.buffer_rgba()  # type: ignore[no-untyped-call]
    rgba = Image.frombuffer("RGBA", canvas.get_width_height(), pixels, "raw", "RGBA", 0, 1)
    return encode_png(np.asarray(rgba.convert("RGB")))


def encode_png(rgb: npt.NDArray[np.uint8]) -> bytes:
    """An 8-bit RGB PNG of ``rgb`` pixels (height x width x 3), every row stored with the PNG
    "Up" filter (its difference to the row above: a chart's flat colours and repeated rows
    become zeros). Written here, not by Pillow, which tries four filters on every row and takes
    twice as long for a PNG of about the same size."""
    height, width, _ = rgb.shape
    pixels = rgb.reshape(height, 3 * width)
    rows = np.empty((height, 1 + 3 * width), np.uint8)
    rows[:, 0] = PNG_FILTER_UP
    rows[0, 1:] = pixels[0]
    np.subtract(pixels[1:], pixels[:-1], out=rows[1:, 1:])  # modulo 256, as PNG defines it
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    data = zlib.compress(rows.data, PNG_COMPRESSION)
    return b"".join((PNG_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", data),
                     _chunk(b"IEND", b"")))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data)))
