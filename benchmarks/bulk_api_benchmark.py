"""POST /api/leads with 1,000 leads: how long the answer takes, over real HTTP.

    python benchmarks/bulk_api_benchmark.py [--samples 20] [--postgres postgresql://... --redis redis://...]

gunicorn (one process) serves the app on SQLite and the embedded Redis, and (with --postgres and
--redis) on those servers; the workspace has an active demo line, so every call also opens its
batch and queues 1,000 checks (no worker runs them: the call's own cost is measured). Each sample
is 1,000 new leads from the seeded mix (names, company, phone, email, an alternate phone), posted
with http.client on a kept connection and timed until the whole answer is read.
"""

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import leads_csv  # noqa: E402
from import_benchmark import _write_section  # noqa: E402
from seeding import free_port, fresh_postgres  # noqa: E402
from web_benchmark import pct  # noqa: E402

from support import process_tree  # noqa: E402

LEADS = 1000


def timings(samples: int, database_url: str | None, redis_url: str | None) -> dict:
    """Seconds per 1,000-lead POST, on the given servers (None: embedded): {"wall": [...], "cpu":
    [...]}, cpu being the web process's own CPU time for the call (what a busy machine can't inflate;
    the database's and Redis's share not included)."""
    env = {
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-bulk-api-"),
        "RQ_QUEUE": "bench-bulk-api",
        "LINE_ALLOW_PRIVATE_NETWORKS": "true",
        "SECURE_COOKIES": "false",
        "API_RATE_LIMIT": "1000 per minute",
    }
    os.environ.update(env)
    import embedded_redis

    os.environ["REDIS_URL"] = redis_url or embedded_redis.ensure_running(env["INSTANCE_PATH"])
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    from flask_migrate import upgrade

    from app import create_app
    from cli import create_user
    from demo_line import DemoLineServer
    from extensions import db
    from models import User
    from services import line_admin, tokens

    app = create_app()
    line = DemoLineServer(api_key="bench-key").start()
    with app.app_context():
        upgrade()
        user = create_user("bulk@bench.test", "bench-password-123")
        line_admin.add_line(user.workspace_id, name="Demo", provider="demo", url=line.url, secret="bench-key")
        token = tokens.create_token(db.session.get(User, user.id), "bench")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        conn = _connect(port)
        rows = list(leads_csv.rows(LEADS * (samples + 2)))
        took = {"wall": [], "cpu": []}
        for n in range(samples + 2):
            leads = [
                {"firstName": r[0], "lastName": r[1], "company": r[2], "phone": r[3], "email": r[4], "altPhone1": r[5]}
                for r in rows[n * LEADS : (n + 1) * LEADS]
            ]
            body = json.dumps({"leads": leads})
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            cpu, started = _cpu(server.pid), time.perf_counter()
            conn.request("POST", "/api/leads", body, headers)
            response = conn.getresponse()
            answer = json.loads(response.read())
            elapsed, cpu = time.perf_counter() - started, _cpu(server.pid) - cpu
            assert response.status == 201 and answer["batchId"], answer
            if n >= 2:  # the first warm the process
                took["wall"].append(elapsed)
                took["cpu"].append(cpu)
        return took
    finally:
        server.terminate()
        server.wait(timeout=30)
        line.stop()
        if not redis_url:
            embedded_redis.stop(env["INSTANCE_PATH"])


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn and its worker."""
    ticks = 0
    for process in process_tree(pid):
        with open(f"/proc/{process}/stat") as f:
            ticks += sum(int(x) for x in f.read().rsplit(")", 1)[1].split()[11:13])
    return ticks / os.sysconf("SC_CLK_TCK")


def _connect(port: int) -> http.client.HTTPConnection:
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/health")
            conn.getresponse().read()
            return conn
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def measure(samples: int, database_url: str | None = None, redis_url: str | None = None) -> dict:
    """timings() in a fresh process, so each configuration starts cold and alone."""
    out = subprocess.run(
        [sys.executable, __file__, "--samples", str(samples), "--child", json.dumps([database_url, redis_url])],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on as well (in a new database)")
    parser.add_argument("--redis", help="the Redis server to use with --postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(timings(args.samples, *json.loads(args.child))))
        return
    if bool(args.postgres) != bool(args.redis):
        parser.error("--postgres and --redis go together")
    runs = {"SQLite, embedded Redis": measure(args.samples)}
    if args.postgres:
        database_url, drop = fresh_postgres(args.postgres)
        try:
            runs["PostgreSQL, Redis server"] = measure(args.samples, database_url, args.redis)
        finally:
            drop()
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    lines = [
        "## Bulk API: 1,000 leads in one POST /api/leads\n",
        f"`python benchmarks/bulk_api_benchmark.py --samples {args.samples}"
        + (" --postgres … --redis …`" if args.postgres else "`")
        + f" on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{load} at the end (a shared machine); gunicorn, one process; an active demo line, so each call opens its "
        "batch and queues 1,000 checks. Seconds from sending the request to the end of the answer.\n",
        "| Servers | Samples | p50 s | p95 s | max s | Web process CPU p50 / p95 s | Target |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, took in runs.items():
        wall, cpu = took["wall"], took["cpu"]
        lines.append(
            f"| {name} | {len(wall)} | {statistics.median(wall):.2f} | {pct(wall, 95):.2f} | {max(wall):.2f} "
            f"| {statistics.median(cpu):.2f} / {pct(cpu, 95):.2f} | < 1 s |"
        )
    lines += [
        "",
        "- Web process CPU: the gunicorn worker's own CPU time for the call, which a busy machine does not "
        "inflate (the database's and Redis's work not included). Wall time on a shared machine is that plus "
        "waiting for a core.",
        "- Where the time goes (1,000 leads, measured in-process, wall): reading and normalising the addresses "
        "(phonenumbers) ~0.2-0.3 s; the INSERT ~0.1 s on SQLite, ~0.3 s on PostgreSQL (0.05 s of it the "
        "web process's: the rest is the database maintaining the indexes, the trigram one above all); "
        "marking the batch (one UPDATE) ~0.1-0.2 s on PostgreSQL; queueing its one job, a few ms. As one "
        "multi-row INSERT, PostgreSQL's took 0.6-1.0 s (psycopg parsing 22,000 placeholders).",
        "- Before this change the same call took ~25 s (a commit and an RQ job per lead, made in the request).",
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
