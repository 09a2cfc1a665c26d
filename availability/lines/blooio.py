"""Blooio (hosted): GET {base}/contacts/{address}/capabilities, and POST {base}/chats/{address}/messages."""

from urllib.parse import quote

import requests

from ..outcomes import CheckResult, Outcome, SendResult
from ._http import (
    LineConfig,
    as_seconds,
    call,
    error_message,
    json_body,
    not_sent,
    refused_check,
    retry_after_header,
    send_refused,
)


class BlooioClient:
    def __init__(self, config: LineConfig, timeouts: tuple[float, float], session: requests.Session):
        self.url, self.sender, self.timeouts, self.session = config.url.rstrip("/"), config.sender, timeouts, session
        self.headers = {"Authorization": f"Bearer {config.secret or ''}"}

    def check(self, address: str) -> CheckResult:
        # Every reserved character encoded ("+" as %2B, "@" as %40), as Blooio's docs write it.
        return call(
            self.session,
            "GET",
            f"{self.url}/contacts/{quote(address, safe='')}/capabilities",
            self.timeouts,
            interpret,
            headers=self.headers,
        )

    def send(self, address: str, text: str, channel: str) -> SendResult:
        """The chat is the recipient's address; Blooio picks iMessage or SMS itself (`channel` unused)."""
        payload = {"text": text}
        if self.sender:
            payload["from_number"] = self.sender
        return call(
            self.session,
            "POST",
            f"{self.url}/chats/{quote(address, safe='')}/messages",
            self.timeouts,
            interpret_send,
            not_sent,
            not_sent,
            json=payload,
            headers=self.headers,
        )


def interpret(response: requests.Response) -> CheckResult:
    body = json_body(response)
    message = error_message(body)
    status = response.status_code
    if status == 200:
        capabilities = body.get("capabilities")
        imessage = capabilities.get("imessage") if isinstance(capabilities, dict) else None
        if isinstance(imessage, bool):
            return CheckResult(Outcome.AVAILABLE if imessage else Outcome.UNAVAILABLE)
        return CheckResult(Outcome.TRANSIENT, "the line sent an answer we could not read")
    wait = retry_after_header(response)
    if wait is None:
        wait = as_seconds(body.get("retry_after"))
    return refused_check(status, message, endpoint="capabilities endpoint", wait=wait)


def interpret_send(response: requests.Response) -> SendResult:
    if 200 <= response.status_code < 300:
        return SendResult(True)
    return send_refused(response, error_message(json_body(response)))
