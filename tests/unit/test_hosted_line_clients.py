"""The Sendblue and Blooio clients against a real HTTP server on loopback, for every answer in
LINE_APIS.md §3, in the one vocabulary."""

import socket
import time

import pytest

from availability.lines import PROVIDERS, LineConfig, client_for
from availability.outcomes import Outcome
from recorder import Recorder


@pytest.fixture
def server():
    recorder = Recorder()
    yield recorder
    recorder.stop()


def sendblue(url, secret="key-id:secret-key", sender=None):
    return client_for(LineConfig("sendblue", url, secret, sender), read_timeout=2, allow_private=True)


def blooio(url, key="bl-key", sender=None):
    return client_for(LineConfig("blooio", url, key, sender), read_timeout=2, allow_private=True)


# --- Sendblue ----------------------------------------------------------------------------------


def test_sendblue_asks_evaluate_service_with_both_keys(server):
    server.reply(200, {"number": "+447946095800", "service": "iMessage"})
    assert sendblue(server.url + "/").check("+447946095800").outcome is Outcome.AVAILABLE
    sent = server.last()
    assert (sent.method, sent.target) == ("GET", "/api/evaluate-service?number=%2B447946095800")
    assert (sent.headers["sb-api-key-id"], sent.headers["sb-api-secret-key"]) == ("key-id", "secret-key")


@pytest.mark.parametrize(
    "address, body, outcome",
    [
        ("+12025550142", {"number": "+12025550142", "service": "iMessage"}, Outcome.AVAILABLE),
        ("+12025550143", {"number": "+12025550143", "service": "SMS"}, Outcome.UNAVAILABLE),
        # An email answered SMS: no iMessage found (not "can get an SMS").
        ("ada@example.com", {"number": "ada@example.com", "service": "SMS"}, Outcome.UNAVAILABLE),
        ("+12025550142", {"number": "+12025550142"}, Outcome.TRANSIENT),
        ("+12025550142", {"number": "+12025550142", "service": "RCS"}, Outcome.TRANSIENT),
    ],
)
def test_sendblue_answers(server, address, body, outcome):
    server.reply(200, body)
    assert sendblue(server.url).check(address).outcome is outcome


@pytest.mark.parametrize(
    "status, body, headers, outcome, retry_after",
    [
        (400, {"status": "ERROR", "error_message": "Invalid phone number"}, {}, Outcome.INVALID_ADDRESS, None),
        # The new-contact cap is about sends: for a check it is "could not tell", not an invalid address.
        (
            400,
            {"status": "ERROR", "error_code": 429, "error_key": "LINE_HOURLY_LIMIT_REACHED"},
            {},
            Outcome.TRANSIENT,
            None,
        ),
        (401, {"status": "ERROR", "message": "Invalid API credentials"}, {}, Outcome.LINE_UNHEALTHY, None),
        (403, {"status": "ERROR", "message": "Forbidden"}, {}, Outcome.LINE_UNHEALTHY, None),
        (404, b"Cannot GET /api/evaluate-service", {}, Outcome.LINE_UNHEALTHY, None),
        (429, {"status": "ERROR", "message": "Too many requests"}, {"Retry-After": "120"}, Outcome.RATE_LIMITED, 120),
        (429, b"", {}, Outcome.RATE_LIMITED, 60),
        # An inconclusive lookup is a retryable error.
        (500, {"status": "ERROR", "error_message": "Lookup inconclusive, retry later"}, {}, Outcome.TRANSIENT, None),
        (503, b"<html>unavailable</html>", {}, Outcome.TRANSIENT, None),
        (200, b"{not json", {}, Outcome.TRANSIENT, None),
    ],
)
def test_sendblue_error_shapes(server, status, body, headers, outcome, retry_after):
    server.reply(status, body, headers)
    result = sendblue(server.url).check("+12025550142")
    assert result.outcome is outcome and result.retry_after == retry_after
    assert "<html>" not in result.detail


@pytest.mark.parametrize("secret", ["only-one-part", ":secret", "key-id:", None])
def test_a_sendblue_line_without_both_keys_is_unhealthy_without_a_call(server, secret):
    result = sendblue(server.url, secret=secret).check("+12025550142")
    assert result.outcome is Outcome.LINE_UNHEALTHY and "KEY_ID:SECRET" in result.detail
    assert server.requests == []
    assert PROVIDERS["sendblue"].secret_problem(secret or "") is not None
    assert PROVIDERS["sendblue"].secret_problem("key-id:secret-key") is None


def test_sendblue_sends_from_the_lines_number(server):
    server.reply(202, {"status": "QUEUED", "message_handle": "h1"})
    assert sendblue(server.url, sender="+12025550100").send("+12025550142", "Hi", "sms").sent
    sent = server.last()
    assert (sent.method, sent.target) == ("POST", "/api/send-message")
    assert sent.json == {"number": "+12025550142", "content": "Hi", "from_number": "+12025550100"}
    assert sent.headers["sb-api-secret-key"] == "secret-key"


@pytest.mark.parametrize(
    "key, headers, low, high",
    [
        ("LINE_HOURLY_LIMIT_REACHED", {}, 3600, 3600),
        ("LINE_DAILY_LIMIT_REACHED", {}, 1, 86400),
        ("LINE_HOURLY_LIMIT_REACHED", {"Retry-After": "900"}, 900, 900),
    ],
)
def test_the_new_contact_cap_pauses_sends(server, key, headers, low, high):
    server.reply(
        400, {"status": "ERROR", "error_code": 429, "error_key": key, "error_message": "limit reached"}, headers
    )
    result = sendblue(server.url).send("+12025550142", "Hi", "imessage")
    assert not result.sent and "cap on new contacts" in result.detail
    assert low <= result.pause_sends_for <= high


@pytest.mark.parametrize(
    "status, body, words",
    [
        (200, {"status": "ERROR", "error_message": "Recipient opted out"}, "opted out"),
        (400, {"status": "ERROR", "error_message": "Invalid number"}, "Invalid number"),
        (401, {"status": "ERROR", "message": "Unauthorized"}, "credentials"),
        (429, {"status": "ERROR", "message": "Too many requests"}, "rate limited"),
    ],
)
def test_a_refused_sendblue_send_says_why_and_pauses_nothing(server, status, body, words):
    server.reply(status, body)
    result = sendblue(server.url).send("+12025550142", "Hi", "imessage")
    assert not result.sent and words in result.detail and result.pause_sends_for is None


# --- Blooio ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address, target",
    [
        ("+12025550142", "/v2/api/contacts/%2B12025550142/capabilities"),
        ("ada+crm@icloud.com", "/v2/api/contacts/ada%2Bcrm%40icloud.com/capabilities"),
    ],
)
def test_blooio_asks_the_contacts_capabilities_with_a_bearer_key(server, address, target):
    server.reply(200, {"contact": address, "capabilities": {"imessage": True, "sms": True}})
    assert blooio(server.url + "/v2/api").check(address).outcome is Outcome.AVAILABLE
    sent = server.last()
    assert (sent.method, sent.target, sent.headers["authorization"]) == ("GET", target, "Bearer bl-key")


@pytest.mark.parametrize(
    "body, outcome",
    [
        ({"contact": "+1", "type": "phone", "capabilities": {"imessage": True, "sms": True}}, Outcome.AVAILABLE),
        ({"contact": "+1", "type": "phone", "capabilities": {"imessage": False, "sms": True}}, Outcome.UNAVAILABLE),
        ({"contact": "a@b.co", "type": "email", "capabilities": {"imessage": False}}, Outcome.UNAVAILABLE),
        ({"contact": "+1", "capabilities": {"sms": True}}, Outcome.TRANSIENT),
        ({"contact": "+1", "capabilities": {"imessage": None}}, Outcome.TRANSIENT),
        ({"contact": "+1"}, Outcome.TRANSIENT),
    ],
)
def test_blooio_answers(server, body, outcome):
    server.reply(200, body)
    assert blooio(server.url).check("+12025550142").outcome is outcome


@pytest.mark.parametrize(
    "status, body, headers, outcome, retry_after",
    [
        (400, {"error": "Invalid contact identifier"}, {}, Outcome.INVALID_ADDRESS, None),
        (401, {"error": "Unauthorized", "message": "Invalid API key"}, {}, Outcome.LINE_UNHEALTHY, None),
        (403, {"error": "Forbidden"}, {}, Outcome.LINE_UNHEALTHY, None),
        (404, {"error": "Not found"}, {}, Outcome.LINE_UNHEALTHY, None),
        (429, {"error": "Too many requests"}, {"Retry-After": "30"}, Outcome.RATE_LIMITED, 30),
        (429, {"error": "Too many requests", "retry_after": 12}, {}, Outcome.RATE_LIMITED, 12),
        (429, b"", {}, Outcome.RATE_LIMITED, 60),
        (422, {"error": "Unprocessable"}, {}, Outcome.TRANSIENT, None),
        (500, {"error": "Internal server error"}, {}, Outcome.TRANSIENT, None),
        (502, b"<html>bad gateway</html>", {}, Outcome.TRANSIENT, None),
        (200, b"\x00\xff not json", {}, Outcome.TRANSIENT, None),
    ],
)
def test_blooio_error_shapes(server, status, body, headers, outcome, retry_after):
    server.reply(status, body, headers)
    result = blooio(server.url).check("+12025550142")
    assert result.outcome is outcome and result.retry_after == retry_after
    assert "<html>" not in result.detail


def test_blooio_sends_text_to_the_chat_named_by_the_address(server):
    server.reply(200, {"message_id": "m1", "status": "queued"})
    assert blooio(server.url, sender="+12025550100").send("+12025550142", "Hi", "imessage").sent
    sent = server.last()
    assert (sent.method, sent.target) == ("POST", "/chats/%2B12025550142/messages")
    assert sent.json == {"text": "Hi", "from_number": "+12025550100"}


@pytest.mark.parametrize(
    "status, body, words",
    [
        (401, {"error": "Unauthorized"}, "credentials"),
        (429, {"error": "Too many requests"}, "rate limited"),
        (400, {"error": "Recipient not reachable"}, "not reachable"),
        (500, b"<html>oops</html>", "500"),
    ],
)
def test_a_refused_blooio_send_says_why(server, status, body, words):
    server.reply(status, body)
    result = blooio(server.url).send("+12025550142", "Hi", "imessage")
    assert not result.sent and words in result.detail and "<html>" not in result.detail


# --- The network failing ------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["sendblue", "blooio"])
def test_a_server_that_never_answers_times_out(provider):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        client = client_for(LineConfig(provider, url, "k:s"), connect_timeout=1, read_timeout=0.5, allow_private=True)
        started = time.monotonic()
        result = client.check("+12025550142")
    assert result.outcome is Outcome.TRANSIENT and "timed out" in result.detail
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("provider", ["sendblue", "blooio"])
def test_a_line_that_is_down_could_not_tell_and_sends_nothing(provider):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"  # nobody listens there once closed
    client = client_for(LineConfig(provider, url, "k:s"), allow_private=True)
    assert client.check("+12025550142").outcome is Outcome.TRANSIENT
    assert not client.send("+12025550142", "Hi", "imessage").sent


@pytest.mark.parametrize("provider", ["sendblue", "blooio"])
def test_hosted_lines_may_not_reach_private_addresses(provider):
    result = client_for(LineConfig(provider, "http://127.0.0.1:9", "k:s")).check("+12025550142")
    assert result.outcome is Outcome.LINE_UNHEALTHY
