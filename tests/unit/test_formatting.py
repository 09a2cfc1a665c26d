"""Phones written one way (national in the workspace's region, international otherwise, always
dialling the same number) and times written as people say them."""

from datetime import datetime, timedelta

import phonenumbers
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from blueprints.formatting import phone_display, relative_time


@pytest.mark.parametrize(
    "e164, region, shown",
    [
        ("+12025550142", "US", "(202) 555-0142"),
        ("+442079460018", "US", "+44 20 7946 0018"),
        ("+442079460018", "GB", "020 7946 0018"),
        ("+12025550142", "GB", "+1 202-555-0142"),
        ("+4915123456789", "DE", "01512 3456789"),
        ("+2416031000", "GA", "+241 6 03 10 00"),  # its national form would dial another number
        ("not a number", "US", "not a number"),
    ],
)
def test_a_number_is_national_at_home_and_international_abroad(e164, region, shown):
    assert phone_display(e164, region) == shown


REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)


@st.composite
def valid_numbers(draw):
    """A valid number of any region: its example mobile or fixed line with other last digits."""
    region = draw(st.sampled_from(REGIONS))
    kind = draw(st.sampled_from([phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE]))
    example = phonenumbers.example_number_for_type(region, kind)
    assume(example is not None)
    national = str(example.national_number)
    tail = draw(st.text("0123456789", min_size=min(3, len(national)), max_size=min(3, len(national))))
    number = phonenumbers.parse(f"+{example.country_code}{national[: -len(tail)]}{tail}")
    assume(phonenumbers.is_valid_number(number))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(valid_numbers(), st.sampled_from(REGIONS))
def test_what_is_shown_dials_the_same_number_from_the_workspace(e164, region):
    shown = phone_display(e164, region)
    # Read back as a person in the workspace's region would type it: the very same number.
    again = phonenumbers.parse(shown, region)
    assert phonenumbers.format_number(again, phonenumbers.PhoneNumberFormat.E164) == e164
    if phonenumbers.parse(e164).country_code != phonenumbers.country_code_for_region(region):
        assert shown.startswith("+")


NOW = datetime(2026, 12, 1, 13, 33)


@pytest.mark.parametrize(
    "ago, said",
    [
        (timedelta(seconds=-30), "just now"),  # another machine's clock a little ahead
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=3, seconds=40), "3 min ago"),
        (timedelta(minutes=59), "59 min ago"),
        (timedelta(hours=2, minutes=59), "2 h ago"),
        (timedelta(hours=30), "1 day ago"),
        (timedelta(days=6), "6 days ago"),
        (timedelta(days=20), "11 Nov"),
        (timedelta(days=400), "27 Oct 2025"),
    ],
)
def test_times_are_said_as_people_say_them(ago, said):
    assert relative_time(NOW - ago, NOW) == said


@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1)), st.datetimes())
def test_any_time_is_said_in_a_few_words(then, now):
    said = relative_time(then, now)
    assert 0 < len(said) <= 12 and "\n" not in said
