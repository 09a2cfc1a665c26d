"""BlueBubbles server (self-hosted on a Mac): GET .../handle/availability/imessage, and
POST .../message/text to send."""

import uuid
from urllib.parse import quote

import requests

from ..outcomes import CheckResult, Outcome, SendResult
from ._http import DEFAULT_RETRY_AFTER, call, json_body, not_sent, retry_after_header, send_refused, short

PATH = "/api/v1/handle/availability/imessage"
# Messages BlueBubbles sends when the line itself is broken, not the lookup.
UNHEALTHY_MESSAGES = ("private api is not enabled", "helper is not connected")


class BlueBubblesClient:
    def __init__(self, url: str, password: str | None, timeouts: tuple[float, float], session: requests.Session):
        self.url, self.password, self.timeouts, self.session = url.rstrip("/"), password or "", timeouts, session

    def check(self, address: str) -> CheckResult:
        # Built by hand so the "+" of E.164 goes out as %2B: a raw "+" decodes to a space and the
        # server then reads +44... as a US number.
        query = f"address={quote(address, safe='')}&password={quote(self.password, safe='')}"
        return call(self.session, "GET", f"{self.url}{PATH}?{query}", self.timeouts, interpret)

    def send(self, address: str, text: str, channel: str) -> SendResult:
        """Send through the chat the check chose: iMessage, or SMS (`channel` "imessage" | "sms")."""
        service = "iMessage" if channel == "imessage" else "SMS"
        payload = {
            "chatGuid": f"{service};-;{address}",
            "tempGuid": str(uuid.uuid4()),
            "message": text,
            "method": "apple-script",
        }
        url = f"{self.url}/api/v1/message/text?password={quote(self.password, safe='')}"
        return call(self.session, "POST", url, self.timeouts, interpret_send, not_sent, not_sent, json=payload)


def interpret(response: requests.Response) -> CheckResult:
    body = json_body(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    message = str(error.get("message") or body.get("message") or "")
    status = response.status_code
    if status == 200:
        data = body.get("data")
        available = data.get("available") if isinstance(data, dict) else None
        if isinstance(available, bool):
            return CheckResult(Outcome.AVAILABLE if available else Outcome.UNAVAILABLE)
        return CheckResult(Outcome.TRANSIENT, "the line sent an answer we could not read")
    if status in (401, 403):
        return CheckResult(Outcome.LINE_UNHEALTHY, f"authentication failed: {short(message) or status}")
    if status == 404:
        return CheckResult(Outcome.LINE_UNHEALTHY, "availability endpoint not found: check the server URL")
    if status == 400:
        return CheckResult(Outcome.INVALID_ADDRESS, short(message) or "the line rejected the address")
    if status == 429:
        wait = retry_after_header(response)
        return CheckResult(Outcome.RATE_LIMITED, "rate limited", DEFAULT_RETRY_AFTER if wait is None else wait)
    if status >= 500 and any(m in message.lower() for m in UNHEALTHY_MESSAGES):
        return CheckResult(Outcome.LINE_UNHEALTHY, short(message))
    if status >= 500:
        return CheckResult(
            Outcome.TRANSIENT, f"server error {status}: {short(message)}" if message else f"server error {status}"
        )
    return CheckResult(Outcome.TRANSIENT, f"unexpected answer {status}")


def interpret_send(response: requests.Response) -> SendResult:
    body = json_body(response)
    if response.status_code == 200 and body.get("status", 200) == 200:
        return SendResult(True)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    return send_refused(response, error.get("message") or body.get("message") or "")
