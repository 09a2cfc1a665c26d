"""Reading uploaded spreadsheets (and vCard files: vcard.py) row by row, never holding a whole file.

CSV: the encoding (UTF-8 with or without BOM, UTF-16, else Latin-1) and the delimiter (comma,
semicolon, tab) are detected from the start of the file. XLSX: the zip is inspected before opening,
so a zip bomb is refused without being inflated; then xlsx.py streams the first sheet with caps.
"""

import codecs
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

SAMPLE_BYTES = 256 * 1024
DELIMITERS = ",;\t"
# An honest XLSX of a few hundred thousand rows inflates to well under this.
MAX_XLSX_INFLATED = 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_CELL = 10_000


class ImportFileError(ValueError):
    """The file can't be read as a spreadsheet; the message says why, for people."""

    upload_id: int | None = None  # the upload it was recorded as, failed


class UnreadRow(list):
    """A row the reader could not read (a malformed vCard): imported as a problem row, with why."""

    def __init__(self, cells: list[str], reason: str):
        super().__init__(cells)
        self.reason = reason


@dataclass(frozen=True)
class FileFormat:
    kind: str  # "csv" | "xlsx" | "vcard"
    encoding: str | None = None
    delimiter: str | None = None


def detect(path: Path) -> FileFormat:
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if not sample.strip():
        raise ImportFileError("The file is empty.")
    if sample.startswith(b"PK\x03\x04"):
        return FileFormat("xlsx")
    encoding = _encoding(sample)
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample)
    if "\x00" in text:
        raise ImportFileError("This looks like a binary file, not a CSV or XLSX spreadsheet or a vCard file.")
    if text.lstrip("\ufeff \t\r\n")[:11].upper() == "BEGIN:VCARD":
        return FileFormat("vcard", encoding)
    return FileFormat("csv", encoding, _delimiter(text))


def _encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-16 without a BOM: ASCII text has a NUL in every other byte.
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4 and sample[1::2].count(0) == 0:
        return "utf-16-be"
    try:
        # final=False: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def _delimiter(text: str) -> str:
    header = text.splitlines()[0] if text.splitlines() else ""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def rows(path: Path, fmt: FileFormat, limit: int | None = None) -> Iterator[list[str]]:
    """Every row (header included) as a list of strings; with `limit`, the first that many (an
    XLSX workbook is then read no further than they need)."""
    if fmt.kind == "xlsx":
        _check_zip(path)
        from . import xlsx  # noqa: PLC0415 - xlsx imports this module's error and limits

        yield from xlsx.rows(path, limit)
    elif fmt.kind == "vcard":
        from . import vcard  # noqa: PLC0415 - vcard imports this module's UnreadRow

        yield from islice(vcard.rows(path, fmt.encoding), limit)
    else:
        yield from islice(_csv_rows(path, fmt), limit)


def _csv_rows(path: Path, fmt: FileFormat) -> Iterator[list[str]]:
    csv.field_size_limit(MAX_CELL * 10)
    with open(path, encoding=fmt.encoding, errors="replace", newline="") as f:
        # A stray NUL deep in a text file: dropped (PostgreSQL can't store one; no one meant it).
        reader = csv.reader((line.replace("\x00", "") for line in f), delimiter=fmt.delimiter)
        try:
            for row in reader:
                yield [cell[:MAX_CELL] for cell in row]
        except csv.Error as exc:
            raise ImportFileError(f"Line {reader.line_num} can't be read as CSV ({exc}).") from None


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError("The file is not a valid XLSX workbook.") from None
    inflated = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if inflated > MAX_XLSX_INFLATED or inflated / packed > MAX_XLSX_RATIO:
        raise ImportFileError("The workbook expands to far more data than it holds; refused as unsafe.")
    if not any(e.filename.startswith("xl/worksheets/") for e in entries):
        raise ImportFileError("The file is not a valid XLSX workbook.")


def read_table(path: Path) -> tuple[FileFormat, Iterator[list[str]]]:
    fmt = detect(path)
    return fmt, rows(path, fmt)


def first_rows(path: Path, count: int) -> tuple[FileFormat, list[list[str]]]:
    """The header and the first `count` data rows, for the mapping preview."""
    fmt = detect(path)
    out = list(rows(path, fmt, count + 1))
    if not out:
        raise ImportFileError("The file has no rows.")
    return fmt, out


def count_rows(path: Path, fmt: FileFormat, limit: int) -> int:
    """Data rows (the header excluded), for the progress bar; counting stops past `limit`."""
    # Every row is read as the import will read it (an XLSX's whole shared-strings table included,
    # so its caps refuse a bomb here, before anything lands), up to the limit.
    return max(0, sum(1 for _ in islice(rows(path, fmt), limit + 2)) - 1)
