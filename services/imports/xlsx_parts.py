"""The XML parts of an XLSX workbook, each streamed through expat a chunk at a time: nothing is held
but what the reader keeps, every element is counted, and a DTD is refused (so no entity can expand).
The shared strings are counted, with their characters, and refused past a cap before any is used."""

import posixpath
import zipfile
from collections.abc import Iterator
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

from .reader import MAX_CELL, ImportFileError

# An honest lead list has a few distinct texts a row: 200,000 rows need well under these.
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_CHARS = 50_000_000
# XML elements in one part (a sheet of 10 million cells has about 20 million).
MAX_ELEMENTS = 40_000_000
CHUNK = 64 * 1024
TOO_BIG = (
    "The workbook holds more {} than an import can take ({:,}); save the sheet as CSV, or split it, and upload that."
)
# Tag -> its name without a namespace prefix ("x:row" -> "row"), learnt as tags are met.
_LOCAL: dict[str, str] = {}


def _local(tag: str) -> str:
    name = _LOCAL[tag] = tag.rpartition(":")[2]
    return name


class Enough(Exception):
    """Raised by a handler that has read all it wants: the part is read no further."""


def _no_dtd(*_) -> None:
    raise ImportFileError("The workbook declares a DTD; refused as unsafe.")


class Part:
    """One XML part. Subclasses keep what they need (start, end, text) and raise Enough once they
    have it; past `max_elements` elements the workbook is refused."""

    def __init__(self, max_elements: int = MAX_ELEMENTS):
        self.elements, self.max_elements = 0, max_elements

    def stream(self, archive: zipfile.ZipFile, name: str) -> Iterator[None]:
        """Parse a chunk at a time, yielding after each so the caller can take what it produced."""
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = _no_dtd
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self.text
        try:
            with archive.open(name) as part:
                while chunk := part.read(CHUNK):
                    parser.Parse(chunk, False)
                    yield
                parser.Parse(b"", True)
        except Enough:
            pass
        yield

    def read(self, archive: zipfile.ZipFile, name: str):
        for _ in self.stream(archive, name):
            pass
        return self

    def _start(self, tag: str, attrs: dict) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            raise ImportFileError(TOO_BIG.format("XML elements", self.max_elements))
        self.start(_LOCAL.get(tag) or _local(tag), attrs)

    def _end(self, tag: str) -> None:
        self.end(_LOCAL.get(tag) or _local(tag))

    def start(self, name: str, attrs: dict) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class Text(Part):
    """Collects a value's text from <t> (outside phonetic runs) and <v>, at most MAX_CELL characters."""

    def __init__(self, max_elements: int = MAX_ELEMENTS):
        super().__init__(max_elements)
        self.collecting, self.phonetic, self.pieces, self.length = False, False, [], 0

    def begin_value(self) -> None:
        self.pieces, self.length = [], 0

    def value(self) -> str:
        return "".join(self.pieces)

    def start(self, name, attrs):
        if name == "t" or name == "v":
            self.collecting = not self.phonetic
        elif name == "rPh":
            self.phonetic = True

    def end(self, name):
        if name == "t" or name == "v":
            self.collecting = False
        elif name == "rPh":
            self.phonetic = False

    def text(self, data):
        if self.collecting:
            if self.length < MAX_CELL:
                self.pieces.append(data[: MAX_CELL - self.length])
            self.length += len(data)


class SharedStrings(Text):
    """The shared strings, refused past the caps. With `wanted`, only those indexes are kept (in a
    dict), and the table is read no further than the last of them."""

    def __init__(self, wanted: set[int] | None = None):
        super().__init__()
        self.wanted, self.last = wanted, max(wanted) if wanted else None
        self.strings: list[str] | dict[int, str] = [] if wanted is None else {}
        self.count, self.chars = 0, 0

    def start(self, name, attrs):
        if name == "si":
            self.pieces, self.length = [], 0
        else:
            super().start(name, attrs)

    def end(self, name):
        if name != "si":
            return super().end(name)
        if self.wanted is None:
            self.strings.append("".join(self.pieces))
        elif self.count in self.wanted:
            self.strings[self.count] = "".join(self.pieces)
        self.count += 1
        if self.count > MAX_SHARED_STRINGS:
            raise ImportFileError(TOO_BIG.format("distinct texts", MAX_SHARED_STRINGS))
        if self.last is not None and self.count > self.last:
            raise Enough

    def text(self, data):
        if self.collecting:
            self.chars += len(data)
            if self.chars > MAX_SHARED_CHARS:
                raise ImportFileError(TOO_BIG.format("characters of text", MAX_SHARED_CHARS))
            if self.length < MAX_CELL:
                self.pieces.append(data[: MAX_CELL - self.length])
            self.length += len(data)


class _Relations(Part):
    def __init__(self):
        super().__init__(100_000)
        self.targets: dict[str, tuple[str, str]] = {}  # id -> (the type's last word, target)

    def start(self, name, attrs):
        if name == "Relationship":
            self.targets[attrs.get("Id", "")] = (attrs.get("Type", "").rsplit("/", 1)[-1], attrs.get("Target", ""))


def relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (kind, the target's name in the zip)."""
    folder, name = posixpath.split(part)
    found = _Relations().read(archive, posixpath.join(folder, "_rels", name + ".rels")).targets
    return {
        rid: (
            kind,
            target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target)),
        )
        for rid, (kind, target) in found.items()
    }


class Workbook(Part):
    """The first sheet's relationship id, and the date system."""

    def __init__(self):
        super().__init__(1_000_000)
        self.first_sheet, self.epoch = None, WINDOWS_EPOCH

    def start(self, name, attrs):
        if name == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            self.epoch = MAC_EPOCH
        elif name == "sheet" and self.first_sheet is None:
            # r:id, whatever the relationships namespace's prefix
            self.first_sheet = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id"), "")


class Styles(Part):
    """Which cell styles show a number as a date (True) or a duration (False)."""

    def __init__(self):
        super().__init__(1_000_000)
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []
        self.in_cell_xfs = False

    def start(self, name, attrs):
        if name == "numFmt":
            self.custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            self.in_cell_xfs = True
        elif name == "xf" and self.in_cell_xfs:
            self.formats.append(int(attrs.get("numFmtId", 0)))

    def end(self, name):
        if name == "cellXfs":
            self.in_cell_xfs = False

    def dates(self) -> dict[int, bool]:
        out = {}
        for style, number_format in enumerate(self.formats):
            code = self.custom.get(number_format) or BUILTIN_FORMATS.get(number_format)
            if is_date_format(code):
                out[style] = not is_timedelta_format(code)
        return out
