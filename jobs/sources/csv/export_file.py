"""What an export file holds as text: its encoding, its delimiter, and a CSV copy of a workbook.

Exports reach us as UTF-8 CSV (with or without BOM) and as Excel's re-saves of it: GB18030 on
Chinese Windows, UTF-16 "Unicode text" (tab-separated, with a BOM), ``;``-separated in some
locales, or a ``.xlsx`` workbook. ``open_export`` finds out which, checks that every byte decodes
(a file that does not is refused with the line of the first bad byte, never a traceback), and
yields an ``ExportFile`` that the csv module and pandas read the same way. A workbook's first
sheet is written to a temporary UTF-8 CSV for the life of the ``with`` block, so both readers and
both of their checks see a workbook exactly as they see a CSV.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from jobs.sources.csv.common import BadFile, Problem

#: Bytes decoded at a time while checking a file's encoding.
BLOCK_BYTES = 1 << 20
#: Encodings tried, in order, for a file without a byte order mark.
FALLBACK_ENCODINGS = ("utf-8", "gb18030")
#: Cell separators recognised in the header line (the most frequent one wins; ties: comma).
DELIMITERS = (",", "\t", ";")
#: Workbook formats read (with python-calamine) instead of as CSV text.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))
_RESAVE = ("open it in Excel and save it as 'CSV UTF-8 (Comma delimited)', or export it again "
           "from Seller Center / Ads Manager")


@dataclass(frozen=True)
class ExportFile:
    """A readable export: ``path`` is text in ``encoding``, cells split by ``delimiter``."""

    path: str
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    name: str = ""  #: the file the user named (a workbook's, not its CSV copy's)
    ends_with_line_break: bool = True  #: False: the last row may have been cut off

    def rows(self) -> Generator[list[str], None, None]:
        """The file's rows, streamed (cells as text, quotes resolved)."""
        with open(self.path, encoding=self.encoding, newline="") as handle:
            yield from csv.reader(handle, delimiter=self.delimiter)


@contextmanager
def open_export(path: Path | str | ExportFile) -> Iterator[ExportFile]:
    """The export at ``path`` made readable; ``BadFile`` if it is not text we can decode."""
    if isinstance(path, ExportFile):
        yield path
        return
    if Path(path).suffix.lower() not in WORKBOOK_SUFFIXES:
        yield sniff(path)
        return
    with tempfile.TemporaryDirectory(prefix="tikpulse-xlsx-") as folder:
        copy = Path(folder) / (Path(path).stem + ".csv")
        write_sheet_as_csv(path, copy)
        yield ExportFile(str(copy), "utf-8", ",", str(path), True)


def as_export(path: Path | str | ExportFile) -> ExportFile:
    """``path`` as an ``ExportFile`` (a CSV is sniffed; a workbook needs ``open_export``)."""
    if isinstance(path, ExportFile):
        return path
    if Path(path).suffix.lower() in WORKBOOK_SUFFIXES:
        raise ValueError(f"{path}: open a workbook with open_export()")
    return sniff(path)


def sniff(path: Path | str) -> ExportFile:
    """Encoding (checked over the whole file) and delimiter of a CSV export."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if encoding is None and len(head) >= 4 and head.count(0) * 3 >= len(head):
        encoding = "utf-16-le" if head[1] == 0 else "utf-16-be"  # UTF-16 without a BOM
    candidates = (encoding,) if encoding else FALLBACK_ENCODINGS
    failures: list[tuple[int, bytes, bool]] = []
    for candidate in candidates:
        failure, last = _decode_check(path, candidate)
        if failure is None:
            first_line = _first_line(path, candidate)
            return ExportFile(str(path), candidate, _delimiter(first_line), str(path),
                              last in ("\n", "\r", ""))
        failures.append(failure)
        if failure[2]:  # only the very end is an incomplete character: the file was cut
            break
    offset, bad, cut = failures[0] if not failures[-1][2] else failures[-1]
    line = _line_of(path, offset)
    name = "UTF-16" if encoding and "16" in encoding else "UTF-8" if cut else \
        "UTF-8, UTF-16 or GB18030"
    if cut:
        raise BadFile(str(path), [Problem(
            line, "(whole file)", f"bytes {bad.hex(' ')} at the end",
            f"the file to end with a whole {name} character",
            "the file ends in the middle of a character, so it was cut off (an interrupted "
            "download or copy): export it again")])
    raise BadFile(str(path), [Problem(
        line, "(whole file)", f"bytes {bad.hex(' ')} at byte {offset}", f"text in {name}",
        f"the file is in an encoding we do not read: {_RESAVE}")])


def _decode_check(path: Path | str, encoding: str) -> tuple[tuple[int, bytes, bool] | None, str]:
    """(None, last character) if the whole file decodes, else ((offset, bytes, cut), "")."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset, last = 0, ""
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK_BYTES):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as error:
                return (offset + max(error.start, 0), error.object[error.start:error.end],
                        False), ""
            last = text[-1:] or last
            offset += len(block)
        try:
            text = decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            pending = error.object[error.start:]
            return (offset - len(pending), pending, True), ""
    return None, text[-1:] or last


def _first_line(path: Path | str, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as handle:
        return handle.readline()


def _delimiter(header: str) -> str:
    """The separator of a header line: the most frequent of ``DELIMITERS`` outside quotes."""
    outside = "".join(part for i, part in enumerate(header.split('"')) if i % 2 == 0)
    counts = [(outside.count(d), -k) for k, d in enumerate(DELIMITERS)]
    best = max(counts)
    return DELIMITERS[-best[1]] if best[0] else ","


def _line_of(path: Path | str, offset: int) -> int:
    """The 1-based line of the byte at ``offset`` (counting line feeds before it)."""
    with open(path, "rb") as handle:
        return handle.read(offset).count(b"\n") + 1


def write_sheet_as_csv(workbook: Path | str, target: Path) -> None:
    """The first sheet of ``workbook`` as a UTF-8 CSV at ``target`` (cells as Excel shows them)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(workbook))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as error:  # noqa: BLE001 - calamine raises its own types for bad files
        raise BadFile(str(workbook), [Problem(
            1, "(whole file)", f"{type(error).__name__}: {error}", "a readable .xlsx workbook",
            f"the workbook cannot be read (damaged or cut off?): {_RESAVE}")]) from None
    with open(target, "w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        for row in rows:
            out.writerow([sheet_cell(value) for value in row])


def sheet_cell(value: object) -> str:
    """A workbook cell as the text a CSV export holds.

    Numbers keep their shortest exact form; a whole number too big for Excel's 15 digits comes
    out in scientific notation (``7.49e+18``) so that an id Excel stored as a number is refused
    as rounded, exactly as in a CSV Excel re-saved.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return str(value)
