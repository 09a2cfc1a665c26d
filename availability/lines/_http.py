"""What every client shares: one guarded HTTP call, Retry-After, reading a JSON body, and what a
hosted provider's error statuses mean."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import requests

from ..outcomes import CheckResult, Outcome, SendResult
from .safe_http import forbidden_reason

DEFAULT_RETRY_AFTER = 60.0
Answer = TypeVar("Answer")


@dataclass(frozen=True)
class LineConfig:
    provider: str  # a name in registry.PROVIDERS
    url: str
    secret: str | None = None
    sender: str | None = None


def call(
    session: requests.Session,
    method: str,
    url: str,
    timeouts: tuple[float, float],
    interpret: Callable[[requests.Response], Answer],
    no_response: Callable[[str], Answer] = lambda why: CheckResult(Outcome.TRANSIENT, why),
    refused: Callable[[str], Answer] = lambda why: CheckResult(Outcome.LINE_UNHEALTHY, why),
    **kwargs,
) -> Answer:
    """One call to a line, read by the provider's `interpret`; no response at all is
    `no_response(why)` (for a check: TRANSIENT), a server address lines may not use is
    `refused(why)` (for a check: the line is unhealthy; it is the line's settings that are wrong)."""
    try:
        # Redirects are refused: a line URL that redirects is a misconfiguration or an attack.
        response = session.request(method, url, timeout=timeouts, allow_redirects=False, **kwargs)
    except requests.Timeout:
        return no_response("the line timed out")
    except requests.ConnectionError as exc:
        why = forbidden_reason(exc)
        if why:
            return refused(why)
        return no_response("could not connect to the line")
    except requests.RequestException as exc:
        return no_response(f"request failed ({type(exc).__name__})")
    return interpret(response)


def not_sent(why: str) -> SendResult:
    return SendResult(False, why)


def send_refused(response: requests.Response, message: str) -> SendResult:
    """A send the line did not take, in words for the user (never the raw body)."""
    if response.status_code in (401, 403):
        return SendResult(False, "the line refused our credentials: check the line's settings")
    if response.status_code == 429:
        return SendResult(False, "the line is rate limited: try again in a minute")
    return SendResult(False, short(message) or f"the line answered {response.status_code}")


def error_message(body: dict) -> str:
    """The provider's message, wherever its error shape puts it ({"error": {"message"}},
    {"error": "..."}, {"error_message"}, {"message"})."""
    error = body.get("error")
    if isinstance(error, dict):
        error = error.get("message")
    for candidate in (error, body.get("error_message"), body.get("message")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate
    return ""


def json_body(response: requests.Response) -> dict:
    """The body as a dict, or {} when it is not a JSON object."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def retry_after_header(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def seconds_in_message(message: str) -> float | None:
    """ "Rate limited. Try again in 45 seconds." -> 45."""
    match = re.search(r"(\d+)\s*sec", message or "")
    return float(match.group(1)) if match else None


def as_seconds(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and value >= 0:
        return float(value)
    if isinstance(value, str) and value.strip().isdigit():
        return float(value)
    return None


def short(text, limit: int = 120) -> str:
    """Provider messages are shown to people: keep them one short line."""
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def refused_check(status: int, message: str, *, endpoint: str, wait: float | None = None) -> CheckResult:
    """A hosted provider's error answer to a check, one reading for all: 400 is the address, 401/403
    the key, 404 the URL, 429 the pace (`wait`: what the answer said); the rest could not tell."""
    if status == 400:
        return CheckResult(Outcome.INVALID_ADDRESS, short(message) or "the line rejected the address")
    if status in (401, 403):
        return CheckResult(Outcome.LINE_UNHEALTHY, f"authentication failed: {short(message) or status}")
    if status == 404:
        return CheckResult(Outcome.LINE_UNHEALTHY, f"{endpoint} not found: check the server URL")
    if status == 429:
        return CheckResult(Outcome.RATE_LIMITED, "rate limited", DEFAULT_RETRY_AFTER if wait is None else wait)
    if status >= 500:  # an inconclusive lookup among them: retry later, with backoff
        return CheckResult(Outcome.TRANSIENT, f"server error {status}")
    return CheckResult(Outcome.TRANSIENT, f"unexpected answer {status}")
