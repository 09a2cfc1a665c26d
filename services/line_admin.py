"""Managing lines, shared by the Lines page and the CLI: secrets encrypted, health kept honest."""

import logging

from flask import current_app
from redis import RedisError

from availability.addresses import InvalidAddress, guess_kind, normalise
from availability.outcomes import CheckResult, Outcome
from availability.pacing import forget, line_use
from extensions import db, redis_connection
from models import Line, LineStatus, Workspace, utcnow
from services.checks import batches as batch_checks
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


def add_line(
    workspace_id: int,
    *,
    name: str,
    provider: str,
    url: str,
    secret: str | None = None,
    sender: str | None = None,
    rate_per_minute: int = 6,
    daily_cap: int | None = None,
    is_demo: bool = False,
) -> Line:
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
    db.session.add(line)
    db.session.commit()
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
    rate_per_minute: int,
    daily_cap: int | None,
) -> None:
    """A blank secret keeps the stored one: the form never shows it, so blank means unchanged."""
    line.name, line.provider, line.url = name, provider, url.rstrip("/")
    line.sender, line.rate_per_minute, line.daily_cap = sender, rate_per_minute, daily_cap
    if secret:
        line.secret_encrypted = _encrypt(secret)
    if line.status == LineStatus.UNHEALTHY:
        # Edited settings deserve a fresh verdict; paused checks pick the line up again.
        line.status, line.health_reason = LineStatus.ACTIVE, None
    db.session.commit()


def set_active(line: Line, active: bool) -> None:
    # Switching a line on clears an old health verdict: the next check judges it afresh.
    line.status = LineStatus.ACTIVE if active else LineStatus.INACTIVE
    line.health_reason = None
    db.session.commit()
    if active:
        _check_waiting(line.workspace_id)


def _check_waiting(workspace_id: int) -> None:
    # Leads imported or added while no line was on get checked as soon as one is.
    try:
        batch_checks.check_waiting_leads(workspace_id)
    except BackgroundUnavailable:
        pass  # start_batch put them back to Not checked; the table offers the check


def delete_line(line: Line) -> None:
    """The line, and its pace and pause in Redis: nothing of it is left to hold another line."""
    key = line.key
    db.session.delete(line)
    db.session.commit()
    try:
        forget(redis_connection(), key)
    except RedisError:  # named by a key no other line gets, they harm no one, and expire
        log.warning("Could not delete a deleted line's pace from Redis; it expires by itself")


def pauses(lines: list[Line]) -> dict[int, float]:
    """The seconds each paused line (by id) must still wait after its 429; {} when Redis is down,
    as the Lines page must still show."""
    try:
        use = line_use(redis_connection(), [line.key for line in lines])
    except RedisError:
        return {}
    return {line.id: use[line.key].paused_for for line in lines if use[line.key].paused_for > 0}


def test_connection(line: Line, address: str) -> tuple[str, CheckResult]:
    """One real check through the line; an unhealthy answer marks the line, a good one heals it."""
    region = db.session.get(Workspace, line.workspace_id).default_region
    try:
        normalised = normalise(address, guess_kind(address), region)
    except InvalidAddress as exc:
        return address, CheckResult(Outcome.INVALID_ADDRESS, exc.reason)
    result = line_client(line).check(normalised)
    if result.outcome is Outcome.LINE_UNHEALTHY:
        if line.status == LineStatus.ACTIVE:
            mark_unhealthy(line, result.detail)
        line.health_reason = result.detail[:300]
    elif result.is_answer:
        line.health_reason = None
        if line.status == LineStatus.UNHEALTHY:
            line.status = LineStatus.ACTIVE
    line.health_checked_at = utcnow()
    db.session.commit()
    return normalised, result
