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


def _address(key: str, json: str, label: str, kind: Kind, synonyms: str) -> LeadField:
    return LeadField(key, json, label, MAX_ADDRESS_LENGTH, kind, _words(synonyms))


def _words(text: str) -> tuple[str, ...]:
    """Synonyms written as one string; "{}" stands for 1 to 9 (Google and Outlook number their columns)."""
    return tuple(word.format(n) for word in text.split() for n in (range(1, 10) if "{}" in word else (0,)))


# In the spec's order: the addresses among them are checked in this order, stopping at the first
# available one. A slot's own synonyms are the names that say which slot it is; the loose names of
# phones and emails (Mobile, Home Phone, E-mail 2 Address…) belong to the pools below.
LEAD_FIELDS: tuple[LeadField, ...] = (
    LeadField(
        "first_name",
        "firstName",
        "First name",
        100,
        None,
        _words("firstname first givenname fname forename personfirstname"),
    ),
    LeadField(
        "last_name", "lastName", "Last name", 100, None, _words("lastname last surname familyname lname personlastname")
    ),
    LeadField(
        "company",
        "company",
        "Company",
        200,
        None,
        _words(
            "company companyname organization organisation account accountname business employer organizationname"
            " organization{}name personorganization"
        ),
    ),
    _address("phone", "phone", "Primary phone", Kind.PHONE, "phone primaryphone"),
    _address("email", "email", "Primary email", Kind.EMAIL, "email primaryemail"),
    _address(
        "alt_phone1",
        "altPhone1",
        "Alternate phone 1",
        Kind.PHONE,
        "altphone altphone1 alternatephone alternatephone1 secondaryphone additionalphone",
    ),
    _address("alt_phone2", "altPhone2", "Alternate phone 2", Kind.PHONE, "altphone2 alternatephone2 secondaryphone2"),
    _address("alt_phone3", "altPhone3", "Alternate phone 3", Kind.PHONE, "altphone3 alternatephone3 secondaryphone3"),
    _address(
        "alt_email1",
        "altEmail1",
        "Alternate email 1",
        Kind.EMAIL,
        "altemail altemail1 alternateemail alternateemail1 secondaryemail additionalemail",
    ),
    _address("alt_email2", "altEmail2", "Alternate email 2", Kind.EMAIL, "altemail2 alternateemail2 secondaryemail2"),
    _address("alt_email3", "altEmail3", "Alternate email 3", Kind.EMAIL, "altemail3 alternateemail3 secondaryemail3"),
)
FIELDS = {field.key: field for field in LEAD_FIELDS}
BY_JSON = {field.json: field for field in LEAD_FIELDS}
NAME_FIELDS = tuple(field.key for field in LEAD_FIELDS if field.kind is None)
ADDRESS_FIELDS: tuple[tuple[str, Kind], ...] = tuple(
    (field.key, field.kind) for field in LEAD_FIELDS if field.kind is not None
)
PHONE_SLOTS = tuple(key for key, kind in ADDRESS_FIELDS if kind is Kind.PHONE)
EMAIL_SLOTS = tuple(key for key, kind in ADDRESS_FIELDS if kind is Kind.EMAIL)

# Not stored: a spreadsheet's one column for the whole name, split into first and last names on
# import, whose own lengths then hold.
FULL_NAME = LeadField(
    "full_name",
    "fullName",
    "Full name",
    FIELDS["first_name"].max_length + 1 + FIELDS["last_name"].max_length,
    None,
    _words("name fullname contactname contact leadname personname"),
)

# Pools, not stored: a file may have many phone and email columns (Outlook has eight phones). On
# each row, the pools' values fill the lead's free phone (email) slots in order, Primary first: a
# mobile's before any other phone, then in column order. A lead keeps 4 phones and 4 emails; a
# row's further ones are not imported. Mobile first: iMessage lives on mobiles.
MOBILE_PHONE = _address(
    "mobile_phone",
    "mobilePhone",
    "Mobile phone",
    Kind.PHONE,
    "mobile mobile{} mobilephone mobilephone{} mobilenumber mobilephonenumber cell cellphone cellnumber cellular"
    " iphone personphonemobile",
)
ANY_PHONE = _address(
    "any_phone",
    "anyPhone",
    "Any phone",
    Kind.PHONE,
    "anyphone phonenumber phone{} phone{}value telephone telephonenumber tel number mainphone directphone workphone"
    " officephone landline businessphone businessphone{} homephone homephone{} otherphone otherphone{} carphone"
    " personphone personphonework personphonehome personphoneother",
)
# The type of the phone in the next Any phone column on its right (Google: "Phone 1 - Type" then
# "Phone 1 - Value"): one that says mobile makes that number the row's first.
PHONE_TYPE = LeadField(
    "phone_type",
    "phoneType",
    "Type of the next phone",
    100,
    None,
    _words("phonetype typeofthenextphone phone{}type phone{}label"),
)
ANY_EMAIL = _address(
    "any_email",
    "anyEmail",
    "Any email",
    Kind.EMAIL,
    "anyemail emailaddress mail email{} email{}value email{}address workemail homeemail otheremail otheremail{}"
    " personalemail emailid personemail personemailwork personemailhome personemailother",
)
POOLS: tuple[LeadField, ...] = (MOBILE_PHONE, ANY_PHONE, PHONE_TYPE, ANY_EMAIL)
# Words in a phone's type (a Type column's value, a vCard's TYPE or label) that mean a mobile.
MOBILE_TYPES = ("mobile", "cell", "iphone")
