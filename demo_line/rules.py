"""The demo line's answers, fixed so a user can predict them:

- a phone number in E.164 ("+" then 8 to 15 digits) is available when its last digit is even,
  unavailable when it is odd;
- an email address is available when its domain is icloud.com, me.com or mac.com, unavailable
  otherwise;
- anything else is not a valid address (answered 400, code 1002).
"""

import re

PHONE = re.compile(r"\+\d{8,15}")
EMAIL = re.compile(r"[^@\s]+@([^@\s]+\.[^@\s]+)")
APPLE_DOMAINS = {"icloud.com", "me.com", "mac.com"}


def demo_availability(address: str) -> bool | None:
    """True/False by the rule above; None when the address is not a valid phone or email."""
    if PHONE.fullmatch(address):
        return int(address[-1]) % 2 == 0
    email = EMAIL.fullmatch(address)
    if email:
        return email.group(1).lower() in APPLE_DOMAINS
    return None
