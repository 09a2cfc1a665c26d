"""Asking about one address, spending a line call only when nothing else can answer.

In order: a fresh enough earlier answer (the cache, per workspace); another worker already asking
about the same address (wait for its answer: a worker briefly, Quick Send as long as that check may
take; if it ends without an answer, ask in its turn); then whichever healthy line may be called
first under its pace. A 429 pauses that line for every worker and the next line is tried; an unhealthy answer
takes the line out of use. When every line must wait longer than a moment, the caller is told to
come back later (RATE_LIMITED with the wait) instead of holding a worker.

A call the worker stops waiting for (LINE_DEADLINE) goes on in the background, up to
LINE_LATE_ANSWER_SECONDS from its start: the line is paid for it, so its answer is kept as the
address's answer when it comes, and the address stays in flight until then, so that a retry waits
for that answer instead of calling again. The answer lives in this process: if it exits first, the
answer is lost, the in-flight mark expires, and a retry may call again.
"""

import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from flask import Flask, current_app
from redis import RedisError

from availability.in_flight import InFlight
from availability.lines.overtime import call_within
from availability.outcomes import CheckResult, Outcome
from availability.pacing import pause
from extensions import db, redis_connection
from models import AddressResult, Line, Workspace, dialects, utcnow
from services import metrics
from services.lines import line_client, mark_unhealthy, pacer

log = logging.getLogger(__name__)

# A worker sleeps through waits up to this long; longer ones go back to the queue.
MAX_INLINE_WAIT = 2.0
# How long one worker may hold an address while asking a line about it: its wait for one call
# (LINE_DEADLINE) plus a short pacing wait; a call going on late holds it longer (see above). A
# worker that dies holding it blocks no longer.
IN_FLIGHT_SECONDS = 30


@dataclass(frozen=True)
class LineLabel:
    """What names a line outside its session (a late answer's thread): its pacing key, and its id
    and provider for the metrics."""

    key: str
    id: int
    provider: str

    @classmethod
    def of(cls, line: Line) -> "LineLabel":
        return cls(line.key, line.id, line.provider)


def pause_line(line: LineLabel, retry_after: float | None) -> None:
    """The line said 429: hold every worker off it for its Retry-After, at most LINE_MAX_PAUSE_SECONDS."""
    seconds = min(retry_after or 60, current_app.config["LINE_MAX_PAUSE_SECONDS"])
    pause(redis_connection(), line.key, seconds)
    metrics.line_paused(line.id, line.provider, seconds)


def reuse_days(workspace: Workspace) -> dict[str, float]:
    """How many days an answer is reused, by answer: the workspace's settings, else the app's."""
    config = current_app.config
    available, unavailable = workspace.cache_available_days, workspace.cache_unavailable_days
    return {
        Outcome.AVAILABLE.value: config["CACHE_AVAILABLE_DAYS"] if available is None else available,
        Outcome.UNAVAILABLE.value: config["CACHE_UNAVAILABLE_DAYS"] if unavailable is None else unavailable,
    }


class AddressChecker:
    def __init__(
        self,
        workspace: Workspace,
        lines: list[Line],
        *,
        not_before: datetime | None = None,
        wait_for_other: float = MAX_INLINE_WAIT,
    ):
        """`not_before`: answers older than this are not reused (a deliberate re-check).
        `wait_for_other`: how long to wait for another check of the same address to answer."""
        self.workspace_id, self.lines, self.not_before = workspace.id, list(lines), not_before
        self.reuse_days, self.wait_for_other = reuse_days(workspace), wait_for_other

    def ask(self, address: str) -> CheckResult:
        deadline = time.monotonic() + self.wait_for_other
        while True:
            cached = self.cached(address)
            if cached:
                return cached
            in_flight = InFlight(redis_connection(), self.workspace_id, address)
            if in_flight.take(IN_FLIGHT_SECONDS):
                break
            # Another check is asking a line about this address right now: wait for its answer.
            # If it lets go without one (it could not tell), this check asks in its turn.
            if time.monotonic() >= deadline:
                return CheckResult(Outcome.RATE_LIMITED, "another check of this address is running", 2.0)
            time.sleep(0.05)
            db.session.expire_all()
        try:
            # A check holding the mark may have answered after the look above and let it go:
            # look again, now that no one else can be asking, before spending a call.
            return self.cached(address) or self._ask_a_line(address, in_flight)
        finally:
            in_flight.release()  # the mark stays while a call of this check goes on

    def cached(self, address: str) -> CheckResult | None:
        row = db.session.execute(
            db.select(AddressResult.result, AddressResult.checked_at).where(
                AddressResult.workspace_id == self.workspace_id, AddressResult.address == address
            )
        ).first()
        if row is None or (self.not_before and row.checked_at < self.not_before):
            return None
        if utcnow() - row.checked_at > timedelta(days=self.reuse_days[row.result]):
            return None
        return CheckResult(Outcome(row.result), "from an earlier check")

    def _ask_a_line(self, address: str, in_flight: InFlight) -> CheckResult:
        while self.lines:
            line, wait = self._next_line()
            if wait > MAX_INLINE_WAIT:
                return CheckResult(Outcome.RATE_LIMITED, "every line is at its pace", wait)
            if wait > 0:
                time.sleep(wait)
                continue
            result = self._call(line, address, in_flight)
            if result.outcome is Outcome.RATE_LIMITED:
                pause_line(LineLabel.of(line), result.retry_after)
                continue
            if result.outcome is Outcome.LINE_UNHEALTHY:
                mark_unhealthy(line, result.detail)
                db.session.commit()
                self.lines.remove(line)
                continue
            if result.outcome is Outcome.TRANSIENT and len(self.lines) > 1:
                # This line could not tell (down, timing out, garbled): another may. It sits out
                # the rest of this check rather than fail every address in turn.
                self.lines.remove(line)
                continue
            if result.is_answer:
                remember(self.workspace_id, address, result, line.key)
            return result
        return CheckResult(Outcome.LINE_UNHEALTHY, "no healthy line left")

    def _next_line(self) -> tuple[Line, float]:
        """The line that may be called soonest; it is reserved when its wait is 0."""
        best, best_wait = self.lines[0], float("inf")
        for line in self.lines:
            wait = pacer(line).try_acquire()
            if wait == 0:
                return line, 0.0
            if wait < best_wait:
                best, best_wait = line, wait
        return best, best_wait

    def _call(self, line: Line, address: str, in_flight: InFlight) -> CheckResult:
        client, config, label = line_client(line, late=True), current_app.config, LineLabel.of(line)
        call = call_within(
            partial(metrics.timed_line_call, label.id, label.provider, partial(client.check, address)),
            config["LINE_DEADLINE"],
        )
        if call.done():
            return call.result()
        # The worker stops waiting; the call goes on, holding the address, and its answer is kept.
        in_flight.hold_for(math.ceil(config["LINE_LATE_ANSWER_SECONDS"]) + 5)
        call.add_done_callback(
            partial(_late_answer, current_app._get_current_object(), self.workspace_id, address, label, in_flight)
        )
        return CheckResult(Outcome.TRANSIENT, f"the line did not answer within {config['LINE_DEADLINE']:g} s")


def _late_answer(app: Flask, workspace_id: int, address: str, line: LineLabel, in_flight: InFlight, call) -> None:
    """A call the worker stopped waiting for has ended (in its helper thread): keep its answer, or
    its 429, as a timely one would be; then let go of the address."""
    try:
        answer = call.result()
        with app.app_context():
            if answer.is_answer:
                remember(workspace_id, address, answer, line.key)
                log.info("Kept a line's late answer for an address of workspace %s", workspace_id)
            elif answer.outcome is Outcome.RATE_LIMITED:
                pause_line(line, answer.retry_after)
    except Exception:  # the mark expires by itself; a retry asks again
        log.exception("Could not keep a line's late answer")
    finally:
        try:
            in_flight.release()
        except RedisError:
            pass  # the mark expires by itself


def remember(workspace_id: int, address: str, answer: CheckResult, line_key: str) -> None:
    """Keep a line's answer (the cache and the history); "could not tell" is never kept. The line is
    found by its key: a line deleted meanwhile is no longer named (nor another line given its id)."""
    # One statement, whether the address was asked about before or not; on the table, not the
    # class, so one row skips the ORM's bulk-insert machinery.
    insert = dialects.upserting_insert(db.session, AddressResult.__table__)
    line_id = db.select(Line.id).where(Line.key == line_key).scalar_subquery()
    values = {"result": answer.outcome.value, "line_id": line_id, "checked_at": utcnow()}
    db.session.execute(
        insert.values(workspace_id=workspace_id, address=address, **values).on_conflict_do_update(
            index_elements=["workspace_id", "address"], set_=values
        )
    )
    # Committed at once: a worker waiting on the same address reads it from here.
    db.session.commit()
