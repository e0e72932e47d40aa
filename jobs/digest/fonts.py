"""Fonts of the PDF: DejaVu Sans for Latin text and symbols, a CJK font for Chinese, and the
markup that gives each run of a mixed line the font that has its glyphs.

Chinese is Noto Sans CJK SC, regular and bold, embedded: ReportLab cannot embed Debian's
``.ttc`` (PostScript outlines), so ``jobs.digest.cjk_font`` converts it to TrueType once per
machine (``bash .ci/setup``). Until then a TrueType CJK font named by ``CJK_TTF`` is embedded
(no bold), else Adobe's ``STSong-Light`` CID font is named (every PDF reader maps it to an
installed CJK font). The chat text's emoji marks become symbols DejaVu Sans draws (``pdf_safe``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import textsplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import paragraph

from jobs.digest.cjk_font import font_path

#: Where DejaVu Sans lives (system fonts first, then the copy matplotlib ships).
DEJAVU_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),
               Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf")
#: TrueType CJK fonts to embed when installed (TrueType outlines only), else the CID font.
CJK_TTF = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
           Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"))
CJK_CID = "STSong-Light"
#: Full-width punctuation that must not start a line (kinsoku), missing from ReportLab's table
#: (it has "）" and "。" but not "，" or "："): a wrapped Chinese line never starts with them.
CANNOT_START = "，：；！？、》」』】〕％"
#: Emoji marks of the chat text -> symbols DejaVu Sans has.
PDF_SYMBOLS = str.maketrans({"✅": "✓", "✏": "✎", "👀": "◎", "⛔": "⊘", "\ufe0f": None})


def pdf_safe(text: str) -> str:
    """Chat text with its emoji replaced by symbols the embedded fonts can draw."""
    return text.translate(PDF_SYMBOLS)


@functools.cache
def register() -> tuple[str, str, str, str]:
    """Register the fonts once; returns (latin, latin bold, cjk, cjk bold) font names. Also
    completes the kinsoku table of ReportLab's CJK line breaking (``CANNOT_START``; both
    modules that wrap lines hold their own copy)."""
    for module in (textsplit, paragraph):
        have = module.ALL_CANNOT_START  # type: ignore[attr-defined]
        module.ALL_CANNOT_START = have + "".join(  # type: ignore[attr-defined]
            c for c in CANNOT_START if c not in have)
    for folder in DEJAVU_DIRS:
        if (folder / "DejaVuSans.ttf").exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(folder / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(folder / "DejaVuSans-Bold.ttf")))
            break
    if _embed("NotoSansSC", font_path("Regular")) and _embed("NotoSansSC-Bold", font_path("Bold")):
        return "DejaVuSans", "DejaVuSans-Bold", "NotoSansSC", "NotoSansSC-Bold"
    cjk = next(("CJK" for path in CJK_TTF if _embed("CJK", path)), CJK_CID)
    if cjk == CJK_CID:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_CID))
    return "DejaVuSans", "DejaVuSans-Bold", cjk, cjk


def _embed(name: str, path: Path) -> bool:
    """Register the TrueType font at ``path`` as ``name``; False when it is missing or unusable."""
    try:
        pdfmetrics.registerFont(TTFont(name, str(path)))
    except (TTFError, OSError):
        return False
    return True


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` needs the CJK font (ideographs, kana, CJK and full-width punctuation)."""
    code = ord(ch)
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def markup(text: str, *, bold: bool = False) -> str:
    """``text`` as ReportLab paragraph markup: XML-escaped, each run in a font that has it."""
    latin, latin_bold, cjk, cjk_bold = register()
    latin, cjk = (latin_bold, cjk_bold) if bold else (latin, cjk)
    runs: list[tuple[str, str]] = []
    for ch in pdf_safe(text):
        font = cjk if is_cjk(ch) else latin
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return "".join(f'<font name="{font}">{escape(run)}</font>' for font, run in runs)
