"""Fonts of the PDF: DejaVu Sans for Latin text and symbols, a CJK font for Chinese, and the
markup that gives each run of a mixed line the font that has its glyphs.

ReportLab cannot embed Noto Sans CJK (its ``.ttc`` has PostScript outlines), so Chinese uses
Adobe's ``STSong-Light`` CID font (every PDF reader and poppler map it to an installed CJK
font, Noto Sans CJK here); a TrueType CJK font named by ``CJK_TTF`` is embedded instead when
present. The chat text's emoji marks become symbols DejaVu Sans draws (``pdf_safe``).
"""

from __future__ import annotations

import functools
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

#: Where DejaVu Sans lives (system fonts first, then the copy matplotlib ships).
DEJAVU_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),
               Path(__import__("matplotlib").get_data_path()) / "fonts" / "ttf")
#: TrueType CJK fonts to embed when installed (TrueType outlines only), else the CID font.
CJK_TTF = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
           Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"))
CJK_CID = "STSong-Light"
#: Emoji marks of the chat text -> symbols DejaVu Sans has.
PDF_SYMBOLS = str.maketrans({"✅": "✓", "✏": "✎", "👀": "◎", "⛔": "⊘", "\ufe0f": None})


def pdf_safe(text: str) -> str:
    """Chat text with its emoji replaced by symbols the embedded fonts can draw."""
    return text.translate(PDF_SYMBOLS)


@functools.cache
def register() -> tuple[str, str, str]:
    """Register the fonts once; returns (latin, latin bold, cjk) font names."""
    for folder in DEJAVU_DIRS:
        if (folder / "DejaVuSans.ttf").exists():
            pdfmetrics.registerFont(TTFont("DejaVuSans", str(folder / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(folder / "DejaVuSans-Bold.ttf")))
            break
    cjk = CJK_CID
    for path in CJK_TTF:
        try:
            pdfmetrics.registerFont(TTFont("CJK", str(path)))
            cjk = "CJK"
            break
        except (TTFError, OSError):
            continue
    if cjk == CJK_CID:
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_CID))
    return "DejaVuSans", "DejaVuSans-Bold", cjk


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` needs the CJK font (ideographs, kana, CJK and full-width punctuation)."""
    code = ord(ch)
    return 0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF


def markup(text: str, *, bold: bool = False) -> str:
    """``text`` as ReportLab paragraph markup: XML-escaped, each run in a font that has it."""
    latin, latin_bold, cjk = register()
    latin = latin_bold if bold else latin
    runs: list[tuple[str, str]] = []
    for ch in pdf_safe(text):
        font = cjk if is_cjk(ch) else latin
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return "".join(f'<font name="{font}">{escape(run)}</font>' for font, run in runs)
