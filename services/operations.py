"""What the background is doing, for a workspace's Operations page: the queue, the worker commands,
the workspace's failed jobs (and retrying one), and each line's health and pace.

The queue and the workers are shared by every workspace, so only their counts are shown; jobs are
listed only when they work on this workspace's leads or uploads.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from rq import Worker
from rq.job import Job

from availability.pacing import line_use
from extensions import db, redis_connection
from models import Lead, Line, Upload
from services.checks import lead as lead_checks
from services.imports import uploads
from services.queue import CHECK_JOB, IMPORT_JOB, check_queue
from services.workers import Command, command_of

# The most recent failed jobs looked at; older ones stay in RQ's registry until it expires them.
FAILED_SHOWN = 200


@dataclass(frozen=True)
class FailedJob:
    id: str
    what: str  # "Check of lead 12", "Import of leads.csv"
    failed_at: datetime | None
    reason: str  # the exception's last line, short


def queue_counts() -> dict[str, int]:
    queue = check_queue()
    return {
        "queued": queue.count,
        "scheduled": queue.scheduled_job_registry.count,
        "running": queue.started_job_registry.count,
        "failed": queue.failed_job_registry.count,
    }


@dataclass(frozen=True)
class WorkerRow:
    """One worker process."""

    host: str
    pid: int | None
    state: str  # "busy", "idle", "suspended", "started"
    started_at: datetime | None
    up_for: int | None  # seconds since it started
    last_seen: datetime | None
    seen_ago: int | None  # seconds since its last heartbeat


# A command's processes counted by state in this order (any other state after them).
STATE_ORDER = {"busy": 0, "idle": 1}


@dataclass(frozen=True)
class CommandRow:
    """One `flask worker` command and its live processes, oldest first."""

    host: str
    pid: int | None
    size: int  # the processes it keeps running; fewer are alive while a killed one is replaced
    processes: list[WorkerRow]

    @property
    def alive(self) -> int:
        return len(self.processes)

    @property
    def missing(self) -> int:
        """Processes that ended and are not replaced yet."""
        return max(0, self.size - self.alive)

    @property
    def states(self) -> list[tuple[str, int]]:
        """How many processes are in each state: busy, then idle, then any other."""
        counts = Counter(process.state for process in self.processes)
        return sorted(counts.items(), key=lambda item: (STATE_ORDER.get(item[0], len(STATE_ORDER)), item[0]))

    @property
    def oldest(self) -> WorkerRow:
        return self.processes[0]

    @property
    def latest(self) -> WorkerRow:
        """The process heard from last: the command's last sign of life."""
        return min(self.processes, key=lambda process: (process.seen_ago is None, process.seen_ago or 0))


def workers() -> list[CommandRow]:
    """The live workers by command, each told apart by host and process (RQ's names say which
    command a worker belongs to, and nothing to a person): commands and processes oldest first."""
    now = datetime.now(UTC)

    def since(moment: datetime | None) -> int | None:
        return max(0, int((now - moment).total_seconds())) if moment else None

    commands: dict[Command, list[WorkerRow]] = defaultdict(list)
    for worker in Worker.all(queue=check_queue()):
        commands[command_of(worker)].append(
            WorkerRow(
                host=worker.hostname or "unknown host",
                pid=worker.pid,
                state=worker.get_state(),  # read back from Redis: a plain string
                started_at=worker.birth_date,
                up_for=since(worker.birth_date),
                last_seen=worker.last_heartbeat,
                seen_ago=since(worker.last_heartbeat),
            )
        )
    rows = [
        CommandRow(command.host, command.pid, command.size, sorted(processes, key=_oldest_first))
        for command, processes in commands.items()
    ]
    return sorted(rows, key=lambda row: (row.host, *_oldest_first(row.oldest)))


def _oldest_first(row: WorkerRow) -> tuple:
    return (-(row.up_for or 0), row.pid or 0)


def line_paces(workspace_id: int) -> list[dict]:
    lines = db.session.scalars(db.select(Line).where(Line.workspace_id == workspace_id).order_by(Line.id)).all()
    use = line_use(redis_connection(), [line.key for line in lines])
    return [
        {"line": line, "used_today": use[line.key].used_today, "paused_for": use[line.key].paused_for} for line in lines
    ]


def failed_jobs(workspace_id: int) -> list[FailedJob]:
    """The workspace's failed jobs, newest first."""
    return [failed for failed, _ in _owned_failed_jobs(workspace_id)]


def retry(workspace_id: int, job_id: str) -> bool:
    """Run a failed job of the workspace again; False when it is not one (or no longer failed).
    A check is asked for afresh (its lead was given an Error when the job failed for good)."""
    for failed, job in _owned_failed_jobs(workspace_id):
        if failed.id != job_id:
            continue
        registry = check_queue().failed_job_registry
        if job.func_name == CHECK_JOB:
            lead = db.session.get(Lead, job.args[0])
            registry.remove(job, delete_job=True)
            lead_checks.request_check(lead)
        else:
            registry.remove(job, delete_job=True)
            uploads.queue_import(db.session.get(Upload, job.args[0]))
        return True
    return False


def _owned_failed_jobs(workspace_id: int) -> list[tuple[FailedJob, Job]]:
    queue = check_queue()
    ids = queue.failed_job_registry.get_job_ids(0, FAILED_SHOWN - 1, desc=True, cleanup=False)
    jobs = [job for job in Job.fetch_many(ids, connection=queue.connection) if job is not None]
    leads = {job.args[0] for job in jobs if job.func_name == CHECK_JOB}
    uploads = {job.args[0] for job in jobs if job.func_name == IMPORT_JOB}
    own_leads = (
        set(db.session.scalars(db.select(Lead.id).where(Lead.workspace_id == workspace_id, Lead.id.in_(leads))))
        if leads
        else set()
    )
    own_uploads = (
        dict(
            db.session.execute(
                db.select(Upload.id, Upload.filename).where(Upload.workspace_id == workspace_id, Upload.id.in_(uploads))
            ).all()
        )
        if uploads
        else {}
    )
    owned = []
    for job in jobs:
        if job.func_name == CHECK_JOB and job.args[0] in own_leads:
            what = f"Check of lead {job.args[0]}"
        elif job.func_name == IMPORT_JOB and job.args[0] in own_uploads:
            what = f"Import of {own_uploads[job.args[0]]}"
        else:
            continue
        result = job.latest_result()
        reason = (result.exc_string or "").strip().splitlines()[-1:] if result else []
        owned.append((FailedJob(job.id, what, job.ended_at, (reason[0] if reason else "unknown")[:200]), job))
    return owned
