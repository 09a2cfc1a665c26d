"""Matching a file's column headers to lead fields, the way CRMs spell them."""
import re

from availability.addresses import ADDRESS_FIELDS

LEAD_FIELDS = {
    "first_name": "First name", "last_name": "Last name", "full_name": "Full name",
    "company": "Company",
    "phone": "Primary phone", "email": "Primary email",
    "alt_phone1": "Alternate phone 1", "alt_phone2": "Alternate phone 2", "alt_phone3": "Alternate phone 3",
    "alt_email1": "Alternate email 1", "alt_email2": "Alternate email 2", "alt_email3": "Alternate email 3",
}
ADDRESS_FIELD_NAMES = {field for field, _ in ADDRESS_FIELDS}

# Headers are compared after lowercasing and dropping everything but letters and digits.
_SYNONYMS = {
    "first_name": ["firstname", "first", "givenname", "fname", "forename"],
    "last_name": ["lastname", "last", "surname", "familyname", "lname"],
    "full_name": ["name", "fullname", "contactname", "contact", "leadname"],
    "company": ["company", "companyname", "organization", "organisation", "account", "accountname",
                "business", "employer"],
    "phone": ["phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "cell", "cellphone",
              "cellnumber", "telephone", "tel", "primaryphone", "phone1", "mainphone", "directphone",
              "workphone", "number"],
    "email": ["email", "emailaddress", "mail", "primaryemail", "email1", "workemail", "emailid"],
    "alt_phone1": ["altphone", "altphone1", "alternatephone", "alternatephone1", "otherphone",
                   "otherphone1", "secondaryphone", "phone2", "homephone", "mobile2", "additionalphone"],
    "alt_phone2": ["altphone2", "alternatephone2", "otherphone2", "phone3", "secondaryphone2"],
    "alt_phone3": ["altphone3", "alternatephone3", "otherphone3", "phone4", "secondaryphone3"],
    "alt_email1": ["altemail", "altemail1", "alternateemail", "alternateemail1", "secondaryemail",
                   "otheremail", "otheremail1", "email2", "personalemail", "additionalemail"],
    "alt_email2": ["altemail2", "alternateemail2", "otheremail2", "email3", "secondaryemail2"],
    "alt_email3": ["altemail3", "alternateemail3", "otheremail3", "email4", "secondaryemail3"],
}
_LOOKUP = {alias: field for field, aliases in _SYNONYMS.items() for alias in aliases}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: list[str]) -> list[str | None]:
    """For each column, the lead field it most likely holds (None: ignore). Each field is used once;
    the first column claiming it wins."""
    taken: set[str] = set()
    mapping: list[str | None] = []
    for header in headers:
        field = _LOOKUP.get(_key(header))
        if field in taken:
            field = None
        if field:
            taken.add(field)
        mapping.append(field)
    return mapping


def mapping_problem(mapping: list[str | None]) -> str | None:
    """Why a mapping can't be imported, or None."""
    used = [f for f in mapping if f]
    if not any(f in ADDRESS_FIELD_NAMES for f in used):
        return "No column holds a phone number or an email address, so there is nothing to check."
    duplicated = sorted({LEAD_FIELDS[f] for f in used if used.count(f) > 1})
    if duplicated:
        return f"More than one column is mapped to {', '.join(duplicated)}."
    return None
