"""Sendblue (hosted): GET {base}/api/evaluate-service?number=..., and POST {base}/api/send-message.
The line's secret is "KEY_ID:SECRET": Sendblue authenticates with both, in two headers."""

import time

import requests

from ..outcomes import CheckResult, Outcome, SendResult
from ._http import (
    LineConfig,
    call,
    error_message,
    json_body,
    not_sent,
    refused_check,
    retry_after_header,
    send_refused,
    short,
)

# A send refused by the line's new-contact cap: HTTP 400 with this error_code (HTTP 429 is
# request-rate limiting, as for any line).
NEW_CONTACT_CAP = 429


def secret_problem(secret: str) -> str | None:
    key_id, _, key = secret.partition(":")
    if not key_id.strip() or not key.strip():
        return "Sendblue needs the API key ID and the secret key, as KEY_ID:SECRET"
    return None


class SendblueClient:
    def __init__(self, config: LineConfig, timeouts: tuple[float, float], session: requests.Session):
        self.url, self.sender, self.timeouts, self.session = config.url.rstrip("/"), config.sender, timeouts, session
        key_id, _, key = (config.secret or "").partition(":")
        self.headers = {"sb-api-key-id": key_id.strip(), "sb-api-secret-key": key.strip()}

    def check(self, address: str) -> CheckResult:
        if not all(self.headers.values()):
            return CheckResult(Outcome.LINE_UNHEALTHY, "the line's key must be KEY_ID:SECRET: edit the line")
        return call(
            self.session,
            "GET",
            f"{self.url}/api/evaluate-service",
            self.timeouts,
            interpret,
            params={"number": address},
            headers=self.headers,
        )

    def send(self, address: str, text: str, channel: str) -> SendResult:
        """Sendblue picks iMessage or SMS itself (`channel` unused)."""
        payload = {"number": address, "content": text}
        if self.sender:
            payload["from_number"] = self.sender  # required on shared-line plans
        return call(
            self.session,
            "POST",
            f"{self.url}/api/send-message",
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
        service = body.get("service")
        if service == "iMessage":
            return CheckResult(Outcome.AVAILABLE)
        if service == "SMS":  # for an email too: "no iMessage found", not "can get an SMS"
            return CheckResult(Outcome.UNAVAILABLE)
        return CheckResult(Outcome.TRANSIENT, "the line sent an answer we could not read")
    if status == 400 and body.get("error_code") == NEW_CONTACT_CAP:
        # A cap on new contacts for sends says nothing about the address: could not tell.
        return CheckResult(Outcome.TRANSIENT, short(message) or "the line's new-contact cap is reached")
    return refused_check(status, message, endpoint="lookup endpoint", wait=retry_after_header(response))


def interpret_send(response: requests.Response) -> SendResult:
    body = json_body(response)
    if 200 <= response.status_code < 300 and body.get("status") != "ERROR":
        return SendResult(True)
    if response.status_code == 400 and body.get("error_code") == NEW_CONTACT_CAP:
        daily = "DAILY" in str(body.get("error_key") or "").upper()
        wait = retry_after_header(response)
        if wait is None:
            # Unknown window: an hour, or to the next UTC day. Trying too early costs one refusal.
            wait = 86400 - time.time() % 86400 if daily else 3600.0
        cap = "daily" if daily else "hourly"
        return SendResult(False, f"the line reached its {cap} cap on new contacts", pause_sends_for=wait)
    return send_refused(response, error_message(body))
