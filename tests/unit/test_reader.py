"""Reading spreadsheets as users' CRMs write them: encodings, delimiters, headers, XLSX, bombs."""

import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.imports.mapping import guess_mapping, mapping_problem
from services.imports.reader import ImportFileError, count_rows, detect, first_rows, read_table
from support import openpyxl_bytes

ROWS = [
    ["First Name", "Phone", "Email Address"],
    ["Zoë", "(202) 555-0142", "zoe@icloud.com"],
    ["José", "202.555.0143", "jose@example.com"],
]


def write(tmp_path, data: bytes, name="leads.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def as_text(rows, delimiter=","):
    return "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"


@pytest.mark.parametrize(
    "encoding, bom",
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16", b""),
        ("utf-16-le", b""),
        ("latin-1", b""),
        ("cp1252", b""),
    ],
)
def test_encodings_are_detected(tmp_path, encoding, bom):
    path = write(tmp_path, bom + as_text(ROWS).encode(encoding))
    fmt, rows = read_table(path)
    assert list(rows) == ROWS, fmt


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_detected(tmp_path, delimiter):
    path = write(tmp_path, as_text(ROWS, delimiter).encode())
    assert detect(path).delimiter == delimiter
    assert list(read_table(path)[1]) == ROWS


def test_quoted_cells_with_delimiters_and_newlines(tmp_path):
    path = write(tmp_path, b'Name,Phone\n"Lovelace, Ada","202 555\n0142"\n')
    assert list(read_table(path)[1]) == [["Name", "Phone"], ["Lovelace, Ada", "202 555\n0142"]]


def test_preview_and_row_count(tmp_path):
    path = write(tmp_path, as_text(ROWS + [["x", "1", "y"]] * 20).encode())
    fmt, table = first_rows(path, 5)
    assert len(table) == 6 and table[0] == ROWS[0]
    assert count_rows(path, fmt, 1000) == 22
    assert count_rows(path, fmt, 10) == 11  # counting stops past the limit


@pytest.mark.parametrize(
    "data, message", [(b"", "empty"), (b"   \n\n", "empty"), (b"\x00\x01\x02binary\x00\xff" * 50, "binary")]
)
def test_unreadable_files_get_a_clear_message(tmp_path, data, message):
    with pytest.raises(ImportFileError, match=message):
        first_rows(write(tmp_path, data), 5)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=3000))
def test_any_bytes_give_rows_or_our_own_error(tmp_path, data):
    path = write(tmp_path, data, "fuzz.bin")
    try:
        fmt, rows = read_table(path)
        for row in rows:
            assert all(isinstance(cell, str) for cell in row)
    except ImportFileError:
        pass


@pytest.mark.parametrize(
    "header, field",
    [
        ("Phone", "phone"),
        ("Mobile", "phone"),
        ("Cell", "phone"),
        ("Phone Number", "phone"),
        ("Email Address", "email"),
        ("E-mail", "email"),
        ("email", "email"),
        ("Alt Phone 1", "alt_phone1"),
        ("Other Phone", "phone"),  # a file's lone phone column is its primary phone
        ("Secondary Email", "alt_email1"),
        ("First Name", "first_name"),
        ("first_name", "first_name"),
        ("Surname", "last_name"),
        ("Company", "company"),
        ("Company Name", "company"),
        ("Name", "full_name"),
        ("Notes", None),
    ],
)
def test_common_header_spellings_are_matched(header, field):
    assert guess_mapping([header]) == [field]


def test_each_field_is_claimed_once_and_a_mapping_needs_an_address():
    assert guess_mapping(["Phone", "Primary phone", "Email"]) == ["phone", None, "email"]
    assert "phone number or an email" in mapping_problem(["first_name", None])
    assert "More than one column" in mapping_problem(["phone", "phone"])
    assert mapping_problem(["alt_email2"]) is None


def test_xlsx_is_streamed_and_numbers_read_as_typed(tmp_path):
    path = write(tmp_path, openpyxl_bytes([["Phone", "Email"], [2025550142, "a@me.com"], [None, "b@x.io"]]), "l.xlsx")
    fmt, rows = read_table(path)
    assert fmt.kind == "xlsx"
    assert list(rows) == [["Phone", "Email"], ["2025550142", "a@me.com"], ["", "b@x.io"]]


def test_a_zip_bomb_is_refused_quickly(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (64 * 1024 * 1024))
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="unsafe"):
        first_rows(path, 5)
    assert time.monotonic() - started < 5


def test_an_xml_entity_bomb_is_refused(tmp_path):
    # "Billion laughs": ten levels of entities, each ten of the one before.
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    sheet = (
        f"<!DOCTYPE worksheet [{entities}]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&j;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(openpyxl_bytes([["Phone"]])))
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            is_sheet = item.filename == "xl/worksheets/sheet1.xml"
            archive.writestr(item, sheet if is_sheet else source.read(item))
    started = time.monotonic()
    with pytest.raises(ImportFileError, match="DTD"):  # no entity is ever declared, so none expands
        list(read_table(path)[1])
    assert time.monotonic() - started < 5


def test_a_broken_xlsx_gets_our_error(tmp_path):
    with pytest.raises(ImportFileError):
        first_rows(write(tmp_path, b"PK\x03\x04" + b"\x00" * 100, "broken.xlsx"), 5)
