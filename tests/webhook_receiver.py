"""A webhook receiver on loopback, as a subscriber runs one: it records every request (headers and
body) and answers 500 to the first `fail_first` attempts at each message (by webhook-id), then
`status`. The tests verify the signatures with the standardwebhooks package, as a receiver would."""

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook


class WebhookReceiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, fail_first: int = 0, status: int = 200):
        super().__init__(("127.0.0.1", 0), self.Handler)
        self.fail_first, self.status = fail_first, status
        self.requests: list[tuple[dict, bytes, int]] = []  # (headers, body, the status answered)
        self.attempts: Counter = Counter()
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/hooks"

    def accepted(self) -> list[tuple[dict, bytes]]:
        with self.lock:
            return [(headers, body) for headers, body, status in self.requests if 200 <= status < 300]

    def verified(self, secret: str) -> list[dict]:
        """Every request's payload, each checked as a receiver checks one (raises if one fails)."""
        with self.lock:
            return [Webhook(secret).verify(body, headers) for headers, body, _ in self.requests]

    def close(self) -> None:
        self.shutdown()
        self.server_close()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            server = self.server
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            message_id = self.headers.get("webhook-id", "")
            with server.lock:
                server.attempts[message_id] += 1
                status = 500 if server.attempts[message_id] <= server.fail_first else server.status
                server.requests.append((dict(self.headers), body, status))
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
