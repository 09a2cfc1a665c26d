"""Exported cells never run as spreadsheet formulas, and lose nothing."""

import csv
import io
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from services.exports import COLUMNS, FORMULA_STARTS, csv_lines, spreadsheet_safe


@given(st.text())
def test_no_cell_starts_a_formula_and_the_text_survives(text):
    safe = spreadsheet_safe(text)
    assert not safe.startswith(FORMULA_STARTS)
    assert safe == text or (safe == "'" + text and text.startswith(FORMULA_STARTS))


@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.text(), st.integers()), min_size=len(COLUMNS), max_size=len(COLUMNS)),
        max_size=5,
    )
)
def test_rows_round_trip_through_csv(rows):
    parsed = list(csv.reader(io.StringIO("".join(csv_lines(rows)), newline="")))
    assert parsed[0] == COLUMNS and len(parsed) == len(rows) + 1
    for row, cells in zip(rows, parsed[1:]):
        assert cells == [spreadsheet_safe(v) for v in row]


def test_times_are_iso_utc():
    row = [None] * len(COLUMNS)
    row[COLUMNS.index("checked_at")] = datetime(2026, 11, 24, 20, 5)
    assert "2026-11-24T20:05:00Z" in "".join(csv_lines([row]))
