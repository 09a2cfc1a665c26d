"""The leads table's search text: how a lead's names and addresses, and a query, are folded alike."""

import re

# Only what a phone number is written with: digits and these separators.
_WRITTEN_PHONE = re.compile(r"[\d\s()+./-]*\d[\d\s()+./-]*")


def search_fold(text: str) -> str:
    """How the search reads a lead's text and a query alike: lower-cased, and a phone number, however
    written, as its digits alone ("(415) 555-0100" and "415.555.0100" are "4155550100"), so a number
    pasted in any format finds the lead."""
    text = text.strip().lower()
    return re.sub(r"\D", "", text) if _WRITTEN_PHONE.fullmatch(text) else text


def search_text(names, addresses) -> str:
    """What the leads table's search box looks through, in one short column (one column read, not
    nineteen), folded as a query is (search_fold): the names and company, then each address as
    normalised, and as typed only where that says more (an invalid address; not the same number or
    email again, which would make every search read more). `addresses`: (as typed, normalised)."""
    parts = [search_fold(name) for name in names if name]
    for typed, norm in addresses:
        known = search_fold(norm) if norm else ""
        if known:
            parts.append(known)
        written = search_fold(typed) if typed else ""
        if written and written not in known:
            parts.append(written)
    return " ".join(parts)[:1000]
