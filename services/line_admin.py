"""Managing lines, shared by the Lines page and the CLI: secrets encrypted, health kept honest."""

import logging

from flask import current_app
from redis import RedisError

from availability.addresses import InvalidAddress, guess_kind, normalise
from availability.lines import PROVIDERS
from availability.outcomes import CheckResult, Outcome
from availability.pacing import forget, line_use
from extensions import db, redis_connection
from models import Line, LineStatus, Workspace, utcnow
from services.checks import all_matching
from services.lines import line_client, mark_unhealthy
from services.queue import BackgroundUnavailable

log = logging.getLogger(__name__)


def _encrypt(secret: str) -> str:
    return current_app.extensions["secrets_box"].encrypt(secret)


def rotate_secrets() -> int:
    """Encrypt every line's secret again with the newest key, so the old key can be dropped.
    Returns how many were rotated."""
    box = current_app.extensions["secrets_box"]
    lines = db.session.scalars(db.select(Line).where(Line.secret_encrypted.is_not(None))).all()
    for line in lines:
        line.secret_encrypted = box.rotate(line.secret_encrypted)
    db.session.commit()
    return len(lines)


def secret_problem(provider: str, secret: str | None) -> str | None:
    """What is wrong with a line's new secret for its provider (e.g. Sendblue's KEY_ID:SECRET), or None."""
    return PROVIDERS[provider].secret_problem(secret) if secret else None


def _pace(provider: str, rate_per_minute: float | None, daily_cap: int | None) -> tuple[float, int | None]:
    """None: the provider's default (its pace, its daily cap)."""
    default = PROVIDERS[provider]
    return rate_per_minute or default.rate_per_minute, daily_cap or default.daily_cap


def add_line(
    workspace_id: int,
    *,
    name: str,
    provider: str,
    url: str,
    secret: str | None = None,
    sender: str | None = None,
    rate_per_minute: float | None = None,
    daily_cap: int | None = None,
    is_demo: bool = False,
    test: bool = False,
) -> Line:
    """`test`: call the line first; it is Active only if it answers, else Unhealthy with the reason
    (the page and the CLI do; code setting up its own lines, e.g. the tests', need not).
    A pace or cap left None is the provider's default."""
    rate_per_minute, daily_cap = _pace(provider, rate_per_minute, daily_cap)
    line = Line(
        workspace_id=workspace_id,
        name=name,
        provider=provider,
        url=url.rstrip("/"),
        secret_encrypted=_encrypt(secret) if secret else None,
        sender=sender,
        rate_per_minute=rate_per_minute,
        daily_cap=daily_cap,
        is_demo=is_demo,
        status=LineStatus.ACTIVE,
    )
    if test:
        _judge(line, _probe(line), switch_on=True)
    db.session.add(line)
    db.session.commit()
    if line.status == LineStatus.ACTIVE:
        _check_waiting(workspace_id)
    return line


def update_line(
    line: Line,
    *,
    name: str,
    provider: str,
    url: str,
    secret: str | None,
    sender: str | None,
    rate_per_minute: float | None,
    daily_cap: int | None,
) -> None:
    """A blank secret keeps the stored one: the form never shows it, so blank means unchanged.
    A pace or cap left None is the provider's default.
    Edited settings get a fresh verdict at once: a switched-on line is Active only if it answers
    (paused checks then pick it up again), else Unhealthy with the reason."""
    rate_per_minute, daily_cap = _pace(provider, rate_per_minute, daily_cap)
    line.name, line.provider, line.url = name, provider, url.rstrip("/")
    line.sender, line.rate_per_minute, line.daily_cap = sender, rate_per_minute, daily_cap
    if secret:
        line.secret_encrypted = _encrypt(secret)
    _judge(line, _probe(line), switch_on=line.status != LineStatus.INACTIVE)
    db.session.commit()
    if line.status == LineStatus.ACTIVE:
        _check_waiting(line.workspace_id)


def set_active(line: Line, active: bool) -> None:
    """Switching a line on tests it: a line that rejects its key, or does not answer, stays
    Unhealthy with the reason instead of coming back Active untested."""
    if active:
        _judge(line, _probe(line), switch_on=True)
    else:
        line.status = LineStatus.INACTIVE
    db.session.commit()
    if line.status == LineStatus.ACTIVE:
        _check_waiting(line.workspace_id)


def _probe(line: Line) -> CheckResult:
    """One real check of LINE_TEST_ADDRESS through the line (the SSRF guard applies)."""
    return line_client(line).check(current_app.config["LINE_TEST_ADDRESS"])


def _judge(line: Line, result: CheckResult, *, switch_on: bool) -> None:
    """A test's verdict on the line. Only an answer passes. `switch_on` (saving, activating): any
    other result leaves the line Unhealthy with the reason; a plain test (the button) demotes an
    Active line only when the line itself is at fault, as a check would (could not tell is not a
    verdict on a line that was working)."""
    line.health_checked_at = utcnow()
    if result.is_answer:
        line.health_reason = None
        if switch_on or line.status == LineStatus.UNHEALTHY:
            line.status = LineStatus.ACTIVE
        return
    reason = _failure(result)
    if switch_on or result.outcome is Outcome.LINE_UNHEALTHY and line.status == LineStatus.ACTIVE:
        mark_unhealthy(line, reason)
    elif line.status != LineStatus.ACTIVE:
        line.health_reason = reason[:300]


def _failure(result: CheckResult) -> str:
    if result.outcome is Outcome.RATE_LIMITED:
        return f"rate limited before it could be tested: test it again in {int(result.retry_after or 60)} s"
    return result.detail or result.outcome.value


def _check_waiting(workspace_id: int) -> None:
    # Leads imported or added while no line was on get checked as soon as one is.
    try:
        all_matching.check_waiting_leads(workspace_id)
    except BackgroundUnavailable:
        pass  # Redis away: they keep saying No Active Line; a check from the table asks again


def delete_line(line: Line) -> None:
    """The line, and its pace and pause in Redis: nothing of it is left to hold another line."""
    key = line.key
    db.session.delete(line)
    db.session.commit()
    try:
        forget(redis_connection(), key)
    except RedisError:  # named by a key no other line gets, they harm no one, and expire
        log.warning("Could not delete a deleted line's pace from Redis; it expires by itself")


def pauses(lines: list[Line]) -> dict[int, tuple[float, float]]:
    """Each paused line's (by id) seconds left to wait: (its checks, after a 429; its sends, after
    its new-contact cap). {} when Redis is down, as the Lines page must still show."""
    try:
        use = line_use(redis_connection(), [line.key for line in lines])
    except RedisError:
        return {}
    left = {line.id: (use[line.key].paused_for, use[line.key].sends_paused_for) for line in lines}
    return {line_id: waits for line_id, waits in left.items() if any(waits)}


def test_connection(line: Line, address: str) -> tuple[str, CheckResult]:
    """One real check through the line; an unhealthy answer marks the line, a good one heals it."""
    region = db.session.get(Workspace, line.workspace_id).default_region
    try:
        normalised = normalise(address, guess_kind(address), region)
    except InvalidAddress as exc:
        return address, CheckResult(Outcome.INVALID_ADDRESS, exc.reason)
    result = line_client(line).check(normalised)
    was = line.status
    _judge(line, result, switch_on=False)
    db.session.commit()
    if was != LineStatus.ACTIVE and line.status == LineStatus.ACTIVE:
        _check_waiting(line.workspace_id)
    return normalised, result
