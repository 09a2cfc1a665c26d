"""Leads out as CSV, safe to open in a spreadsheet; and the one CSV writer every CSV the app writes
goes through (exports, an import's problem rows)."""

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import chain

from availability.fields import LEAD_FIELDS
from models import Lead

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [*(field.key for field in LEAD_FIELDS), "status", "available_address", "checked_at", "error"]


def spreadsheet_safe(value) -> str:
    """The cell as text that a spreadsheet shows rather than runs (OWASP's leading quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class SafeCsvWriter:
    """csv.writer whose every cell goes through spreadsheet_safe: the app writes CSV only with this."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, cells: Iterable) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in cells])


def columns():
    """The Lead columns to select, in export order."""
    return [getattr(Lead, c) for c in COLUMNS]


def _cells(row) -> list:
    return [v.isoformat() + "Z" if isinstance(v, datetime) else v for v in row]


def csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """The CSV a line at a time, so an export of any size streams."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    for cells in chain([COLUMNS], map(_cells, rows)):
        writer.writerow(cells)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
