"""Check throughput as lines and workers grow: many demo lines, a big batch, and the workers as
4 commands, 1 command, and one command running N jobs at once, in N processes or N threads.

    python benchmarks/throughput_benchmark.py [--leads 20000] [--lines 8] [--rate 120] [--latency 0.2]
        [--window 120] [--concurrency 8] [--postgres postgresql://...] [--redis redis://...]

Each run: a fresh workspace of `leads` leads from the seeded mix, `lines` demo lines on loopback at
`rate` checks a minute each (each line answers 429 beyond it) and `latency` seconds a call, and a
bulk batch of every lead worked by the workers. After a warm-up, the line calls made during
`window` seconds give the achieved checks a minute, against the lines' total rate, and the CPU
the workers' processes (with all they forked) used meanwhile; their memory is read at the end. The
batch is then cancelled (at 960 a minute, 20,000 leads would take over 20 minutes a run). Runs 4
`flask worker` commands, then 1, to show where the ceiling moves; then one `flask worker
--concurrency N` (N processes), and N RQ workers on threads of one process (threaded_worker.py).
Writes BENCHMARKS.md.
"""

import argparse
import os
import platform
import shlex
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
FLASK = [sys.executable, "-m", "flask", "--app", "app"]


def commands(kind: str, n: int) -> list[list[str]]:
    """The command lines started for a run: `n` worker commands, or one running `n` jobs at once."""
    if kind == "commands":
        return [[*FLASK, "worker"]] * n
    if kind == "processes":
        return [[*FLASK, "worker", "--concurrency", str(n)]]
    return [[sys.executable, str(HERE / "threaded_worker.py"), str(n)]]


def tree(procs):
    import psutil

    found = []
    for proc in procs:
        try:
            top = psutil.Process(proc.pid)
            found += [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
    return found


def cpu_seconds(procs) -> float:
    import psutil

    total = 0.0
    for each in tree(procs):
        try:
            times = each.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def memory_mb(procs) -> tuple[float, float]:
    """RSS summed over the processes, and PSS (shared pages split between their sharers)."""
    import psutil

    rss = pss = 0
    for each in tree(procs):
        try:
            info = each.memory_full_info()
            rss, pss = rss + info.rss, pss + info.pss
        except psutil.NoSuchProcess:
            continue
    return rss / 2**20, pss / 2**20


def one_run(app, kind: str, workers: int, args, number: int) -> dict:
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
        subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT)
        for command in commands(kind, workers)
    ]

    def calls():
        return sum(server.stats["calls"] for server in servers)

    try:
        time.sleep(WARM_UP)
        first, started, cpu = calls(), time.monotonic(), cpu_seconds(procs)
        time.sleep(args.window)
        made, seconds = calls() - first, time.monotonic() - started
        cpu, (rss, pss) = cpu_seconds(procs) - cpu, memory_mb(procs)
        load = os.getloadavg()[0]
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
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                print(f"{kind} {workers}: not stopped after 60 s; killed", flush=True)
                for each in tree([proc]):
                    each.kill()
                proc.wait()
        for server in servers:
            server.stop()
        # The cancelled batch's jobs are no-ops, but they must not stay behind in a shared Redis.
        with app.app_context():
            check_queue(app).empty()
    print(f"{kind} {workers}: {made / seconds * 60:.0f}/min, load {load:.2f}", flush=True)
    return {
        "how": describe(kind, workers),
        "per_minute": made / seconds * 60,
        "rate_limited": limited,
        "done": done,
        "cpu": cpu / seconds,
        "rss": rss,
        "pss": pss,
        "load": load,
    }


def describe(kind: str, n: int) -> str:
    if kind == "commands":
        return f"{n} × `flask worker`"
    if kind == "processes":
        return f"`flask worker --concurrency {n}` (processes)"
    return f"`threaded_worker.py {n}` (threads)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=8)
    parser.add_argument("--rate", type=int, default=120)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--window", type=float, default=120, help="seconds measured per run")
    parser.add_argument("--concurrency", type=int, default=8, help="jobs at once in the one-command runs")
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
        plan = [("commands", 4), ("commands", 1), ("processes", args.concurrency), ("threads", args.concurrency)]
        runs = [one_run(app, kind, n, args, number) for number, (kind, n) in enumerate(plan, 1)]
    finally:
        if drop:
            with app.app_context():
                from extensions import db

                db.engine.dispose()
            drop()

    total = args.lines * args.rate
    database = "PostgreSQL" if args.postgres else "SQLite"
    redis = "a Redis server" if args.redis else "the embedded Redis"
    command = " ".join(shlex.quote(arg) for arg in sys.argv[1:])
    lines = [
        f"## Throughput: {args.leads:,} leads, {args.lines} demo lines at {args.rate}/min\n",
        f"`python benchmarks/throughput_benchmark.py {command}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{database} and {redis}. Demo calls take {args.latency * 1000:.0f} ms. Calls counted by the demo "
        f"lines over {args.window:g} s after a {WARM_UP} s warm-up, then the batch is cancelled. CPU: the "
        "workers' processes (and what they forked) over the window, in cores; memory at its end, summed "
        "over them (PSS splits the pages forked processes share). Load: the 1-minute load average at the end.\n",
        "| Workers | Checks/min | Share of the lines' total | 429s | Leads final | CPU (cores) | RSS MB | PSS MB "
        "| Load |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run['how']} | {run['per_minute']:.0f} | {run['per_minute'] / total:.1%} of {total} | "
            f"{run['rate_limited']} | {run['done']:,} | {run['cpu']:.2f} | {run['rss']:.0f} | {run['pss']:.0f} "
            f"| {run['load']:.2f} |"
        )
    section = "\n".join(lines) + "\n"
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
