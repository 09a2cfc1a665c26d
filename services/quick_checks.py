"""Checking a typed address at once (Quick Send, the API's {"address": ...}): the same lines, pace
and reused answers as every check, but the caller hears about trouble instead of waiting it out."""
from redis import RedisError

from availability.addresses import InvalidAddress, guess_kind, normalise
from availability.outcomes import CheckResult, Outcome
from models import Workspace
from services.checks.address import AddressChecker
from services.lines import active_lines, has_line_switched_on
from services.queue import BackgroundUnavailable


class NoActiveLine(Exception):
    pass


def read_address(workspace: Workspace, raw: str) -> str:
    """The address's normal form; InvalidAddress (with the reason) when it is neither a phone
    number nor an email address."""
    text = (raw or "").strip()
    if not text:
        raise InvalidAddress("Type a phone number or an email address")
    try:
        return normalise(text, guess_kind(text), workspace.default_region)
    except InvalidAddress as exc:
        raise InvalidAddress(f"Not a valid phone number or email address ({exc.reason})") from None


def check_address(workspace: Workspace, address: str) -> CheckResult:
    """Ask about a normalised address: an earlier answer if fresh, else a line with capacity now."""
    lines = active_lines(workspace.id)
    if not lines and not has_line_switched_on(workspace.id):
        raise NoActiveLine("No active line configured: add or activate one on the Lines page")
    if not lines:
        return CheckResult(Outcome.LINE_UNHEALTHY, "no healthy line: see the Lines page")
    try:
        return AddressChecker(workspace, lines).ask(address)
    except RedisError as exc:  # no pacing without Redis: no line call either
        raise BackgroundUnavailable() from exc
