"""XLSX workbooks as other tools write them, read in bounded time and memory: shared-strings and
cell bombs are refused with a clear message, and a preview reads only its first rows."""

import json
import subprocess
import sys
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.imports import xlsx, xlsx_parts
from services.imports.reader import ImportFileError, count_rows, detect, first_rows, read_table
from support import HEADER, ROOT, SHEET_NS, openpyxl_bytes, rewritten, shared_strings_bomb, xlsxwriter_bytes


def traced(function):
    """What `function` returned or raised, its peak traced memory (bytes) and its seconds."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcome = function()
    except ImportFileError as exc:
        outcome = exc
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return outcome, peak, seconds


# Counts a file's rows as the import's first pass does, in a process of its own: what it said, its
# CPU seconds and its peak resident memory (bytes; VmHWM, as ru_maxrss keeps the forking parent's).
COUNT_IN_A_PROCESS = """
import json, re, resource, sys
from pathlib import Path
from services.imports.reader import ImportFileError, count_rows, detect
try:
    outcome = str(count_rows(Path(sys.argv[1]), detect(Path(sys.argv[1])), 200_000))
except ImportFileError as exc:
    outcome = str(exc)
usage = resource.getrusage(resource.RUSAGE_SELF)
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", open("/proc/self/status").read())[1]) * 1024
print(json.dumps([outcome, usage.ru_utime + usage.ru_stime, peak]))
"""


def counted_in_a_process(path) -> tuple[str, float, int]:
    done = subprocess.run(
        [sys.executable, "-c", COUNT_IN_A_PROCESS, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return tuple(json.loads(done.stdout))


@pytest.mark.parametrize(
    "strings, padding, message",
    [
        # More distinct texts than the cap: 1.1 million, 28 MB of XML in a 4 MB zip.
        ((str(i) for i in range(xlsx_parts.MAX_SHARED_STRINGS + 100_000)), 0, "more distinct texts"),
        # Fewer, longer texts over the character cap: 55 MB of XML, 0.1 MB packed beside 1 MB of noise.
        (("y" * 1_000_000 for _ in range(55)), 1_000_000, "more characters of text"),
    ],
    ids=["many", "long"],
)
def test_a_shared_strings_bomb_is_refused_in_bounded_memory(tmp_path, strings, padding, message):
    path = shared_strings_bomb(tmp_path / "bomb.xlsx", strings, padding)
    # The preview (in the web request) reads the first rows and the two texts they use.
    (_, table), peak, seconds = traced(lambda: first_rows(path, 5))
    assert [trimmed(row) for row in table] == [HEADER, ["2025550142"]]
    assert peak < 5 * 2**20 and seconds < 10
    # The import's first pass reads the whole table, stopping at the cap, before anything lands.
    said, cpu, memory = counted_in_a_process(path)
    assert message in said and "save the sheet as CSV" in said
    assert cpu < 60 and memory < 250 * 2**20, (cpu, memory)
    print(f"{message}: refused after {cpu:.1f} s of CPU, peak {memory / 2**20:.0f} MB resident")


def test_a_cell_bomb_is_refused(tmp_path):
    # Each row's one cell in Excel's last column pads the row to 16,384 cells: 700 rows are 11.5 million.
    body = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, 702))
    sheet = (
        f'<worksheet xmlns="{SHEET_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Phone</t></is></c></row>'
    )
    path = rewritten(
        tmp_path / "cells.xlsx",
        openpyxl_bytes([["Phone"]]),
        {"xl/worksheets/sheet1.xml": sheet + body + "</sheetData></worksheet>"},
    )
    refused, peak, seconds = traced(lambda: count_rows(path, detect(path), 200_000))
    assert isinstance(refused, ImportFileError) and "more cells" in str(refused)
    assert seconds < 60 and peak < 20 * 2**20, (seconds, peak)
    assert len(first_rows(path, 5)[1][1]) == xlsx.MAX_COLUMNS  # a preview reads its five rows only


def test_rows_past_the_limit_are_not_counted(tmp_path):
    path = tmp_path / "long"
    path.write_bytes(xlsxwriter_bytes([["Phone"]] + [[2025550100 + i] for i in range(50)]))
    assert count_rows(path, detect(path), 1000) == 50
    assert count_rows(path, detect(path), 10) == 11


@pytest.mark.parametrize("writer", [openpyxl_bytes, xlsxwriter_bytes])
def test_a_workbook_is_read_by_its_content_whatever_its_name(tmp_path, writer):
    # Stored uploads have no extension (openpyxl refused them: InvalidFileException).
    path = tmp_path / "0f9e8d7c6b5a"
    path.write_bytes(writer([HEADER, [2025550142, "ada@me.com"], [None, "bob@x.io"]]))
    assert list(read_table(path)[1]) == [HEADER, ["2025550142", "ada@me.com"], ["", "bob@x.io"]]


# Text as a spreadsheet keeps it: no control characters (XML 1.0 can't hold them, and a bare CR
# becomes LF), and no "_x0041_" escapes (the writers' own encoding of them).
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\t") | st.just("\n"), max_size=40).filter(
    lambda t: "_x" not in t and not t.startswith("=")
)  # "=" writes a formula
CELL = st.one_of(st.none(), TEXT, st.integers(-(10**15), 10**15), st.integers(-(10**9), 10**9).map(lambda n: n / 8))


def expected(rows) -> list[list[str]]:
    """The rows as text, as the old openpyxl-based reader gave them, without trailing blanks."""

    def text(value):
        if value is None:
            return ""
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    out = [[text(v) for v in row] for row in rows]
    return [trimmed(row) for row in out]


def trimmed(row):
    while row and row[-1] == "":
        row = row[:-1]
    return row


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.lists(CELL, max_size=6), min_size=1, max_size=8), st.sampled_from([openpyxl_bytes, xlsxwriter_bytes])
)
def test_cells_read_as_they_were_written(tmp_path, rows, writer):
    path = tmp_path / "workbook"
    path.write_bytes(writer(rows))
    read = [trimmed(row) for row in read_table(path)[1]]
    if read:  # the preview reads the same first rows
        assert [trimmed(row) for row in first_rows(path, 2)[1]] == read[:3]
    want = expected(rows)
    for table in (read, want):  # the writers differ in the blank rows they leave at the end
        while table and not table[-1]:
            table.pop()
    assert read == want


# Sheet XML made of the pieces a worksheet has, in any order and with any values.
SHEET_PIECES = st.lists(
    st.sampled_from(
        [
            "<row>",
            '<row r="3">',
            '<row r="x">',
            '<row r="2000000">',
            "</row>",
            "<c>",
            '<c r="B2">',
            '<c r="">',
            '<c r="XFE1">',
            '<c t="s">',
            '<c t="b">',
            '<c t="inlineStr">',
            '<c s="1">',
            '<c s="x">',
            "</c>",
            "<v>",
            "</v>",
            "<is>",
            "</is>",
            "<t>",
            "</t>",
            "<rPh>",
            "</rPh>",
            "0",
            "1",
            "-1",
            "7",
            "1.5",
            "1e400",
            "x",
            "&amp;",
            "&bad;",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SHEET_PIECES)
def test_any_sheet_gives_rows_or_our_own_error(tmp_path, pieces):
    sheet = f'<worksheet xmlns="{SHEET_NS}"><sheetData>{pieces}</sheetData></worksheet>'
    path = rewritten(tmp_path / "fuzz", xlsxwriter_bytes([HEADER]), {"xl/worksheets/sheet1.xml": sheet})
    for read in (lambda: list(read_table(path)[1]), lambda: first_rows(path, 5)):
        try:
            read()
        except ImportFileError:
            pass
