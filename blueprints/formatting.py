"""How pages write addresses and times, one way everywhere: Jinja filters (registered by the leads
blueprint) over two plain functions the unit tests call directly."""

from contextlib import suppress
from datetime import datetime
from functools import lru_cache

import phonenumbers
from flask import g
from flask_login import current_user

from models.types import utcnow


@lru_cache(maxsize=8192)
def phone_display(e164: str, region: str) -> str:
    """A stored E.164 number as people read it: national format ("(202) 555-0142") when it has
    the calling code of `region` and dials as written there, international otherwise. Anything that
    isn't a number comes back as it is. Cached: a page writes the same numbers on each poll."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == phonenumbers.country_code_for_region(region):
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        # A few old numbers (Gabon's 7-digit ones) gain a digit when read back from their national form.
        with suppress(phonenumbers.NumberParseException):
            if phonenumbers.parse(national, region) == number:
                return national
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def relative_time(then: datetime, now: datetime) -> str:
    """ "3 min ago", "2 h ago", "5 days ago"; past a week the date ("12 Mar", with the year when it
    isn't this one's). A time ahead of `now` (another machine's clock) reads "just now"."""
    seconds = (now - then).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 24 * 60:
        return f"{minutes // 60} h ago"
    days = minutes // (24 * 60)
    if days < 7:
        return "1 day ago" if days == 1 else f"{days} days ago"
    return f"{then.day} {then:%b}" + ("" if then.year == now.year else f" {then.year}")


def address_filter(address: str | None) -> str:
    """A normalised address for the page: phones in the signed-in workspace's region, emails as stored."""
    if not address or not address.startswith("+"):
        return address or ""
    # Once a request: a page writes ~100 phones, and each current_user lookup costs more than the format.
    if "phone_region" not in g:
        g.phone_region = current_user.workspace.default_region
    return phone_display(address, g.phone_region)


def extra_addresses_filter(fields: list) -> tuple[list, int]:
    """A row's addresses past the primary phone and email that hold something, and how many of
    them are invalid: in Python, as Jinja's selectattr cost ~8% of a leads page."""
    extra = [value for value in fields[2:] if value.raw]
    return extra, sum(1 for value in extra if value.invalid)


def ago_filter(then: datetime) -> str:
    return relative_time(then, utcnow())
