"""A loopback HTTP server that records every request and answers with the reply it is given: what
the hosted-line tests and the provider SDK contract tests call."""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Recorded:
    method: str
    target: str  # the request target as sent: path and query, still percent-encoded
    headers: dict  # names lowercased
    body: bytes

    @property
    def path(self) -> str:
        """Percent-decoded: "+" sent raw or as %2B is one character to the server."""
        return unquote(urlsplit(self.target).path)

    @property
    def query(self) -> dict:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


class Recorder:
    def __init__(self):
        self.requests: list[Recorded] = []
        self.reply(200, {})
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                headers = {name.lower(): value for name, value in self.headers.items()}
                recorder.requests.append(Recorded(self.command, self.path, headers, self.rfile.read(length)))
                self.send_response(recorder.status)
                for name, value in recorder.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(recorder.body)))
                self.end_headers()
                self.wfile.write(recorder.body)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def reply(self, status: int, body, headers: dict | None = None) -> None:
        self.status, self.headers = status, headers or {}
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()

    def last(self) -> Recorded:
        return self.requests[-1]

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
