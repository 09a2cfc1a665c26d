"""A row's cells as a lead's field values, by the confirmed mapping: each column to its field, and
the pools' phones and emails into the lead's free slots (availability/fields.py says the rule)."""

import re
from dataclasses import dataclass

from availability.fields import ANY_EMAIL, EMAIL_SLOTS, MOBILE_PHONE, MOBILE_TYPES, PHONE_SLOTS, PHONE_TYPE, POOLS

# Google Contacts writes several values of one kind in one cell: "+1 202-555-0142 ::: +1 202-555-0143".
SEPARATOR = ":::"
_POOL_KEYS = frozenset(field.key for field in POOLS)
_SLOTS = (*PHONE_SLOTS, *EMAIL_SLOTS)


@dataclass(frozen=True)
class Plan:
    fixed: tuple[tuple[int, str], ...]  # (column, field)
    phones: tuple[tuple[int, bool, int | None], ...]  # (column, a mobile column, its type column)
    emails: tuple[int, ...]


def plan(mapping: list[str | None]) -> Plan:
    fixed, phones, emails, type_column = [], [], [], None
    for column, field in enumerate(mapping):
        if field == PHONE_TYPE.key:
            type_column = column
        elif field == ANY_EMAIL.key:
            emails.append(column)
        elif field in _POOL_KEYS:
            phones.append((column, field == MOBILE_PHONE.key, type_column))
            type_column = None
        elif field:
            fixed.append((column, field))
    return Plan(tuple(fixed), tuple(phones), tuple(emails))


def values(plan: Plan, cells: list[str]) -> dict[str, str]:
    """The row's value per field; empty when the row has none."""
    width = len(cells)
    out = {field: cells[column].strip() for column, field in plan.fixed if column < width}
    if not (plan.phones or plan.emails) and not any(SEPARATOR in out.get(slot, "") for slot in _SLOTS):
        return out  # the common case, 800,000 times in a large import: nothing to move
    mobiles, phones, emails = [], [], []
    for column, mobile, type_column in plan.phones:
        numbers = _split(cells[column]) if column < width else ()
        if not numbers:
            continue
        types = _split(cells[type_column]) if type_column is not None and type_column < width else ()
        for n, number in enumerate(numbers):
            kind = (types[n] if n < len(types) else types[0] if types else "").lower()
            (mobiles if mobile or any(word in kind for word in MOBILE_TYPES) else phones).append(number)
    for column in plan.emails:
        if column < width:
            emails += _split(cells[column])
    _fill(out, PHONE_SLOTS, mobiles + phones, _digits)
    _fill(out, EMAIL_SLOTS, emails, str.lower)
    return out


def _split(cell: str) -> list[str]:
    if SEPARATOR not in cell:
        cell = cell.strip()
        return [cell] if cell else []
    return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]


_NOT_DIGITS = re.compile(r"\D")


def _digits(phone: str) -> str:
    return _NOT_DIGITS.sub("", phone) or phone.lower()


def _fill(out: dict[str, str], slots: tuple[str, ...], pooled: list[str], same) -> None:
    """Mapped slots keep their column's value (a multi-value cell's further values join the pool, last);
    the pool's values, mobiles first, fill the free slots in order. The same number twice is kept once."""
    for slot in slots:
        if SEPARATOR in out.get(slot, ""):
            first, *extra = _split(out[slot]) or [""]
            out[slot] = first
            pooled = pooled + extra
    if not pooled:
        return
    seen = {same(out[slot]) for slot in slots if out.get(slot)}
    free = [slot for slot in slots if not out.get(slot)]
    for value in pooled:
        if not free:
            return  # a lead keeps 4 phones and 4 emails; the row's further ones are not imported
        if same(value) not in seen:
            seen.add(same(value))
            out[free.pop(0)] = value
