"""A BlueBubbles server on loopback that fails in a different way for each fault number, and
counts the calls it gets: the line the fault tests check against."""

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PASSWORD = "right-password"
# Each fault is keyed by the number's last four digits; other numbers answer by the demo rule
# (even last digit: available).
TIMEOUT, SERVER_ERROR, GARBAGE, TRICKLE, RESET, STORM = "0101", "0102", "0103", "0104", "0105", "0106"
# TIMEOUT answers (available) after LATE_BY seconds; TEN_DAYS answers 429 "come back in ten days".
LATE_BY = 3
TEN_DAYS = "0107"
HOSTILE_PAGE = b"<html><script>alert('x')</script><pre>Traceback (most recent call last):\n  secrets</pre>"


class FaultyBlueBubbles(ThreadingHTTPServer):
    """A BlueBubbles server that fails in a different way for each fault number."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.Handler)
        self.storm_left = 4  # the first calls about STORM are answered 429
        self.calls: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            query = parse_qs(urlparse(self.path).query)
            address = query.get("address", [""])[0]
            self.server.calls.append(address)
            if query.get("password", [""])[0] != PASSWORD:
                return self.reply(401, b'{"status": 401, "message": "Unauthorized"}')
            fault = address[-4:]
            if fault == TIMEOUT:
                time.sleep(LATE_BY)
                return self.reply(200, b'{"status": 200, "data": {"available": true}}')
            if fault == SERVER_ERROR:
                return self.reply(500, HOSTILE_PAGE, "text/html")
            if fault == GARBAGE:
                return self.reply(200, b"\x00\xff{not json at all")
            if fault == TRICKLE:
                self.send_response(200)
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                for _ in range(100):  # a byte at a time, for far longer than any deadline
                    try:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)
                return
            if fault == RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                return
            if fault == STORM and self.server.storm_left > 0:
                self.server.storm_left -= 1
                return self.reply(
                    429, b'{"status": 429, "message": "Too many requests"}', headers=[("Retry-After", "1")]
                )
            if fault == TEN_DAYS:
                return self.reply(
                    429, b'{"status": 429, "message": "Too many requests"}', headers=[("Retry-After", "864000")]
                )
            available = int(address[-1]) % 2 == 0
            self.reply(200, b'{"status": 200, "data": {"available": %s}}' % (b"true" if available else b"false"))
