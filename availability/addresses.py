"""Addresses: normalising phones and emails (the fields and their order are in fields.py)."""

import re
from dataclasses import dataclass

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from availability.fields import MAX_ADDRESS_LENGTH, Kind


class InvalidAddress(ValueError):
    """The text can't be the kind of address it was given as; `reason` says why, for people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def normalise_phone(raw: str, region: str) -> str:
    """E.164, reading numbers without a country code as being in `region`."""
    text = raw.strip()
    if not text:
        raise InvalidAddress("empty")
    if len(text) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress("too long to be a phone number")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidAddress("not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidAddress("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# The everyday ASCII address (name.surname+tag@sub.domain.tld). It is a strict subset of what
# email-validator accepts unchanged (a property test holds it to that), and checking it directly
# is twenty times faster: imports of 100,000 leads spend their time on real work instead.
_PLAIN_EMAIL = re.compile(
    r"(?P<local>[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*)@"
    r"(?P<domain>(?:[a-z0-9](?:[a-z0-9]|-(?!-))*(?<!-)\.)+(?P<tld>[a-z]{2,63}))"
)


def _plain_email(text: str) -> bool:
    match = _PLAIN_EMAIL.fullmatch(text)
    return bool(
        match
        and len(match["local"]) <= 64
        and all(len(label) <= 63 for label in match["domain"].split("."))
        and not any(
            match["domain"] == name or match["domain"].endswith("." + name) for name in SPECIAL_USE_DOMAIN_NAMES
        )
    )


def normalise_email(raw: str) -> str:
    text = raw.strip().lower()
    if not text:
        raise InvalidAddress("empty")
    if len(text) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress("too long to be an email address")
    if _plain_email(text):
        return text
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise InvalidAddress("not a valid email address") from None


def normalise(raw: str, kind: Kind, region: str) -> str:
    if kind is Kind.PHONE:
        return normalise_phone(raw, region)
    return normalise_email(raw)


def guess_kind(raw: str) -> Kind:
    """For a bare typed address (Quick Send, API): an @ means email, anything else a phone."""
    return Kind.EMAIL if "@" in raw else Kind.PHONE


@dataclass(frozen=True)
class FieldValue:
    """One of a lead's address fields as stored: what was typed, and its normal form if valid."""

    field: str
    kind: Kind
    raw: str
    normalised: str | None
    problem: str | None = None

    @property
    def invalid(self) -> bool:
        return bool(self.raw) and self.normalised is None


def read_field(field: str, kind: Kind, raw: str | None, region: str) -> FieldValue:
    text = (raw or "").strip()
    if not text:
        return FieldValue(field, kind, "", None)
    try:
        return FieldValue(field, kind, text, normalise(text, kind, region))
    except InvalidAddress as exc:
        return FieldValue(field, kind, text, None, exc.reason)
