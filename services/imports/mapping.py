"""Matching a file's column headers to lead fields, the way CRMs and contact apps spell them."""

import re

from availability.fields import (
    ANY_EMAIL,
    ANY_PHONE,
    FULL_NAME,
    LEAD_FIELDS,
    MOBILE_PHONE,
    PHONE_TYPE,
    POOLS,
)

# The fields a column can be mapped to, with their labels, in the mapping page's order.
IMPORT_FIELDS = {field.key: field.label for field in (*LEAD_FIELDS[:2], FULL_NAME, *LEAD_FIELDS[2:], *POOLS)}
# Mapped to one of these, a column holds addresses to check.
ADDRESS_KEYS = frozenset(field.key for field in (*LEAD_FIELDS, *POOLS) if field.kind)
# Any number of columns may go to a pool; every other field takes one column.
POOL_KEYS = frozenset(field.key for field in POOLS)
# Headers are compared after lowercasing and dropping everything but letters and digits.
_LOOKUP = {alias: field.key for field in (*LEAD_FIELDS, FULL_NAME, *POOLS) for alias in field.synonyms}
_PHONE_POOLS = (MOBILE_PHONE.key, ANY_PHONE.key)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def guess_mapping(headers: list[str]) -> list[str | None]:
    """For each column, the lead field it most likely holds (None: ignore). Each field but the
    pools is used once, the first column claiming it wins. A file's lone phone (email) column is its
    Primary phone (email); when it has several, they go to the pools, and a mobile is the Primary
    phone even beside a column called Phone (HubSpot's Phone Number is a desk line)."""
    keys = [_key(header) for header in headers]
    guesses = [_LOOKUP.get(key) for key in keys]
    _lone(guesses, _PHONE_POOLS, "phone", typed=PHONE_TYPE.key in guesses)
    _lone(guesses, (ANY_EMAIL.key,), "email", typed=False)
    if MOBILE_PHONE.key in guesses or PHONE_TYPE.key in guesses:
        # A column called just Phone is no more primary than the mobile; one called Primary Phone is.
        guesses = [ANY_PHONE.key if key == "phone" else field for key, field in zip(keys, guesses)]
    taken: set[str] = set()
    mapping: list[str | None] = []
    for field in guesses:
        if field in taken:
            field = None
        elif field and field not in POOL_KEYS:
            taken.add(field)
        mapping.append(field)
    return mapping


def _lone(guesses: list, pools: tuple[str, ...], primary: str, typed: bool) -> None:
    loose = [i for i, field in enumerate(guesses) if field in pools]
    if len(loose) == 1 and primary not in guesses and not typed:
        guesses[loose[0]] = primary


def column_problems(headers: list[str], mapping: list[str | None]) -> dict[int, str]:
    """Each column whose field an earlier column already took, with why, for the mapping page to
    say beside that column (mapping_problem says it of the whole mapping, for the API)."""
    first: dict[str, int] = {}
    problems = {}
    for i, field in enumerate(mapping):
        if not field or field in POOL_KEYS:
            continue
        if field in first:
            problems[i] = (
                f"Column “{headers[first[field]]}” is already {IMPORT_FIELDS[field]}: choose another field or Ignore."
            )
        else:
            first[field] = i
    return problems


def mapping_problem(mapping: list[str | None]) -> str | None:
    """Why a mapping can't be imported, or None."""
    used = [f for f in mapping if f]
    if not any(f in ADDRESS_KEYS for f in used):
        return "No column holds a phone number or an email address, so there is nothing to check."
    duplicated = sorted({IMPORT_FIELDS[f] for f in used if f not in POOL_KEYS and used.count(f) > 1})
    if duplicated:
        return f"More than one column is mapped to {', '.join(duplicated)}."
    return None
