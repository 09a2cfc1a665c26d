"""The demo line: its documented rule, auth, rate limit, errors and latency, over real HTTP."""

import time

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from demo_line import DemoLineServer, demo_availability


@given(st.text(alphabet="0123456789", min_size=8, max_size=15))
def test_phones_are_available_exactly_when_the_last_digit_is_even(digits):
    assert demo_availability("+" + digits) is (int(digits[-1]) % 2 == 0)


@given(st.emails())
def test_emails_are_available_exactly_on_apple_domains(email):
    expected = email.rsplit("@", 1)[1].lower() in {"icloud.com", "me.com", "mac.com"}
    assert demo_availability(email) in (expected, None)


@pytest.mark.parametrize("address", ["", "12025550142", "+1234", "hello", "a@b"])
def test_anything_else_is_invalid(address):
    assert demo_availability(address) is None


def check(server, address, key="k"):
    return requests.post(
        f"{server.url}/capability/check_imessage",
        json={"address": address},
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )


def test_answers_follow_the_rule_and_auth_is_required():
    with DemoLineServer(api_key="k") as server:
        assert check(server, "+12025550142").json() == {"address": "+12025550142", "available": True}
        assert check(server, "ada@me.com").json()["available"] is True
        invalid = check(server, "555")
        assert invalid.status_code == 400 and invalid.json()["error"]["code"] == 1002
        unauthorized = check(server, "+12025550142", key="wrong")
        assert unauthorized.status_code == 401 and unauthorized.json()["error"]["code"] == 2004
        assert requests.get(server.url + "/nowhere", timeout=5).status_code == 404
        assert server.stats["calls"] == 4 and server.stats["unauthorized"] == 1


def test_the_rate_limit_answers_429_with_retry_after():
    with DemoLineServer(api_key="k", rate_per_minute=3) as server:
        assert [check(server, "+12025550142").status_code for _ in range(3)] == [200] * 3
        limited = check(server, "+12025550142")
        assert limited.status_code == 429
        wait = limited.json()["error"]["retry_after"]
        assert 1 <= wait <= 60 and limited.headers["Retry-After"] == str(wait)
        assert server.stats["rate_limited"] == 1


def test_an_error_rate_of_one_always_fails():
    with DemoLineServer(error_rate=1.0) as server:
        response = check(server, "+12025550142")
        assert response.status_code == 500 and response.json()["error"]["code"] == 3006


def test_latency_is_applied():
    with DemoLineServer(latency=0.2) as server:
        started = time.monotonic()
        check(server, "+12025550142")
        assert time.monotonic() - started >= 0.2
