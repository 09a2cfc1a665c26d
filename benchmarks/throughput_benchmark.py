"""Check throughput as lines and workers grow: many demo lines, a big batch, 4 workers and then 1.

    python benchmarks/throughput_benchmark.py [--leads 20000] [--lines 8] [--rate 120] [--latency 0.2]
        [--window 120] [--postgres postgresql://...] [--redis redis://...]

Each run: a fresh workspace of `leads` leads from the seeded mix, `lines` demo lines on loopback at
`rate` checks a minute each (each line answers 429 beyond it) and `latency` seconds a call, and a
bulk batch of every lead worked by N `flask worker` processes. After a warm-up, the line calls made
during `window` seconds give the achieved checks a minute, against the lines' total rate. The batch
is then cancelled (at 960 a minute, 20,000 leads would take over 20 minutes a run). Runs with 4
workers, then 1, to show where the ceiling moves. Writes BENCHMARKS.md.
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from import_benchmark import _write_section  # noqa: E402
from seeding import fresh_postgres, insert_leads  # noqa: E402

WARM_UP = 20


def one_run(app, workers: int, args, number: int) -> dict:
    from cli import create_user
    from demo_line import DemoLineServer
    from extensions import db
    from models import CheckBatch, Lead
    from services import line_admin
    from services.checks import batches as batch_checks
    from services.queue import check_queue

    # A queue of its own: the previous run's cancelled jobs (each a quick no-op) are not in its way.
    app.config["RQ_QUEUE"] = os.environ["RQ_QUEUE"] = f"bench-throughput-{uuid.uuid4().hex[:6]}"
    servers = [
        DemoLineServer(api_key="bench-key", latency=args.latency, rate_per_minute=args.rate).start()
        for _ in range(args.lines)
    ]
    with app.app_context():
        workspace_id = create_user(f"run{number}@bench.test", "bench-password-123").workspace_id
        insert_leads(workspace_id, args.leads)
        for n, server in enumerate(servers):
            line_admin.add_line(
                workspace_id,
                name=f"Demo {n + 1}",
                provider="demo",
                url=server.url,
                secret="bench-key",
                rate_per_minute=args.rate,
            )
        batch_id = batch_checks.start_batch(workspace_id, "bulk", Lead.workspace_id == workspace_id).id
    log = open(Path(os.environ["INSTANCE_PATH"]) / f"workers-{number}.log", "ab")
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(workers)
    ]

    def calls():
        return sum(server.stats["calls"] for server in servers)

    try:
        time.sleep(WARM_UP)
        first, started = calls(), time.monotonic()
        time.sleep(args.window)
        made, seconds = calls() - first, time.monotonic() - started
        limited = sum(server.stats["rate_limited"] for server in servers)
        with app.app_context():
            done = db.session.scalar(
                db.select(db.func.count(Lead.id)).where(Lead.batch_id == batch_id, Lead.status != "checking")
            )
            batch_checks.cancel_batch(db.session.get(CheckBatch, batch_id))
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
        for server in servers:
            server.stop()
        # The cancelled batch's jobs are no-ops, but they must not stay behind in a shared Redis.
        with app.app_context():
            check_queue(app).empty()
    return {"workers": workers, "per_minute": made / seconds * 60, "rate_limited": limited, "done": done}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=8)
    parser.add_argument("--rate", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--window", type=float, default=120, help="seconds measured per run")
    parser.add_argument("--postgres", help="PostgreSQL server URL (a new database is made on it)")
    parser.add_argument("--redis", help="Redis URL (default: the embedded one)")
    args = parser.parse_args()

    os.environ.update(
        {"INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-throughput-"), "LINE_ALLOW_PRIVATE_NETWORKS": "true"}
    )  # the demo lines are on loopback
    drop = None
    if args.postgres:
        os.environ["DATABASE_URL"], drop = fresh_postgres(args.postgres)
    else:
        os.environ.pop("DATABASE_URL", None)
    from flask_migrate import upgrade

    import embedded_redis
    from app import create_app

    os.environ["REDIS_URL"] = args.redis or embedded_redis.ensure_running(os.environ["INSTANCE_PATH"])
    app = create_app()
    try:
        with app.app_context():
            upgrade()
        runs = [one_run(app, 4, args, 1), one_run(app, 1, args, 2)]
    finally:
        if drop:
            with app.app_context():
                from extensions import db

                db.engine.dispose()
            drop()

    total = args.lines * args.rate
    database = "PostgreSQL" if args.postgres else "SQLite"
    redis = "a Redis server" if args.redis else "the embedded Redis"
    lines = [
        f"## Throughput: {args.leads:,} leads, {args.lines} demo lines at {args.rate}/min\n",
        f"`python benchmarks/throughput_benchmark.py --leads {args.leads} --lines {args.lines} --rate {args.rate} "
        f"--latency {args.latency} --window {args.window:g}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{database} and {redis}. Demo calls take {args.latency * 1000:.0f} ms. Calls counted by the demo "
        f"lines over {args.window:g} s after a {WARM_UP} s warm-up, then the batch is cancelled.\n",
        "| Workers | Checks/min achieved | Lines' total rate | Share | 429s | Leads final in the run |",
        "|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run['workers']} | {run['per_minute']:.0f} | {total} | {run['per_minute'] / total:.0%} | "
            f"{run['rate_limited']} | {run['done']:,} |"
        )
    section = "\n".join(lines) + "\n"
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
