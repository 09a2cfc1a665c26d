"""Addresses: normalising phones and emails, and the order a lead's addresses are checked in."""
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# Longer input is never a real phone or email; refusing it early keeps the parsers cheap.
MAX_ADDRESS_LENGTH = 254


class Kind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


class InvalidAddress(ValueError):
    """The text can't be the kind of address it was given as; `reason` says why, for people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# The spec's order, exactly: checking walks this and stops at the first available address.
ADDRESS_FIELDS: tuple[tuple[str, Kind], ...] = (
    ("phone", Kind.PHONE),
    ("email", Kind.EMAIL),
    ("alt_phone1", Kind.PHONE),
    ("alt_phone2", Kind.PHONE),
    ("alt_phone3", Kind.PHONE),
    ("alt_email1", Kind.EMAIL),
    ("alt_email2", Kind.EMAIL),
    ("alt_email3", Kind.EMAIL),
)


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


def normalise_email(raw: str) -> str:
    text = raw.strip().lower()
    if not text:
        raise InvalidAddress("empty")
    if len(text) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress("too long to be an email address")
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
