"""The demo line: an HTTP server on loopback that speaks Linq v3 (check iMessage, create a chat) in
the shapes Linq's own client (linq-python) reads, with the deterministic answers of rules.py and
tunable latency, rate limit and error rate."""

import json
import math
import random
import socket
import threading
import time
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .rules import demo_availability

CHECK_PATH = "/api/partner/v3/capability/check_imessage"
CHATS_PATH = "/api/partner/v3/chats"
# The line's own number, when a create-chat names none (Linq requires "from"; the demo is lenient).
DEMO_NUMBER = "+15555550100"


def _error(status: int, code: int, message: str, **extra) -> tuple[int, dict]:
    return status, {"error": {"status": status, "code": code, "message": message, **extra}, "success": False}


def _chat(chat_id: str, sender: str, to: list[str], text: str) -> dict:
    """A create-chat answer as Linq v3 gives it: the chat, its handles and health, the message sent.
    Like Linq, the line picks the service: iMessage where the demo rule says available, else SMS."""
    now = datetime.now(UTC).isoformat()
    service = "iMessage" if all(demo_availability(address) for address in to) else "SMS"

    def handle(n: int, address: str, is_me: bool) -> dict:
        return {"id": f"{chat_id}-h{n}", "handle": address, "joined_at": now, "service": service, "is_me": is_me}

    return {
        "id": chat_id,
        "display_name": ", ".join(to),
        "handles": [handle(0, sender, True), *(handle(n, address, False) for n, address in enumerate(to, 1))],
        "health_status": {"doc_url": "https://example.com/chat-health", "status": "HEALTHY", "updated_at": now},
        "is_group": len(to) > 1,
        "service": service,
        "message": {
            "id": f"{chat_id}-m1",
            "created_at": now,
            "delivery_status": "queued",
            "is_read": False,
            "parts": [{"type": "text", "value": text}],
            "service": service,
        },
    }


class DemoLineServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        latency: float = 0.0,
        rate_per_minute: int | None = None,
        error_rate: float = 0.0,
        seed: int = 0,
    ):
        self.api_key, self.latency = api_key, latency
        self.rate_per_minute, self.error_rate = rate_per_minute, error_rate
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._accepted: deque[float] = deque()  # times of requests inside the rate window
        self.stats = {"calls": 0, "answered": 0, "rate_limited": 0, "errors": 0, "unauthorized": 0, "connections": 0}
        self.sent: list[dict] = []  # messages accepted by "create chat": {"to": [...], "text": ...}
        self._connections: set[socket.socket] = set()  # clients keep theirs open between calls
        self._httpd = ThreadingHTTPServer((host, port), self._handler_class())
        # Don't wait for clients' idle keep-alive connections when stopping.
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        """The base URL to configure as the line's server URL."""
        return f"http://{self._httpd.server_address[0]}:{self.port}/api/partner/v3"

    def start(self) -> "DemoLineServer":
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:  # as a real server going away would: no answers on kept connections
            for connection in self._connections:
                try:
                    connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def __enter__(self) -> "DemoLineServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1

    def _rate_limit_wait(self) -> int:
        """0 if this request fits in the last minute's budget, else whole seconds until it would."""
        if not self.rate_per_minute:
            return 0
        now = time.monotonic()
        with self._lock:
            while self._accepted and now - self._accepted[0] >= 60:
                self._accepted.popleft()
            if len(self._accepted) < self.rate_per_minute:
                self._accepted.append(now)
                return 0
            return max(1, math.ceil(60 - (now - self._accepted[0])))

    def answer(self, authorization: str, raw_body: bytes) -> tuple[int, dict, dict]:
        """(status, JSON body, extra headers) for one check request (already counted in calls)."""
        if self.api_key and authorization != f"Bearer {self.api_key}":
            self._count("unauthorized")
            return (*_error(401, 2004, "Unauthorized - missing or invalid authentication token"), {})
        wait = self._rate_limit_wait()
        if wait:
            self._count("rate_limited")
            return (
                *_error(429, 1007, f"Rate limited. Try again in {wait} seconds.", retry_after=wait),
                {"Retry-After": str(wait)},
            )
        with self._lock:
            failing = self._random.random() < self.error_rate
        if failing:
            self._count("errors")
            return (*_error(500, 3006, "Internal server error"), {})
        try:
            address = json.loads(raw_body or b"{}").get("address")
        except (ValueError, AttributeError):
            address = None
        available = demo_availability(address) if isinstance(address, str) else None
        if available is None:
            return (*_error(400, 1002, "Phone number must be in E.164 format"), {})
        self._count("answered")
        if not available:  # Linq says why a check came back negative
            return 200, {"address": address, "available": False, "reason": "not_supported"}, {}
        return 200, {"address": address, "available": True}, {}

    def accept_send(self, authorization: str, raw_body: bytes) -> tuple[int, dict, dict]:
        """Create chat: the message is recorded (nothing is delivered anywhere)."""
        if self.api_key and authorization != f"Bearer {self.api_key}":
            return (*_error(401, 2004, "Unauthorized - missing or invalid authentication token"), {})
        try:
            body = json.loads(raw_body or b"{}")
            to, text = body["to"], body["message"]["parts"][0]["value"]
            sender = body.get("from") or DEMO_NUMBER
            if not (isinstance(to, list) and to and all(isinstance(a, str) for a in to) and isinstance(text, str)):
                raise TypeError
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return (*_error(400, 1001, "Invalid request body"), {})
        with self._lock:
            chat_id = f"demo-chat-{len(self.sent) + 1}"
            self.sent.append({"to": to, "text": text, "chat_id": chat_id})
        return 201, {"chat": _chat(chat_id, sender, to, text)}, {}

    def _handler_class(self):
        line = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm, a client that keeps
            # the connection would wait ~40 ms (its delayed ACK) for the body.
            disable_nagle_algorithm = True

            def setup(self):
                super().setup()
                with line._lock:
                    line._connections.add(self.connection)
                    line.stats["connections"] += 1

            def finish(self):
                with line._lock:
                    line._connections.discard(self.connection)
                super().finish()

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == CHATS_PATH:
                    return self._send(*line.accept_send(self.headers.get("Authorization", ""), body))
                if self.path != CHECK_PATH:
                    return self._send(*_error(404, 4004, "Not found"), {})
                line._count("calls")  # on arrival: a call in progress is a call made
                # Outside any lock, so concurrent requests overlap like a real remote API.
                time.sleep(line.latency)
                self._send(*line.answer(self.headers.get("Authorization", ""), body))

            def do_GET(self):
                self._send(*_error(404, 4004, "Not found"), {})

            def _send(self, status: int, payload: dict, headers: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass  # one line per request would drown the console

        return Handler
