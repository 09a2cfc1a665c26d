"""The fields table is the one list of a lead's fields: the model's columns, the importer's header
matching and the export follow it, so a field added there is everywhere at once."""

from availability.fields import ADDRESS_FIELDS, FULL_NAME, LEAD_FIELDS, MAX_ADDRESS_LENGTH, POOLS
from models import Lead
from services.exports import COLUMNS
from services.imports.mapping import IMPORT_FIELDS, guess_mapping


def test_each_field_is_a_column_of_its_length_and_each_address_has_its_normal_form():
    columns = Lead.__table__.columns
    for field in LEAD_FIELDS:
        assert columns[field.key].type.length == field.max_length
        if field.kind is not None:
            assert columns[f"{field.key}_norm"].type.length == MAX_ADDRESS_LENGTH


def test_addresses_are_checked_in_the_specs_order():
    assert [key for key, _ in ADDRESS_FIELDS] == [
        "phone",
        "email",
        "alt_phone1",
        "alt_phone2",
        "alt_phone3",
        "alt_email1",
        "alt_email2",
        "alt_email3",
    ]


def test_a_column_headed_with_a_fields_label_or_api_name_maps_to_it():
    fields = [*LEAD_FIELDS, FULL_NAME]
    assert guess_mapping([field.label for field in fields]) == [field.key for field in fields]
    assert guess_mapping([field.json for field in fields]) == [field.key for field in fields]
    assert set(IMPORT_FIELDS) == {field.key for field in (*fields, *POOLS)}
    for name in ("label", "json"):  # beside a Primary email, as a lone pool would be the primary
        headers = ["Primary email", *(getattr(pool, name) for pool in POOLS)]
        assert guess_mapping(headers) == ["email", *(pool.key for pool in POOLS)]


def test_no_header_means_two_fields():
    synonyms = [synonym for field in (*LEAD_FIELDS, FULL_NAME, *POOLS) for synonym in field.synonyms]
    assert len(synonyms) == len(set(synonyms))


def test_the_export_has_every_field_in_order():
    assert COLUMNS[: len(LEAD_FIELDS)] == [field.key for field in LEAD_FIELDS]
