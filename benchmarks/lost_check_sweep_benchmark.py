"""What the workers' look for lost checks costs while a big batch waits, on SQLite and (with
--postgres URL) PostgreSQL, against the bundled Redis.

    python benchmarks/lost_check_sweep_benchmark.py [--leads 100000] [--rounds 5] [--postgres postgresql://...]

Per database: a workspace of `leads` leads all Checking in one queued batch, started over a minute
ago (so every one is old enough to be looked at), with a check job in the queue for each. Times,
`rounds` times each: the look when nothing is lost (the case every 20 s), split into its database
read and its Redis read; then, once, the look after Redis lost every job (all queued again).
Writes medians to BENCHMARKS.md.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from import_benchmark import _write_section  # noqa: E402
from seeding import fresh_postgres, insert_leads  # noqa: E402


def measure(database_url: str | None, leads: int, rounds: int) -> dict:
    instance = tempfile.mkdtemp(prefix="bench-sweep-")
    os.environ.update({"INSTANCE_PATH": instance, "RQ_QUEUE": f"bench-sweep-{uuid.uuid4().hex[:6]}"})
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    from flask_migrate import upgrade

    import embedded_redis
    from app import create_app
    from extensions import db
    from models import CheckBatch, Lead, Workspace, utcnow
    from services.checks import batches as batch_checks
    from services.checks.lead import batch_run
    from services.queue import check_queue, enqueue_checks, jobs_in_redis

    app = create_app()
    with app.app_context():
        upgrade()
        workspace = Workspace(name="bench")
        db.session.add(workspace)
        db.session.flush()
        started = utcnow() - timedelta(minutes=5)
        batch = CheckBatch(workspace_id=workspace.id, kind="bulk", total=leads, queued_at=started)
        db.session.add(batch)
        db.session.commit()
        run = batch_run(batch.id)
        insert_leads(
            workspace.id,
            leads,
            lambda n: {"status": "checking", "batch_id": batch.id, "check_run": run, "check_started_at": started},
        )
        ids = db.session.scalars(db.select(Lead.id).where(Lead.workspace_id == workspace.id)).all()
        for start in range(0, len(ids), 500):
            enqueue_checks([(lead_id, run) for lead_id in ids[start : start + 500]])

        timings = {"look": [], "database": [], "redis": []}
        for _ in range(rounds):
            began = time.perf_counter()
            assert batch_checks.requeue_lost_checks() == 0
            timings["look"].append(time.perf_counter() - began)
            began = time.perf_counter()
            jobs_in_redis()
            timings["redis"].append(time.perf_counter() - began)
            timings["database"].append(timings["look"][-1] - timings["redis"][-1])
        check_queue().empty()
        began = time.perf_counter()
        assert batch_checks.requeue_lost_checks() == leads
        lost = time.perf_counter() - began
        check_queue().empty()
        db.session.remove()
        db.engine.dispose()
    embedded_redis.stop(instance)
    return {**{key: statistics.median(values) * 1000 for key, values in timings.items()}, "lost": lost * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    results = {"SQLite": measure(None, args.leads, args.rounds)}
    if args.postgres:
        url, drop = fresh_postgres(args.postgres)
        try:
            results["PostgreSQL"] = measure(url, args.leads, args.rounds)
        finally:
            drop()
    rows = "\n".join(
        f"| {name} | {r['look']:.0f} | {r['database']:.0f} | {r['redis']:.0f} | {r['lost']:.0f} |"
        for name, r in results.items()
    )
    section = (
        f"## Lost-check sweep: {args.leads:,} leads Checking, one job each\n\n"
        "`benchmarks/lost_check_sweep_benchmark.py`. One worker looks every 20 s (medians of "
        f"{args.rounds} looks, ms). The look reads the Checking leads older than a minute, then every check "
        "job's id in one MULTI; the last column is one look after Redis lost every job (all queued again).\n\n"
        "| Database | look, nothing lost | of which database | of which Redis | look, all lost |\n"
        "|---|---|---|---|---|\n" + rows + "\n"
    )
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
