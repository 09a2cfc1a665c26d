"""Linq Partner API v3 (and the demo line): POST {base}/capability/check_imessage."""

import requests

from ..outcomes import CheckResult, Outcome, SendResult
from ._http import (
    DEFAULT_RETRY_AFTER,
    as_seconds,
    call,
    json_body,
    not_sent,
    refused_check,
    retry_after_header,
    seconds_in_message,
    send_refused,
)


class LinqClient:
    def __init__(
        self,
        url: str,
        api_key: str | None,
        sender: str | None,
        timeouts: tuple[float, float],
        session: requests.Session,
    ):
        self.url, self.api_key, self.sender = url.rstrip("/"), api_key or "", sender
        self.timeouts, self.session = timeouts, session

    def check(self, address: str) -> CheckResult:
        payload = {"address": address}
        if self.sender:
            payload["from"] = self.sender
        return call(
            self.session,
            "POST",
            f"{self.url}/capability/check_imessage",
            self.timeouts,
            interpret,
            json=payload,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )

    def send(self, address: str, text: str, channel: str) -> SendResult:
        """Create a chat with the message; Linq picks iMessage, RCS or SMS itself (`channel` unused)."""
        payload = {"to": [address], "message": {"parts": [{"type": "text", "value": text}]}}
        if self.sender:
            payload["from"] = self.sender
        return call(
            self.session,
            "POST",
            f"{self.url}/chats",
            self.timeouts,
            interpret_send,
            not_sent,
            not_sent,
            json=payload,
            headers={"Authorization": f"Bearer {self.api_key}"},
        )


def interpret_send(response: requests.Response) -> SendResult:
    if 200 <= response.status_code < 300:
        return SendResult(True)
    error = json_body(response).get("error")
    return send_refused(response, error.get("message") if isinstance(error, dict) else "")


def interpret(response: requests.Response) -> CheckResult:
    body = json_body(response)
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    message = str(error.get("message") or "")
    status = response.status_code
    if status == 200:
        available = body.get("available")
        if isinstance(available, bool):
            return CheckResult(Outcome.AVAILABLE if available else Outcome.UNAVAILABLE)
        return CheckResult(Outcome.TRANSIENT, "the line sent an answer we could not read")
    wait = retry_after(response, body, error, message) if status == 429 else None
    return refused_check(status, message, endpoint="check endpoint", wait=wait)


def retry_after(response, body: dict, error: dict, message: str) -> float:
    # Current API: error.retry_after; some answers put it at the top level; older drafts only set
    # the header; the message text is the last resort.
    for candidate in (
        as_seconds(error.get("retry_after")),
        as_seconds(body.get("retry_after")),
        retry_after_header(response),
        seconds_in_message(message),
    ):
        if candidate is not None:
            return candidate
    return DEFAULT_RETRY_AFTER
