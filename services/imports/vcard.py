"""vCard files (.vcf, as Apple Contacts and Google Contacts export them; vCard 2.1, 3.0 and 4.0) as
rows with the lead fields' labels for headers, so the mapping page shows them matched.

Each card is cut out of the file by its BEGIN/END lines and parsed alone by vobject, so a malformed
card becomes a problem row (reader.UnreadRow) and the others still land. Photos are dropped as the
file is read: they are most of an export's bytes and no lead field.
"""

import re
from collections.abc import Iterator

import vobject

from availability.fields import LEAD_FIELDS, MOBILE_TYPES, Kind

from .reader import MAX_CELL, UnreadRow

HEADERS = [field.label for field in LEAD_FIELDS]
# A card's text once its photos are dropped; a real one is a few hundred bytes.
MAX_CARD = 256 * 1024
_DROPPED = re.compile(r"^(?:[\w-]+\.)?(?:PHOTO|LOGO|SOUND|KEY)[;:]", re.IGNORECASE)
_BEGIN, _END = "BEGIN:VCARD", "END:VCARD"


def rows(path, encoding: str) -> Iterator[list[str]]:
    yield list(HEADERS)
    for number, text in enumerate(_cards(path, encoding), start=1):
        try:
            if text is None:
                raise ValueError(f"it is longer than {MAX_CARD // 1024} KB without its photo")
            yield _row(vobject.readOne(text))
        except Exception as exc:  # noqa: BLE001 - any failure of the parser on one card is that card's
            name = re.search(r"^FN[^:\n]*:(.*)$", text or "", re.MULTILINE | re.IGNORECASE)
            which = f"Card {number}" + (f" ({name.group(1).strip()[:60]})" if name else "")
            reason = f"{which} can't be read as a vCard: {str(exc)[:200] or type(exc).__name__}"
            yield UnreadRow([""] * len(HEADERS), reason)


def _cards(path, encoding: str) -> Iterator[str | None]:
    """Each card's text (None for one too long), its photo lines dropped; text between cards is
    ignored, and a card left open by the next BEGIN is given as it is (its parser says why)."""
    card: list[str] | None = None
    size, dropping, soft_break = 0, False, False
    with open(path, encoding=encoding, errors="replace", newline=None) as f:
        for line in f:
            line = line.replace("\x00", "").rstrip("\n")
            bare = line.strip().upper()
            if bare == _BEGIN:
                if card is not None:
                    yield "\n".join(card) if size <= MAX_CARD else None
                card, size, dropping, soft_break = [line], len(line), False, False
            elif card is None:
                continue
            elif bare == _END:
                card.append(line)
                yield "\n".join(card) if size <= MAX_CARD else None
                card = None
            elif dropping and line[:1] in (" ", "\t"):
                continue  # a folded line of a dropped photo
            elif soft_break:  # vCard 2.1's quoted-printable soft line break: "=" ends the line
                card[-1] = card[-1][:-1] + line
                size += len(line)
                soft_break = line.endswith("=")
            elif _DROPPED.match(line):
                dropping = True
            else:
                dropping = False
                size += len(line)
                if size <= MAX_CARD:
                    card.append(line)
                    soft_break = line.endswith("=") and "QUOTED-PRINTABLE" in line.partition(":")[0].upper()
    if card is not None:
        yield "\n".join(card) if size <= MAX_CARD else None


def _row(card) -> list[str]:
    contents = card.contents
    first = last = ""
    if contents.get("n"):
        name = contents["n"][0].value
        first, last = _text(getattr(name, "given", "")), _text(getattr(name, "family", ""))
    if not (first or last) and contents.get("fn"):
        first, _, last = _text(contents["fn"][0].value).partition(" ")
    company = _text(contents["org"][0].value[:1]) if contents.get("org") else ""  # not its units
    labels = {label.group: _text(label.value).lower() for label in contents.get("x-ablabel", []) if label.group}
    phones = _ordered(contents.get("tel", []), labels, mobile_first=True)
    emails = _ordered(contents.get("email", []), labels, mobile_first=False)
    names = {"first_name": first, "last_name": last.strip(), "company": company}
    row = []
    for field in LEAD_FIELDS:
        values = phones if field.kind is Kind.PHONE else emails if field.kind is Kind.EMAIL else None
        row.append(values.pop(0) if values else "" if values is not None else names.get(field.key, ""))
    # A card's fifth phone and fifth email on are not imported: a lead keeps 4 of each.
    return [cell[:MAX_CELL] for cell in row]


def _ordered(properties: list, labels: dict[str, str], mobile_first: bool) -> list[str]:
    """The values, the preferred (PREF) first; for phones, a mobile before all (Apple's iPhone and
    its "Mobile" label included), then the others in the card's order."""
    ranked = []
    for position, prop in enumerate(properties):
        value = _text(prop.value)
        if value.lower().startswith("tel:"):  # vCard 4.0's VALUE=uri
            value = value[4:]
        if not value:
            continue
        params = getattr(prop, "params", {})
        types = ",".join([*params.get("TYPE", []), *getattr(prop, "singletonparams", [])]).lower()
        types += "," + labels.get(prop.group, "") if prop.group else ""
        mobile = mobile_first and any(word in types for word in MOBILE_TYPES)
        preferred = "pref" in types.split(",") or "PREF" in params
        ranked.append((not mobile, not preferred, position, value))
    return [value for *_, value in sorted(ranked)]


def _text(value) -> str:
    """vobject's value as text: ORG and N parts come as lists."""
    if isinstance(value, list | tuple):
        value = " ".join(str(part) for part in value if part)
    return str(value or "").strip()
