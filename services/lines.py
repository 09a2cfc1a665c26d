"""Lines as checks use them: which may check, the client that calls one, its pace and today's cap.
Managing lines (add, edit, test, delete) is line_admin.py, above the checks."""

import time

from flask import current_app
from redis import RedisError

from availability.lines import LineConfig, client_for
from availability.pacing import LinePacer, Pace, line_use, pause_sends
from extensions import db, redis_connection
from models import Line, LineStatus, utcnow


def active_lines(workspace_id: int) -> list[Line]:
    return list(
        db.session.scalars(
            db.select(Line).where(Line.workspace_id == workspace_id, Line.status == LineStatus.ACTIVE).order_by(Line.id)
        )
    )


def _switched_on(workspace_id: int):
    """Active or unhealthy: the user turned the line on, even if it is currently failing."""
    return db.and_(Line.workspace_id == workspace_id, Line.status.in_((LineStatus.ACTIVE, LineStatus.UNHEALTHY)))


def has_line_switched_on(workspace_id: int) -> bool:
    return db.session.scalar(db.select(db.func.count(Line.id)).where(_switched_on(workspace_id))) > 0


def switched_on_lines(workspace_id: int) -> list[Line]:
    return list(db.session.scalars(db.select(Line).where(_switched_on(workspace_id)).order_by(Line.id)))


def line_state(workspace_id: int, lines: list[Line] | None = None) -> str:
    """ "ok" when some line can check, "unhealthy" when every switched-on line is failing, else "none".
    `lines`: the workspace's switched-on lines, when the caller has them already."""
    lines = switched_on_lines(workspace_id) if lines is None else lines
    if any(line.status == LineStatus.ACTIVE for line in lines):
        return "ok"
    return "unhealthy" if lines else "none"


def line_config(line: Line) -> LineConfig:
    box = current_app.extensions["secrets_box"]
    secret = box.decrypt(line.secret_encrypted) if line.secret_encrypted else None
    return LineConfig(provider=line.provider, url=line.url, secret=secret, sender=line.sender)


def line_client(line: Line, *, late: bool = False):
    """`late`: for a check that may leave its call going on after LINE_DEADLINE (see checks/address.py)."""
    config = current_app.config
    read_timeout, deadline = config["LINE_READ_TIMEOUT"], config["LINE_DEADLINE"]
    if late:
        read_timeout = deadline = max(deadline, config["LINE_LATE_ANSWER_SECONDS"])
    return client_for(
        line_config(line),
        connect_timeout=config["LINE_CONNECT_TIMEOUT"],
        read_timeout=read_timeout,
        deadline=deadline,
        allow_private=config["LINE_ALLOW_PRIVATE_NETWORKS"],
    )


def mark_unhealthy(line: Line, reason: str) -> None:
    line.status = LineStatus.UNHEALTHY
    line.health_reason = reason[:300]
    line.health_checked_at = utcnow()


def pacer(line: Line) -> LinePacer:
    return LinePacer(redis_connection(), line.key, Pace(line.rate_per_minute, line.daily_cap))


def capped_today(lines: list[Line]) -> set[int]:
    """The ids of the lines that have used up today's cap."""
    with_cap = [line for line in lines if line.daily_cap]
    if not with_cap:
        return set()
    try:
        use = line_use(redis_connection(), [line.key for line in with_cap])
    except RedisError:  # Redis down: the counts can't be read, and pages must still show
        return set()
    return {line.id for line in with_cap if use[line.key].used_today >= line.daily_cap}


def sends_paused(lines: list[Line]) -> dict[int, float]:
    """The seconds each line (by id) whose sends are paused (its new-contact cap) must still wait;
    {} when Redis is down: a send the cap refuses costs nothing but the refusal."""
    try:
        use = line_use(redis_connection(), [line.key for line in lines])
    except RedisError:
        return {}
    return {line.id: use[line.key].sends_paused_for for line in lines if use[line.key].sends_paused_for > 0}


def pause_line_sends(line: Line, seconds: float) -> None:
    try:
        pause_sends(redis_connection(), line.key, seconds)
    except RedisError:  # the next send asks the line and hears the cap again
        pass


# Every open leads page polls every 2 s, and the lines' pace (a statement and a Redis round trip, a
# third of a poll's time) is only its ETA's divisor: one read a few seconds ago is as good.
PACE_KEPT_SECONDS = 5.0


def checks_a_minute(workspace_id: int, lines: list[Line] | None = None) -> float | None:
    """Checks a minute the workspace's active lines can still make today (0: every one has used its
    daily cap); None without an active line. `lines`: the active lines, read now by the caller;
    without them the pace read in the last PACE_KEPT_SECONDS is used again."""
    now = time.monotonic()
    # Per app, as its Redis connection is: {workspace id: (read at, pace)}.
    paces = current_app.extensions.setdefault("line_paces", {})
    if lines is None:
        read_at, pace = paces.get(workspace_id, (-PACE_KEPT_SECONDS, None))
        if now - read_at < PACE_KEPT_SECONDS:
            return pace
        lines = active_lines(workspace_id)
    pace = None
    if lines:
        capped = capped_today(lines)
        pace = sum(line.rate_per_minute for line in lines if line.id not in capped)
    paces[workspace_id] = (now, pace)
    return pace


def seconds_to_next_utc_day() -> float:
    return 86400 - time.time() % 86400
