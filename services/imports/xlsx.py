"""The first sheet of an XLSX workbook as rows of text, in time and memory bounded by caps.

openpyxl, even read-only, loads the whole shared-strings table before the first row: a 9 MB workbook
whose table inflated to 518 MB took 33 s of CPU and 900 MB in the web request. Here every part is
streamed and counted (xlsx_parts.py), and a preview reads the first rows and only the shared strings
they use. Cells read as openpyxl's data-only mode gives them: a formula's last value, a date by its
cell's number format. The file is opened by its content, whatever its name.
"""

import zipfile
import zlib
from collections.abc import Iterator
from xml.parsers import expat

from openpyxl.utils.datetime import from_excel

from .reader import ImportFileError
from .xlsx_parts import MAX_ELEMENTS, TOO_BIG, Enough, SharedStrings, Styles, Text, Workbook, relations

# Excel's own limits: column XFD, row 1,048,576.
MAX_COLUMNS = 16_384
MAX_ROW = 1_048_576
# Cells read, the empty ones a row is padded with included (200,000 rows of 50 columns).
MAX_CELLS = 10_000_000
# Elements of the sheet a preview may read to find its first rows.
PREVIEW_ELEMENTS = 1_000_000
UNREADABLE = (
    expat.ExpatError,
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    IndexError,
    ValueError,
    OverflowError,
    OSError,
    EOFError,
)


def rows(path, first: int | None = None) -> Iterator[list[str]]:
    """The first sheet's rows as text; with `first`, only that many rows are read, and only the
    shared strings they use. Raises ImportFileError for a workbook it can't or won't read."""
    try:
        with zipfile.ZipFile(path) as archive:
            yield from _rows(archive, first)
    except ImportFileError:
        raise
    except UNREADABLE as exc:
        raise ImportFileError(f"The XLSX workbook can't be read ({type(exc).__name__}).") from None


def _rows(archive: zipfile.ZipFile, first: int | None) -> Iterator[list[str]]:
    book = next(
        (target for kind, target in relations(archive, "").values() if kind == "officeDocument"), "xl/workbook.xml"
    )
    workbook, parts = Workbook().read(archive, book), relations(archive, book)
    found = dict(reversed(parts.values()))  # the first part of each kind
    dates = Styles().read(archive, found["styles"]).dates() if "styles" in found else {}
    sheet = Sheet(dates, workbook.epoch, first)
    sheet_part, shared = parts[workbook.first_sheet][1], found.get("sharedStrings")
    if first is None:
        strings = SharedStrings().read(archive, shared).strings if shared else []
        for _ in sheet.stream(archive, sheet_part):
            for item in sheet.out:
                yield from _resolved(item, strings)
            sheet.out.clear()
        return
    taken = sheet.read(archive, sheet_part).out
    needed = {v for item in taken if isinstance(item, tuple) for _, v in item[1] if isinstance(v, int)}
    strings = SharedStrings(needed).read(archive, shared).strings if needed and shared else {}
    left = first
    for item in taken:
        for row in _resolved(min(item, left) if isinstance(item, int) else item, strings):
            if left <= 0:
                return
            left -= 1
            yield row


def _resolved(item: tuple | int, strings: list[str] | dict[int, str]) -> Iterator[list[str]]:
    """A row as text, its shared strings looked up, or a gap as that many empty rows."""
    if isinstance(item, int):
        for _ in range(item):
            yield []
        return
    width, cells = item
    row = [""] * width
    for column, value in cells:
        row[column - 1] = strings[value] if isinstance(value, int) else value
    yield row


def _column(ref: str) -> int:
    """The column number of a cell reference ("B7" -> 2)."""
    number = 0
    for letter in ref.upper():
        if not "A" <= letter <= "Z" or number > MAX_COLUMNS:
            break
        number = number * 26 + ord(letter) - 64
    if not 0 < number <= MAX_COLUMNS:
        raise ValueError(f"cell reference {ref[:20]!r}")
    return number


class Sheet(Text):
    """A worksheet's rows. `out` takes finished rows as (width, [(column, value)]), a shared string
    being its index (an int) until looked up, and gaps (an int: that many empty rows, so rows keep
    the spreadsheet's numbers). A row is padded only when it is read, one at a time."""

    def __init__(self, dates: dict[int, bool], epoch, first: int | None = None):
        super().__init__(PREVIEW_ELEMENTS if first else MAX_ELEMENTS)
        self.dates, self.epoch, self.rows_left = dates, epoch, first or MAX_ROW
        self.out: list = []
        self.row_number, self.row, self.column, self.width, self.cells = 0, None, 0, 0, 0
        self.kind = self.style = None

    def start(self, name, attrs):
        if name == "c":
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            if self.column > MAX_COLUMNS:
                raise ValueError("too many columns")
            self.kind, self.style = attrs.get("t", "n"), attrs.get("s")
            self.pieces, self.length = [], 0
        elif name == "row":
            ref = attrs.get("r")
            # A row out of order is kept, after the one before (openpyxl would drop it).
            number = max(int(float(ref)) if ref else 0, self.row_number + 1)
            if number > MAX_ROW:
                raise ValueError(f"row {number}")
            if number > self.row_number + 1:
                self._out(number - self.row_number - 1)
            self.row_number, self.row, self.column, self.width = number, [], 0, 0
        else:
            super().start(name, attrs)

    def end(self, name):
        if name == "c":
            if self.row is not None:
                self.row.append((self.column, self.cell()))
                self.width = max(self.width, self.column)
        elif name == "row":
            if self.row is not None:
                self.cells += max(self.width, 1)
                if self.cells > MAX_CELLS:
                    raise ImportFileError(TOO_BIG.format("cells", MAX_CELLS))
                self._out((self.width, self.row))
                self.row = None
        else:
            super().end(name)

    def _out(self, item: tuple | int) -> None:
        self.out.append(item)
        self.rows_left -= item if isinstance(item, int) else 1
        if self.rows_left <= 0:
            raise Enough

    def cell(self) -> str | int:
        text, kind = "".join(self.pieces), self.kind
        if not text or kind in ("inlineStr", "str", "e", "d"):
            return text
        if kind == "s":
            if (index := int(text)) < 0:
                raise ValueError("negative shared-string index")
            return index
        if kind == "b":
            return str(bool(int(text)))
        number = float(text) if any(c in text for c in ".eE") else int(text)
        style = int(self.style or 0)
        if style in self.dates:
            try:
                return str(from_excel(number, self.epoch, timedelta=not self.dates[style]))
            except (OverflowError, ValueError):
                return "#VALUE!"  # as openpyxl reads a date out of range
        # Phone numbers typed into Excel are numbers, sometimes written 2025550143.0 or 2.025550143E9.
        return str(int(number)) if isinstance(number, float) and number.is_integer() else str(number)
