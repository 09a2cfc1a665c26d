"""A batch's progress as the leads page and the API show it: its leads by status, how many are
done, and an ETA. Every open leads page polls it every 2 s, so its statements are built once: a
statement built per call cost as much again as running it (its cache key is worked out anew each
time; a built one keeps it)."""

from sqlalchemy import bindparam

from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, LeadTally, Line
from services.lines import checks_a_minute, seconds_to_next_utc_day

# The leads page shows at most this many running batches, the newest.
SHOWN = 3

_WITH_COUNTS = db.select(CheckBatch, LeadTally.status, LeadTally.n).outerjoin(
    LeadTally,
    db.and_(LeadTally.workspace_id == CheckBatch.workspace_id, LeadTally.batch_id == CheckBatch.id, LeadTally.n != 0),
)
_IN_WORKSPACE = CheckBatch.workspace_id == bindparam("workspace_id")
Progress = list[tuple[CheckBatch, dict]]
_NEWEST_FIRST = CheckBatch.id.desc()
_BY_IDS = _WITH_COUNTS.where(_IN_WORKSPACE, CheckBatch.id.in_(bindparam("ids", expanding=True))).order_by(_NEWEST_FIRST)
_NEWEST = _WITH_COUNTS.where(
    _IN_WORKSPACE,
    CheckBatch.id.in_(
        db.select(CheckBatch.id)
        .where(_IN_WORKSPACE, CheckBatch.cancelled_at.is_(None))
        .order_by(_NEWEST_FIRST)
        .limit(SHOWN)
    ),
).order_by(_NEWEST_FIRST)


def batches_with_progress(
    workspace_id: int, ids: list[int], lines: list[Line] | None = None
) -> list[tuple[CheckBatch, dict]]:
    """The workspace's batches among `ids`, newest first, each with its lead counts by status,
    total, done and an ETA in seconds (None: unknown), in one statement. `lines`: the workspace's
    active lines, when the caller has them already (else the pace is read, or reused, only if a
    batch is still running)."""
    return _with_progress(workspace_id, _BY_IDS, {"workspace_id": workspace_id, "ids": ids}, lines)


def newest_with_progress(workspace_id: int, lines: list[Line] | None = None) -> Progress:
    """The workspace's SHOWN newest batches not cancelled, as batches_with_progress gives them."""
    return _with_progress(workspace_id, _NEWEST, {"workspace_id": workspace_id}, lines)


def batch_progress(batch: CheckBatch, lines: list[Line] | None = None) -> dict:
    return batches_with_progress(batch.workspace_id, [batch.id], lines)[0][1]


def _with_progress(workspace_id: int, statement, params: dict, lines) -> Progress:
    counts: dict[CheckBatch, dict] = {}
    for batch, status, n in db.session.execute(statement, params):
        by_status = counts.setdefault(batch, {})
        if status is not None:
            by_status[status] = n
    pace = None
    if any(c.get(LeadStatus.CHECKING) for c in counts.values()):
        pace = checks_a_minute(workspace_id, lines)
    return [(batch, _progress(by_status, pace)) for batch, by_status in counts.items()]


def _progress(counts: dict, pace: float | None) -> dict:
    total = sum(counts.values())
    remaining = counts.get(LeadStatus.CHECKING, 0)
    progress = {**counts, "total": total, "done": total - remaining, "eta": None, "capped": False}
    if remaining and pace is not None:
        # At least one call per lead, at the lines' combined pace; cached answers only make it sooner.
        progress["capped"] = pace == 0
        progress["eta"] = seconds_to_next_utc_day() if pace == 0 else 60 * remaining / pace
    return progress
