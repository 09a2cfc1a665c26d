"""A lead's fields, once: everything that reads or writes a lead's fields reads them from here — the
model's columns, the add-lead form, the API and its OpenAPI schema, the importer and its mapping
page, the export."""

from dataclasses import dataclass
from enum import StrEnum

# Longer input is never a real phone or email (RFC 5321's path limit); it is also the column's size.
MAX_ADDRESS_LENGTH = 254


class Kind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"


@dataclass(frozen=True)
class LeadField:
    key: str  # the column, the form's input and the export's header
    json: str  # the API's name
    label: str  # what people read
    max_length: int  # the longest value stored (characters)
    kind: Kind | None  # a phone or an email address, to be checked; None for a name
    # Spreadsheet headers that mean this field, lowercased with only letters and digits kept.
    synonyms: tuple[str, ...] = ()


def _address(key: str, json: str, label: str, kind: Kind, *synonyms: str) -> LeadField:
    return LeadField(key, json, label, MAX_ADDRESS_LENGTH, kind, synonyms)


# In the spec's order: the addresses among them are checked in this order, stopping at the first
# available one.
LEAD_FIELDS: tuple[LeadField, ...] = (
    LeadField(
        "first_name", "firstName", "First name", 100, None, ("firstname", "first", "givenname", "fname", "forename")
    ),
    LeadField("last_name", "lastName", "Last name", 100, None, ("lastname", "last", "surname", "familyname", "lname")),
    LeadField(
        "company",
        "company",
        "Company",
        200,
        None,
        ("company", "companyname", "organization", "organisation", "account", "accountname", "business", "employer"),
    ),
    _address(
        "phone",
        "phone",
        "Primary phone",
        Kind.PHONE,
        "phone",
        "phonenumber",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "cell",
        "cellphone",
        "cellnumber",
        "telephone",
        "tel",
        "primaryphone",
        "phone1",
        "mainphone",
        "directphone",
        "workphone",
        "number",
    ),
    _address(
        "email",
        "email",
        "Primary email",
        Kind.EMAIL,
        "email",
        "emailaddress",
        "mail",
        "primaryemail",
        "email1",
        "workemail",
        "emailid",
    ),
    _address(
        "alt_phone1",
        "altPhone1",
        "Alternate phone 1",
        Kind.PHONE,
        "altphone",
        "altphone1",
        "alternatephone",
        "alternatephone1",
        "otherphone",
        "otherphone1",
        "secondaryphone",
        "phone2",
        "homephone",
        "mobile2",
        "additionalphone",
    ),
    _address(
        "alt_phone2",
        "altPhone2",
        "Alternate phone 2",
        Kind.PHONE,
        "altphone2",
        "alternatephone2",
        "otherphone2",
        "phone3",
        "secondaryphone2",
    ),
    _address(
        "alt_phone3",
        "altPhone3",
        "Alternate phone 3",
        Kind.PHONE,
        "altphone3",
        "alternatephone3",
        "otherphone3",
        "phone4",
        "secondaryphone3",
    ),
    _address(
        "alt_email1",
        "altEmail1",
        "Alternate email 1",
        Kind.EMAIL,
        "altemail",
        "altemail1",
        "alternateemail",
        "alternateemail1",
        "secondaryemail",
        "otheremail",
        "otheremail1",
        "email2",
        "personalemail",
        "additionalemail",
    ),
    _address(
        "alt_email2",
        "altEmail2",
        "Alternate email 2",
        Kind.EMAIL,
        "altemail2",
        "alternateemail2",
        "otheremail2",
        "email3",
        "secondaryemail2",
    ),
    _address(
        "alt_email3",
        "altEmail3",
        "Alternate email 3",
        Kind.EMAIL,
        "altemail3",
        "alternateemail3",
        "otheremail3",
        "email4",
        "secondaryemail3",
    ),
)
FIELDS = {field.key: field for field in LEAD_FIELDS}
NAME_FIELDS = tuple(field.key for field in LEAD_FIELDS if field.kind is None)
ADDRESS_FIELDS: tuple[tuple[str, Kind], ...] = tuple(
    (field.key, field.kind) for field in LEAD_FIELDS if field.kind is not None
)

# Not stored: a spreadsheet's one column for the whole name, split into first and last names on
# import, whose own lengths then hold.
FULL_NAME = LeadField(
    "full_name",
    "fullName",
    "Full name",
    FIELDS["first_name"].max_length + 1 + FIELDS["last_name"].max_length,
    None,
    ("name", "fullname", "contactname", "contact", "leadname"),
)
