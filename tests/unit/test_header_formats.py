"""Each tool's export, headers as the tool writes them (tests/exports.py): every header maps to its
field, and each contact's phones and emails land where the rule says: a mobile first, the other
phones as alternates in column order, further emails as alternate emails."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.fields import LEAD_FIELDS
from exports import EXPORTS, VCARD_LEADS, VCARDS
from services.imports.assembly import plan, values
from services.imports.mapping import guess_mapping, mapping_problem
from services.imports.reader import UnreadRow, read_table


def lead(fields: dict[str, str]) -> dict[str, str]:
    """The lead's fields, the empty ones left out (a full name is split as the importer does)."""
    if fields.get("full_name") and not (fields.get("first_name") or fields.get("last_name")):
        first, _, last = fields["full_name"].partition(" ")
        fields = {**fields, "first_name": first, "last_name": last}
    return {field.key: fields[field.key] for field in LEAD_FIELDS if fields.get(field.key)}


@pytest.mark.parametrize("export", EXPORTS, ids=lambda export: export.tool)
def test_each_tools_headers_map_and_its_contacts_land_by_the_rule(export):
    mapping = guess_mapping(export.headers)
    assert dict(zip(export.headers, mapping)) == {header: export.mapped.get(header) for header in export.headers}
    assert mapping_problem(mapping) is None
    columns = plan(mapping)
    for row, expected in zip(export.rows, export.leads, strict=True):
        assert lead(values(columns, [row.get(header, "") for header in export.headers])) == expected


def test_a_type_column_makes_its_number_the_mobile_and_a_phone_column_beside_a_mobile_is_not_primary():
    assert guess_mapping(["Phone", "Mobile"]) == ["any_phone", "mobile_phone"]
    assert guess_mapping(["Phone 1 - Value"]) == ["phone"]  # alone: the primary phone
    assert guess_mapping(["Phone 1 - Type", "Phone 1 - Value"]) == ["phone_type", "any_phone"]
    columns = plan(["phone_type", "any_phone", "phone_type", "any_phone", "alt_phone1"])
    assert values(columns, ["Work", "1", "* Mobile", "2 ::: 3", "4"]) == {
        "phone": "2",
        "alt_phone1": "4",  # a column mapped to a slot keeps it
        "alt_phone2": "3",
        "alt_phone3": "1",
    }
    assert values(columns, ["iPhone", "5", "", "", ""]) == {"phone": "5", "alt_phone1": ""}


def test_vcards_give_every_phone_and_email_mobile_first_and_a_malformed_card_is_a_problem_row(tmp_path):
    path = tmp_path / "contacts"  # no extension: read by its content
    path.write_bytes(VCARDS)
    fmt, table = read_table(path)
    header, *cards = list(table)
    assert fmt.kind == "vcard" and header == [field.label for field in LEAD_FIELDS]
    mapping = guess_mapping(header)
    assert mapping == [field.key for field in LEAD_FIELDS]
    unread = [card for card in cards if isinstance(card, UnreadRow)]
    assert len(unread) == 1 and "Card 2 (Broken Card) can't be read" in unread[0].reason
    read = [lead(values(plan(mapping), card)) for card in cards if not isinstance(card, UnreadRow)]
    assert read == VCARD_LEADS


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40), max_size=6)
)
def test_any_card_is_read_or_reported_never_an_error(tmp_path, lines):
    path = tmp_path / "cards.vcf"
    path.write_text("BEGIN:VCARD\nVERSION:3.0\n" + "\n".join(lines) + "\nEND:VCARD\n", encoding="utf-8")
    header, *cards = list(read_table(path)[1])
    assert all(len(card) == len(header) for card in cards)
