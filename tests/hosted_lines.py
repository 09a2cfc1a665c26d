"""Sendblue and Blooio on loopback, in the shapes of LINE_APIS.md §3 (the SDK contract tests hold
our clients to the same requests): answers by the demo rule (even last digit, iCloud emails), keys
checked, sends recorded; a Sendblue line can be made to refuse new contacts, either line to say 429."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from demo_line.rules import demo_availability

KEY_ID, SECRET, BLOOIO_KEY = "key-id", "secret-key", "bl-key"


class HostedLine(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, provider: str):
        super().__init__(("127.0.0.1", 0), Handler)
        self.provider = provider
        self.requests = 0  # every request, answered or refused
        self.checks: list[str] = []  # the addresses of the checks it answered
        self.sent: list[dict] = []
        self.cap_reached = False  # Sendblue: sends refused with the new-contact cap
        self.rate_limited = False  # 429 to every request
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    @property
    def url(self) -> str:
        root = f"http://127.0.0.1:{self.server_port}"
        return root if self.provider == "sendblue" else root + "/v2/api"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class Handler(BaseHTTPRequestHandler):
    server: HostedLine

    def log_message(self, *args):
        pass

    def reply(self, status: int, body: dict, headers: dict | None = None):
        data = json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_request(None)

    def do_POST(self):
        self.handle_request(json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}"))

    def handle_request(self, body):
        line = self.server
        line.requests += 1
        parts = urlsplit(self.path)
        if line.provider == "sendblue":
            authorised = (self.headers.get("sb-api-key-id"), self.headers.get("sb-api-secret-key")) == (KEY_ID, SECRET)
        else:
            authorised = self.headers.get("Authorization") == f"Bearer {BLOOIO_KEY}"
        if not authorised:
            return self.reply(401, {"status": "ERROR", "message": "Invalid API credentials"})
        if line.rate_limited:
            return self.reply(429, {"status": "ERROR", "message": "Too many requests"}, {"Retry-After": "90"})
        if line.provider == "sendblue":
            return self.sendblue(parts, body)
        return self.blooio(parts, body)

    def sendblue(self, parts, body):
        line = self.server
        if parts.path == "/api/evaluate-service":
            number = parse_qs(parts.query).get("number", [""])[0]
            line.checks.append(number)
            available = demo_availability(number)
            if available is None:
                return self.reply(400, {"status": "ERROR", "error_message": "Invalid number"})
            return self.reply(200, {"number": number, "service": "iMessage" if available else "SMS"})
        if parts.path == "/api/send-message" and body is not None:
            if line.cap_reached:
                return self.reply(
                    400,
                    {
                        "status": "ERROR",
                        "error_code": 429,
                        "error_key": "LINE_HOURLY_LIMIT_REACHED",
                        "error_message": "This line reached its hourly limit of new contacts",
                    },
                )
            line.sent.append({"to": body["number"], "text": body["content"]})
            return self.reply(202, {"status": "QUEUED", "number": body["number"], "content": body["content"]})
        return self.reply(404, {"status": "ERROR", "message": "Not found"})

    def blooio(self, parts, body):
        line = self.server
        segments = parts.path.removeprefix("/v2/api/").split("/")
        if len(segments) == 3 and segments[0] == "contacts" and segments[2] == "capabilities" and body is None:
            address = unquote(segments[1])
            line.checks.append(address)
            available = demo_availability(address)
            if available is None:
                return self.reply(400, {"error": "Invalid contact"})
            kind = "email" if "@" in address else "phone"
            return self.reply(200, {"contact": address, "type": kind, "capabilities": {"imessage": available}})
        if len(segments) == 3 and segments[0] == "chats" and segments[2] == "messages" and body is not None:
            line.sent.append({"to": unquote(segments[1]), "text": body["text"]})
            return self.reply(200, {"message_id": f"m{len(line.sent)}", "status": "queued"})
        return self.reply(404, {"error": "Not found"})
