"""What every client shares: one guarded HTTP call, Retry-After, and reading a JSON body."""
import re
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import requests

from ..outcomes import CheckResult, Outcome

DEFAULT_RETRY_AFTER = 60.0


def call(session: requests.Session, method: str, url: str, timeouts: tuple[float, float],
         interpret: Callable[[requests.Response], CheckResult], **kwargs) -> CheckResult:
    """One call to a line, read by the provider's `interpret`; no response at all is TRANSIENT."""
    try:
        # Redirects are refused: a line URL that redirects is a misconfiguration or an attack.
        response = session.request(method, url, timeout=timeouts, allow_redirects=False, **kwargs)
    except requests.Timeout:
        return CheckResult(Outcome.TRANSIENT, "the line timed out")
    except requests.ConnectionError:
        return CheckResult(Outcome.TRANSIENT, "could not connect to the line")
    except requests.RequestException as exc:
        return CheckResult(Outcome.TRANSIENT, f"request failed ({type(exc).__name__})")
    return interpret(response)


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
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def seconds_in_message(message: str) -> float | None:
    """"Rate limited. Try again in 45 seconds." -> 45."""
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
