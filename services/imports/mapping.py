"""Matching a file's column headers to lead fields, the way CRMs spell them."""

import re

from availability.fields import ADDRESS_FIELDS, FULL_NAME, LEAD_FIELDS

# The fields a column can be mapped to, with their labels, in the mapping page's order.
IMPORT_FIELDS = {field.key: field.label for field in (*LEAD_FIELDS[:2], FULL_NAME, *LEAD_FIELDS[2:])}
ADDRESS_FIELD_NAMES = {field for field, _ in ADDRESS_FIELDS}
# Headers are compared after lowercasing and dropping everything but letters and digits.
_LOOKUP = {alias: field.key for field in (*LEAD_FIELDS, FULL_NAME) for alias in field.synonyms}


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
    duplicated = sorted({IMPORT_FIELDS[f] for f in used if used.count(f) > 1})
    if duplicated:
        return f"More than one column is mapped to {', '.join(duplicated)}."
    return None
