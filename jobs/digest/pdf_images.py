"""Chart PNGs in the PDF as they are: the PNG's compressed data becomes the PDF image stream.

A PDF ``FlateDecode`` stream with the PNG predictor (``/Predictor 15``) is byte for byte the
data of a PNG's IDAT chunks, so an 8-bit RGB, non-interlaced PNG (what
``analytics.chart_style.to_png`` writes) is embedded without decoding and re-compressing it:
ReportLab's own ``Image`` decodes every pixel and runs zlib again (about a third of the PDF's
time). Any other PNG (alpha, palette, 16-bit, interlaced: e.g. images made elsewhere) goes
through ReportLab's ``Image`` as before. Each distinct PNG is stored once per PDF.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFImageXObject, PDFName, PDFStream
from reportlab.platypus import Flowable, Image

#: PNG signature, and the IHDR fields of the PNGs that are embedded as they are:
#: 8 bits per sample, colour type 2 (RGB), compression 0, filter 0, no interlace.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PASSTHROUGH_IHDR = (8, 2, 0, 0, 0)


@dataclass(frozen=True)
class RgbPng:
    """The parts of an RGB PNG a PDF image stream needs."""

    width: int
    height: int
    idat: bytes  # the zlib stream of the pixel rows, each row led by its PNG filter byte


def rgb_png(png: bytes) -> RgbPng | None:
    """The size and compressed rows of an 8-bit RGB non-interlaced PNG; ``None`` for any other
    PNG (or bytes that are not a PNG), which then take ReportLab's decoding path."""
    if not png.startswith(PNG_SIGNATURE):
        return None
    pos, size, parts = len(PNG_SIGNATURE), None, []
    while pos + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        body = png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, *fields = struct.unpack(">IIBBBBB", body)
            if tuple(fields) != PASSTHROUGH_IHDR:
                return None
            size = (width, height)
        elif kind == b"IDAT":
            parts.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if size is None or not parts:
        return None
    return RgbPng(size[0], size[1], b"".join(parts))


class _PngXObject(PDFImageXObject):  # type: ignore[misc]
    """An image XObject whose stream is a PNG's IDAT data, decoded with the PNG predictor."""

    def __init__(self, name: str, png: RgbPng) -> None:
        super().__init__(name)
        self.width, self.height, self.streamContent = png.width, png.height, png.idat
        self.bitsPerComponent, self.colorSpace = 8, "DeviceRGB"
        self._filters, self.mask = ("FlateDecode",), None

    def format(self, document: object) -> bytes:
        stream = PDFStream(content=self.streamContent)
        d = stream.dictionary
        d["Type"], d["Subtype"] = PDFName("XObject"), PDFName("Image")
        d["Width"], d["Height"] = self.width, self.height
        d["BitsPerComponent"], d["ColorSpace"] = 8, PDFName("DeviceRGB")
        d["Filter"] = PDFName("FlateDecode")  # a name: with an array, DecodeParms is ignored
        d["DecodeParms"] = PDFDictionary({"Predictor": 15, "Colors": 3, "BitsPerComponent": 8,
                                          "Columns": self.width})
        d["Length"] = len(self.streamContent)
        return stream.format(document)  # type: ignore[no-any-return]


class PngFlowable(Flowable):  # type: ignore[misc]
    """A chart PNG drawn ``width`` x ``height`` points, its data embedded as it is."""

    def __init__(self, png: RgbPng, width: float, height: float) -> None:
        super().__init__()
        self.png, self.drawWidth, self.drawHeight = png, width, height
        self.name = hashlib.sha1(png.idat).hexdigest()

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        """The drawn size (the flowable never stretches)."""
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        """Register the image once per document, then paint it (as ``Canvas.drawImage``)."""
        canvas = self.canv
        doc = canvas._doc
        reg = doc.getXObjectName(self.name)
        if doc.idToObject.get(reg) is None:
            image = _PngXObject(self.name, self.png)
            canvas._setXObjects(image)
            doc.Reference(image, reg)
            doc.addForm(self.name, image)
        canvas.saveState()
        canvas.scale(self.drawWidth, self.drawHeight)
        canvas._code.append(f"/{reg} Do")
        canvas.restoreState()
        canvas._formsinuse.append(self.name)


def png_flowable(png: bytes, width: float, max_height: float) -> Flowable:
    """``png`` scaled to ``width`` points keeping its aspect (and to at most ``max_height``):
    embedded as it is when it is 8-bit RGB, through ReportLab's ``Image`` otherwise."""
    rgb = rgb_png(png)
    if rgb is None:
        image = Image(io.BytesIO(png))
        w, h = image.imageWidth, image.imageHeight
    else:
        w, h = rgb.width, rgb.height
    scale = min(width / w, max_height / h)
    if rgb is None:
        image.drawWidth, image.drawHeight = w * scale, h * scale
        return image
    return PngFlowable(rgb, w * scale, h * scale)
