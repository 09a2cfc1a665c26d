"""Leads out as CSV, safe to open in a spreadsheet."""
import csv
import io
from datetime import datetime
from collections.abc import Iterable, Iterator
from itertools import chain

from availability.addresses import ADDRESS_FIELDS
from models import Lead

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ["first_name", "last_name", "company", *[f for f, _ in ADDRESS_FIELDS],
           "status", "available_address", "checked_at", "error"]


def spreadsheet_safe(value) -> str:
    """The cell as text that a spreadsheet shows rather than runs (OWASP's leading quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def columns():
    """The Lead columns to select, in export order."""
    return [getattr(Lead, c) for c in COLUMNS]


def _cells(row) -> list[str]:
    return [spreadsheet_safe(v.isoformat() + "Z" if isinstance(v, datetime) else v) for v in row]


def csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV a line at a time, so an export of any size streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for cells in chain([COLUMNS], map(_cells, rows)):
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
