"""Normalising phones and emails: the forms we store and send to lines."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from availability.addresses import (
    InvalidAddress,
    guess_kind,
    normalise_email,
    normalise_phone,
    read_field,
)
from availability.fields import ADDRESS_FIELDS, Kind


@pytest.mark.parametrize(
    "raw, region, expected",
    [
        ("(202) 555-0143", "US", "+12025550143"),
        ("202.555.0143", "US", "+12025550143"),
        ("+1 202 555 0143", "US", "+12025550143"),
        ("+44 20 7946 0958", "US", "+442079460958"),
        ("020 7946 0958", "GB", "+442079460958"),
        (" 2025550143 ", "US", "+12025550143"),
    ],
)
def test_phones_become_e164_in_the_workspace_region(raw, region, expected):
    assert normalise_phone(raw, region) == expected


@pytest.mark.parametrize("raw", ["555-1234", "12", "hello", "", "+1 202 555 01439999"])
def test_impossible_phones_are_invalid(raw):
    with pytest.raises(InvalidAddress):
        normalise_phone(raw, "US")


def test_emails_are_trimmed_and_lowercased():
    assert normalise_email("  Ada.Lovelace@Example.COM ") == "ada.lovelace@example.com"


@pytest.mark.parametrize("raw", ["ada@", "@example.com", "ada example.com", "ada@@example.com", ""])
def test_malformed_emails_are_invalid(raw):
    with pytest.raises(InvalidAddress):
        normalise_email(raw)


def test_an_invalid_address_is_kept_as_typed_with_a_reason():
    value = read_field("phone", Kind.PHONE, " 555-1234 ", "US")
    assert value.raw == "555-1234" and value.normalised is None and value.invalid
    assert "phone" in value.problem


def test_empty_fields_are_neither_valid_nor_invalid():
    value = read_field("email", Kind.EMAIL, "   ", "US")
    assert not value.invalid and value.normalised is None


def test_the_check_order_is_the_specs():
    assert [f for f, _ in ADDRESS_FIELDS] == [
        "phone",
        "email",
        "alt_phone1",
        "alt_phone2",
        "alt_phone3",
        "alt_email1",
        "alt_email2",
        "alt_email3",
    ]


def test_a_bare_address_is_an_email_when_it_has_an_at_sign():
    assert guess_kind("a@b.co") is Kind.EMAIL and guess_kind("+12025550143") is Kind.PHONE


phone_like = st.text(alphabet="0123456789 +-().x", max_size=30)
regions = st.sampled_from(["US", "GB", "DE", "FR", "AU", "IN"])


@given(phone_like, regions)
def test_normalising_a_phone_twice_changes_nothing(raw, region):
    try:
        once = normalise_phone(raw, region)
    except InvalidAddress:
        return
    assert normalise_phone(once, region) == once
    assert once.startswith("+") and once[1:].isdigit()


@given(st.emails())
def test_normalising_an_email_twice_changes_nothing(raw):
    try:
        once = normalise_email(raw)
    except InvalidAddress:
        return
    assert normalise_email(once) == once == once.lower()


@given(st.text(max_size=300), regions)
def test_any_text_either_normalises_or_raises_our_own_error(raw, region):
    for kind in Kind:
        try:
            read_field("phone", kind, raw, region)
            normalise_phone(raw, region) if kind is Kind.PHONE else normalise_email(raw)
        except InvalidAddress:
            pass


plain_emails = st.from_regex(r"[a-z0-9_%+.-]{1,70}@([a-z0-9-]{1,70}\.){1,3}[a-z0-9]{1,65}", fullmatch=True)


@settings(max_examples=600)
@given(st.one_of(plain_emails, st.emails()))
def test_the_fast_path_for_plain_emails_agrees_with_email_validator(raw):
    from email_validator import EmailNotValidError, validate_email

    from availability.addresses import _plain_email

    text = raw.lower()
    if _plain_email(text):
        assert validate_email(text, check_deliverability=False).normalized == text
    else:  # everything else is email-validator's call
        try:
            expected = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            expected = None
        if len(text) <= 254 and expected is not None:
            assert normalise_email(text) == expected
