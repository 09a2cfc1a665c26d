"""Each line client against a real HTTP server on loopback, for every answer in LINE_APIS.md."""

import json
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from availability.lines import LineConfig, client_for, safe_http
from availability.outcomes import Outcome
from demo_line import DemoLineServer


class Canned:
    """A loopback server that replays one canned answer and records what it was sent."""

    def __init__(self):
        self.status, self.headers, self.body = 200, {}, b"{}"
        self.requests = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                canned.requests.append(
                    {"line": self.requestline, "headers": dict(self.headers), "body": self.rfile.read(length)}
                )
                self.send_response(canned.status)
                for name, value in canned.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(canned.body)))
                self.end_headers()
                self.wfile.write(canned.body)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def reply(self, status, body, headers=None):
        self.status, self.headers = status, headers or {}
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.fixture
def server():
    canned = Canned()
    yield canned
    canned.httpd.shutdown()


def bluebubbles(url, password="pw"):
    return client_for(LineConfig("bluebubbles", url, password), read_timeout=2, allow_private=True)


def linq(url, key="key", sender=None):
    return client_for(LineConfig("linq", url, key, sender), read_timeout=2, allow_private=True)


# --- BlueBubbles -------------------------------------------------------------------------------


def bb_error(status, kind, message, top="An error occurred"):
    return {"status": status, "message": top, "error": {"type": kind, "message": message}}


@pytest.mark.parametrize("available, outcome", [(True, Outcome.AVAILABLE), (False, Outcome.UNAVAILABLE)])
def test_bluebubbles_answers(server, available, outcome):
    server.reply(200, {"status": 200, "message": "Success", "data": {"available": available}})
    assert bluebubbles(server.url).check("+12025550142").outcome is outcome


def test_bluebubbles_sends_plus_as_percent_2b_and_the_password(server):
    server.reply(200, {"status": 200, "message": "Success", "data": {"available": True}})
    bluebubbles(server.url + "/", password="p&ss word").check("+447946095800")
    line = server.requests[0]["line"]
    assert line.startswith("GET /api/v1/handle/availability/imessage?address=%2B447946095800&")
    assert "password=p%26ss%20word" in line and "+" not in line.split("?")[1]


def test_bluebubbles_sends_emails_encoded(server):
    server.reply(200, {"status": 200, "message": "Success", "data": {"available": False}})
    bluebubbles(server.url).check("ada+crm@icloud.com")
    assert "address=ada%2Bcrm%40icloud.com" in server.requests[0]["line"]


@pytest.mark.parametrize(
    "status, body",
    [
        (
            401,
            {
                "status": 401,
                "message": "You are not authorized to access this resource",
                "error": {"type": "Authentication Error", "message": "Missing server password!"},
            },
        ),
        (
            401,
            {
                "status": 401,
                "message": "You are not authorized to access this resource",
                "error": {"type": "Authentication Error", "message": "Unauthorized"},
            },
        ),
        (500, bb_error(500, "iMessage Error", "iMessage Private API is not enabled!")),
        (500, bb_error(500, "iMessage Error", "iMessage Private API Helper is not connected!")),
        (404, {"status": 404, "message": "Not Found"}),
    ],
)
def test_bluebubbles_line_problems_make_the_line_unhealthy(server, status, body):
    server.reply(status, body)
    result = bluebubbles(server.url).check("+12025550142")
    assert result.outcome is Outcome.LINE_UNHEALTHY and result.detail


@pytest.mark.parametrize(
    "status, body",
    [
        (
            500,
            bb_error(
                500,
                "Server Error",
                "Failed to determine iMessage availability!",
                top="An unhandled error has occurred!",
            ),
        ),
        (500, bb_error(500, "Server Error", "Transaction timeout")),
        (504, b"<html>Gateway Timeout</html>"),
        (502, b""),
        (200, b"<html>not json</html>"),
        (200, {"status": 200, "data": {"available": "yes"}}),
    ],
)
def test_bluebubbles_could_not_tell_is_transient(server, status, body):
    server.reply(status, body)
    assert bluebubbles(server.url).check("+12025550142").outcome is Outcome.TRANSIENT


def test_bluebubbles_validation_error_is_an_invalid_address(server):
    server.reply(400, bb_error(400, "Validation Error", "Address is required"))
    assert bluebubbles(server.url).check("+12025550142").outcome is Outcome.INVALID_ADDRESS


def test_bluebubbles_429_carries_retry_after(server):
    server.reply(429, {"status": 429}, {"Retry-After": "30"})
    result = bluebubbles(server.url).check("+12025550142")
    assert result.outcome is Outcome.RATE_LIMITED and result.retry_after == 30


# --- Linq v3 ------------------------------------------------------------------------------------


def linq_error(status, code, message, **extra):
    return {"error": {"status": status, "code": code, "message": message, **extra}, "success": False}


def test_linq_posts_json_with_bearer_and_from(server):
    server.reply(200, {"address": "+15551234567", "available": True})
    result = linq(server.url + "/api/partner/v3", key="sk_live", sender="+15559876543").check("+15551234567")
    sent = server.requests[0]
    assert result.outcome is Outcome.AVAILABLE
    assert sent["line"].startswith("POST /api/partner/v3/capability/check_imessage ")
    assert sent["headers"]["Authorization"] == "Bearer sk_live"
    assert json.loads(sent["body"]) == {"address": "+15551234567", "from": "+15559876543"}


def test_linq_omits_from_without_a_sender(server):
    server.reply(200, {"address": "a@b.co", "available": False})
    assert linq(server.url).check("a@b.co").outcome is Outcome.UNAVAILABLE
    assert json.loads(server.requests[0]["body"]) == {"address": "a@b.co"}


@pytest.mark.parametrize(
    "status, body, outcome",
    [
        (400, linq_error(400, 1002, "Phone number must be in E.164 format"), Outcome.INVALID_ADDRESS),
        (401, linq_error(401, 2004, "Unauthorized - missing or invalid authentication token"), Outcome.LINE_UNHEALTHY),
        (
            403,
            linq_error(403, 2005, "Access denied - insufficient permissions for this resource"),
            Outcome.LINE_UNHEALTHY,
        ),
        (500, linq_error(500, 3006, "Internal server error"), Outcome.TRANSIENT),
        (503, b"upstream unavailable", Outcome.TRANSIENT),
        (200, b"{not json", Outcome.TRANSIENT),
        (200, {"address": "+15551234567"}, Outcome.TRANSIENT),
    ],
)
def test_linq_error_shapes(server, status, body, outcome):
    server.reply(status, body)
    assert linq(server.url).check("+15551234567").outcome is outcome


def in_a_minute():
    return format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)


@pytest.mark.parametrize(
    "body, headers, expected",
    [
        (linq_error(429, 1007, "Rate limited. Try again in 45 seconds.", retry_after=45), {}, 45),
        ({**linq_error(429, 1007, "Rate limited."), "retry_after": 12}, {}, 12),
        (linq_error(429, 4001, "Too many requests"), {"Retry-After": "20"}, 20),
        (linq_error(429, 1007, "Rate limited. Try again in 33 seconds."), {}, 33),
        (b"", {}, 60),
    ],
)
def test_linq_429_finds_the_retry_after_wherever_it_is(server, body, headers, expected):
    server.reply(429, body, headers)
    result = linq(server.url).check("+15551234567")
    assert result.outcome is Outcome.RATE_LIMITED and result.retry_after == expected


def test_linq_429_with_an_http_date(server):
    server.reply(429, b"", {"Retry-After": in_a_minute()})
    result = linq(server.url).check("+15551234567")
    assert result.outcome is Outcome.RATE_LIMITED and 80 <= result.retry_after <= 90


# --- The network failing ------------------------------------------------------------------------


@pytest.fixture
def silent_server():
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.mark.parametrize("provider", ["bluebubbles", "linq"])
def test_a_server_that_never_answers_times_out(silent_server, provider):
    client = client_for(
        LineConfig(provider, silent_server, "pw"), connect_timeout=1, read_timeout=0.5, allow_private=True
    )
    started = time.monotonic()
    result = client.check("+12025550142")
    assert result.outcome is Outcome.TRANSIENT and "timed out" in result.detail
    assert time.monotonic() - started < 5


def test_connection_refused_is_transient():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nobody listens there now
    for provider in ("bluebubbles", "linq"):
        result = client_for(LineConfig(provider, f"http://127.0.0.1:{port}", "pw"), allow_private=True).check(
            "+12025550142"
        )
        assert result.outcome is Outcome.TRANSIENT and "connect" in result.detail


def test_redirects_are_not_followed(server):
    server.reply(302, b"", {"Location": "http://169.254.169.254/latest/meta-data/"})
    assert linq(server.url).check("+15551234567").outcome is Outcome.TRANSIENT
    assert len(server.requests) == 1


def test_unknown_providers_are_refused():
    with pytest.raises(ValueError):
        client_for(LineConfig("carrier-pigeon", "http://127.0.0.1"))


def test_linq_client_against_the_demo_line(demo_server):
    client = client_for(LineConfig("demo", demo_server.url, "demo-key"), allow_private=True)
    assert client.check("+12025550142").outcome is Outcome.AVAILABLE
    assert client.check("+12025550143").outcome is Outcome.UNAVAILABLE
    assert client.check("ada@icloud.com").outcome is Outcome.AVAILABLE
    assert client.check("12345").outcome is Outcome.INVALID_ADDRESS
    bad_key = client_for(LineConfig("demo", demo_server.url, "nope"), allow_private=True).check("+12025550142")
    assert bad_key.outcome is Outcome.LINE_UNHEALTHY


def test_calls_to_a_line_share_one_connection_while_they_follow_each_other(demo_server):
    """No new handshake per call (TCP here; TLS too for a hosted line). A client per call, as
    each check makes."""
    for _ in range(5):
        client = client_for(LineConfig("demo", demo_server.url, "demo-key"), allow_private=True)
        assert client.check("+12025550142").outcome is Outcome.AVAILABLE
    assert (demo_server.stats["calls"], demo_server.stats["connections"]) == (5, 1)


def test_a_connection_idle_for_a_while_is_not_used_again(demo_server, monkeypatch):
    """Servers close idle connections (BlueBubbles after 5 s): a call must not race that close."""
    monkeypatch.setattr(safe_http, "KEEP_IDLE_SECONDS", 0.2)
    client_for(LineConfig("demo", demo_server.url, "demo-key"), allow_private=True).check("+12025550142")
    time.sleep(0.3)
    client_for(LineConfig("demo", demo_server.url, "demo-key"), allow_private=True).check("+12025550142")
    assert (demo_server.stats["calls"], demo_server.stats["connections"]) == (2, 2)


def test_a_line_that_restarted_is_called_on_a_new_connection():
    with DemoLineServer(api_key="k") as first:
        port = first.port
        assert client_for(LineConfig("demo", first.url, "k"), allow_private=True).check("+12025550142").is_answer
    with DemoLineServer(port=port, api_key="k") as second:
        result = client_for(LineConfig("demo", second.url, "k"), allow_private=True).check("+12025550142")
        assert result.outcome is Outcome.AVAILABLE and second.stats["calls"] == 1


# --- Sending (Quick Send) ----------------------------------------------------------------------


@pytest.mark.parametrize("channel, guid", [("imessage", "iMessage;-;+12025550142"), ("sms", "SMS;-;+12025550142")])
def test_bluebubbles_sends_text_in_the_chat_the_check_chose(server, channel, guid):
    server.reply(200, {"status": 200, "message": "Success", "data": {"guid": "x"}})
    assert bluebubbles(server.url, password="p&ss").send("+12025550142", "Hi there", channel).sent
    request = server.requests[0]
    assert request["line"].startswith("POST /api/v1/message/text?password=p%26ss ")
    body = json.loads(request["body"])
    assert (body["chatGuid"], body["message"], body["method"]) == (guid, "Hi there", "apple-script")
    assert len(body["tempGuid"]) == 36


def test_linq_sends_by_creating_a_chat(server):
    server.reply(201, {"chat": {"id": "c1"}})
    assert linq(server.url, sender="+12025550100").send("+12025550142", "Hi", "sms").sent
    request = server.requests[0]
    assert request["line"].startswith("POST /chats ") and request["headers"]["Authorization"] == "Bearer key"
    assert json.loads(request["body"]) == {
        "from": "+12025550100",
        "to": ["+12025550142"],
        "message": {"parts": [{"type": "text", "value": "Hi"}]},
    }


@pytest.mark.parametrize(
    "client, status, body, words",
    [
        (bluebubbles, 401, bb_error(401, "Authentication Error", "Unauthorized"), "credentials"),
        (bluebubbles, 500, bb_error(500, "iMessage Error", "iMessage Private API is not enabled!"), "Private API"),
        (linq, 403, {"error": {"status": 403, "code": 2005, "message": "Forbidden"}}, "credentials"),
        (linq, 429, {"error": {"status": 429, "code": 1007, "message": "Rate limited"}}, "rate limited"),
        (linq, 502, b"<html>bad gateway</html>", "502"),
    ],
)
def test_a_refused_send_says_why_in_words(server, client, status, body, words):
    server.reply(status, body)
    result = client(server.url).send("+12025550142", "Hi", "imessage")
    assert not result.sent and words in result.detail and "<html>" not in result.detail


def test_a_send_to_a_line_that_is_down_is_not_sent():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = linq(f"http://127.0.0.1:{port}").send("+12025550142", "Hi", "imessage")
    assert not result.sent and "could not connect" in result.detail
