"""Noto Sans CJK SC as TrueType fonts the PDF can embed, built once per machine.

ReportLab embeds TrueType outlines only, and Debian's ``fonts-noto-cjk`` ships Noto Sans CJK as
``.ttc`` collections with PostScript (CFF) outlines. ``build()`` takes the Simplified Chinese face
of each weight, keeps the Chinese, kana, CJK punctuation and full-width ranges (the characters
``jobs.digest.fonts.is_cjk`` sends to the CJK font), converts the cubic outlines to quadratic
ones and writes ``NotoSansSC-Regular.ttf`` / ``NotoSansSC-Bold.ttf`` into the cache folder
(about 20 s per weight; ``bash .ci/setup`` runs it). Until they exist the PDF falls back to
another CJK font (``jobs.digest.fonts``).

    .venv/bin/python -m jobs.digest.cjk_font      # build if missing; prints the paths
"""

from __future__ import annotations

import os
from pathlib import Path

#: The Noto Sans CJK collections of Debian's ``fonts-noto-cjk``, per weight.
SOURCES = {
    "Regular": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "Bold": Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
}
#: Code points kept: CJK radicals to ideographs (with kana, bopomofo, extension A),
#: compatibility ideographs, full-width forms, general punctuation and ASCII.
RANGES = ((0x20, 0x7E), (0x2000, 0x206F), (0x2E80, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF))
#: Largest distance (font units) of a quadratic curve from the cubic it replaces.
MAX_ERROR = 1.0


def cache_dir() -> Path:
    """``$XDG_CACHE_HOME/tikpulse/fonts`` (``~/.cache/tikpulse/fonts`` by default)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tikpulse" / "fonts"


def font_path(weight: str) -> Path:
    """Where the TrueType font of ``weight`` ("Regular" or "Bold") is (or will be) built."""
    return cache_dir() / f"NotoSansSC-{weight}.ttf"


def build(weight: str) -> Path | None:
    """Build the TrueType font of ``weight`` unless it exists; None without the source font."""
    out = font_path(weight)
    if out.exists():
        return out
    if not SOURCES[weight].exists():
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    font = _simplified_chinese(SOURCES[weight])
    _subset(font)
    _to_truetype(font)
    partial = out.with_suffix(".part")
    font.save(str(partial))
    partial.replace(out)  # never a half-written font at the final path
    return out


def _simplified_chinese(source: Path):  # type: ignore[no-untyped-def]
    from fontTools.ttLib import TTCollection

    fonts = TTCollection(str(source)).fonts
    return next(f for f in fonts if f["name"].getDebugName(1).endswith(" SC"))


def _subset(font) -> None:  # type: ignore[no-untyped-def]
    from fontTools import subset

    options = subset.Options()
    options.layout_features, options.hinting, options.desubroutinize = [], False, True
    options.name_IDs, options.notdef_outline = ["*"], True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)


def _to_truetype(font) -> None:  # type: ignore[no-untyped-def]
    """Replace the CFF outlines with quadratic ``glyf`` ones (the tables TrueType needs)."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(None)
        glyphs[name].draw(Cu2QuPen(pen, MAX_ERROR, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    maxp = newTable("maxp")
    maxp.tableVersion, maxp.numGlyphs, maxp.maxZones = 0x00010000, len(order), 1
    for field in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
                  "maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
                  "maxComponentDepth"):
        setattr(maxp, field, 0)
    font["maxp"] = maxp  # recalculated from the glyphs on save
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names: smaller, and ReportLab needs none
    font.sfntVersion = "\x00\x01\x00\x00"


if __name__ == "__main__":
    for w in SOURCES:
        built = build(w)
        print(f"{w}: {built or 'source font missing: ' + str(SOURCES[w])}")
