"""The leads page at 100,000 leads, served by gunicorn under a concurrent load, on SQLite and (with
--postgres URL) PostgreSQL.

    python benchmarks/web_benchmark.py [--leads 100000] [--samples 300] [--postgres postgresql://...]

Per database: a workspace of `leads` leads from the seeded mix (statuses spread, one running bulk
check of 50,000 of them, half answered) and 8 active lines (two with a daily cap), served by
gunicorn (4 processes). Under each load in LOADS
(a team polling at a browser's pace; clients loading pages back to back), kept up by a second
process, this one times, interleaved, `samples` requests each of:
- trivial: /health, served by the same server (the floor: HTTP, WSGI, the process hop);
- page: /leads/ (50 rows, count, running batches);
- row fragment: the page poll with one watched row that changed (/leads/updates?lead=...);
- progress fragment: the page poll with the running batch (/leads/updates?batch=...);
- status filter: /leads/?status=available, a status chip;
- search: /leads/?q=..., the debounced search box: a last name ~14% of the leads carry, and one
  lead's phone number.
Writes p50/p95 and the ratio to the trivial endpoint to BENCHMARKS.md.
"""

import argparse
import http.client
import multiprocessing
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import leads_csv  # noqa: E402
from import_benchmark import _write_section  # noqa: E402
from seeding import fresh_postgres, gunicorn, insert_leads  # noqa: E402

EMAIL, PASSWORD = "bench@example.com", "benchmark password"
BATCH = 50_000
LINES = 8
STATUSES = ["available"] * 35 + ["unavailable"] * 35 + ["error"] * 5 + ["not_checked"] * 25


def prepare(database_url: str | None, leads: int, redis_url: str | None = None) -> tuple[dict, dict]:
    """A fresh instance and database holding the workspace; returns the env and the ids to poll.
    Redis: `redis_url`, or an embedded server of the instance's own."""
    env = {
        "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-web-"),
        "SECURE_COOKIES": "false",
        "RQ_QUEUE": f"bench-web-{uuid.uuid4().hex[:6]}",
    }
    if database_url:
        env["DATABASE_URL"] = database_url
    os.environ.update(env)
    os.environ.pop("REDIS_URL", None)
    if not database_url:
        os.environ.pop("DATABASE_URL", None)
    from flask_migrate import upgrade

    import embedded_redis
    from app import create_app
    from cli import create_user
    from extensions import db
    from models import CheckBatch, Lead
    from services import line_admin
    from services.checks import lead as lead_checks

    env["REDIS_URL"] = os.environ["REDIS_URL"] = redis_url or embedded_redis.ensure_running(env["INSTANCE_PATH"])
    app = create_app()
    with app.app_context():
        upgrade()
        workspace_id = create_user(EMAIL, PASSWORD).workspace_id
        for n in range(LINES):  # what the batch's ETA reads; never called here
            line_admin.add_line(
                workspace_id,
                name=f"Line {n + 1}",
                provider="demo",
                url="http://127.0.0.1:9",
                rate_per_minute=120,
                daily_cap=5000 if n < 2 else None,
            )
        batch = CheckBatch(workspace_id=workspace_id, kind="bulk", total=BATCH)
        db.session.add(batch)
        db.session.flush()

        def spread(n):  # a bulk check of half the workspace, half done; statuses spread out
            in_batch = {"batch_id": batch.id, "check_run": lead_checks.batch_run(batch.id)} if n < BATCH else {}
            return {"status": "checking" if n < BATCH // 2 else STATUSES[n % len(STATUSES)], **in_batch}

        insert_leads(workspace_id, leads, spread)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: statistics, and the visibility map that
            # lets a count read the index alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE lead")
        watched = db.session.scalars(
            db.select(Lead.id).where(Lead.batch_id == batch.id, Lead.status == "checking").limit(20)
        ).all()
        # A common search (a last name ~14% of the leads carry) and a rare one (one lead's phone).
        rare = db.session.scalar(
            db.select(Lead.phone_norm)
            .where(Lead.phone_norm.is_not(None))
            .order_by(Lead.id.desc())
            .offset(leads // 3)
            .limit(1)
        )
        ids = {"batch": batch.id, "lead": watched[0], "watched": watched, "q": leads_csv.LAST[3], "q_rare": rare}
        db.engine.dispose()
    return env, ids


def signed_in(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/login")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
    response = session.post(f"{url}/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert response.url.endswith("/leads/"), "could not sign in"
    return session


# The loads a second process keeps up while this one times requests:
# - a team: `users` people with the leads page open during a bulk check, each page polling every
#   2 s (the batch and 20 watched rows) and reloaded every 20 s; paced, as browsers are;
# - saturation: `pages` clients loading the leads page back to back, as fast as the server answers.
LOADS = {"team": ("users", 25), "saturation": ("pages", 2)}


def load(url: str, ids: dict, kind: str, n: int, stop, served) -> None:
    import random
    import threading

    poll = f"{url}/leads/updates?batch={ids['batch']}&" + "&".join(f"lead={i}:0" for i in ids["watched"])

    def user():
        session = signed_in(url)
        stop.wait(random.uniform(0, 2))
        ticks = random.randrange(10)
        while not stop.is_set():
            ticks += 1
            try:
                session.get(f"{url}/leads/" if ticks % 10 == 0 else poll, headers={"HX-Request": "true"})
            except requests.RequestException:  # a browser asks again on its next poll
                pass
            with served.get_lock():
                served.value += 1
            stop.wait(2)

    def pages():
        session = signed_in(url)
        while not stop.is_set():
            session.get(f"{url}/leads/")
            with served.get_lock():
                served.value += 1

    threads = [threading.Thread(target=user if kind == "users" else pages) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(url: str, ids: dict, samples: int, kind: str, n: int) -> tuple[dict[str, list[float]], float]:
    """Timings per endpoint under the load, and the load's own requests per second."""
    targets = {
        "trivial (/health)": "/health",
        "leads page (50 rows)": "/leads/",
        "row fragment": f"/leads/updates?lead={ids['lead']}:0",
        "progress fragment": f"/leads/updates?batch={ids['batch']}",
        "status filter": "/leads/?status=available",
        "search, common name": f"/leads/?q={ids['q']}",
        "search, one phone": f"/leads/?q={quote(ids['q_rare'])}",
    }
    session = signed_in(url)
    for path in targets.values():  # warm each process's caches
        for _ in range(8):
            session.get(f"{url}{path}")
    # Timed with the standard library's client: requests adds ~2 ms of its own per request here.
    host, port = url.removeprefix("http://").split(":")
    cookie = "; ".join(f"{name}={value}" for name, value in session.cookies.items())

    def get(path: str) -> int:
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        headers = {"Cookie": cookie, **({"HX-Request": "true"} if "updates" in path else {})}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        conn.close()
        return response.status

    stop, served = multiprocessing.Event(), multiprocessing.Value("i", 0)
    loader = multiprocessing.Process(target=load, args=(url, ids, kind, n, stop, served))
    loader.start()
    time.sleep(4)
    times = {name: [] for name in targets}
    served.value, began = 0, time.perf_counter()
    try:
        for _ in range(samples):
            for name, path in targets.items():
                started = time.perf_counter()
                status = get(path)
                times[name].append((time.perf_counter() - started) * 1000)
                assert status in (200, 286), (path, status)
    finally:
        rate = served.value / (time.perf_counter() - began)
        stop.set()
        loader.join()
    return times, rate


def run(postgres: str | None, leads: int, samples: int) -> dict[str, tuple[dict, float]]:
    database_url, drop = fresh_postgres(postgres) if postgres else (None, None)
    try:
        return serve_and_measure(database_url, leads, samples)
    finally:
        if drop:
            drop()


def serve_and_measure(database_url: str | None, leads: int, samples: int) -> dict[str, tuple[dict, float]]:
    env, ids = prepare(database_url, leads)
    with gunicorn(env) as (url, _):
        return {name: measure(url, ids, samples, kind, n) for name, (kind, n) in LOADS.items()}


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on as well (in a new database)")
    args = parser.parse_args()

    results = {"SQLite": run(None, args.leads, args.samples)}
    if args.postgres:
        results["PostgreSQL"] = run(args.postgres, args.leads, args.samples)

    (_, users), (_, pages) = LOADS["team"], LOADS["saturation"]
    lines = [
        f"## Web: the leads page at {args.leads:,} leads under load\n",
        f"`python benchmarks/web_benchmark.py --leads {args.leads} --samples {args.samples}"
        + (" --postgres …`" if args.postgres else "`")
        + f" on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; gunicorn with 4 processes on the same cores as the load; the "
        f"workspace has {LINES} active lines (2 with a daily cap), which the running check's ETA reads. "
        f"Two loads from a second process, each throughout its own set of timings: **team**, {users} users "
        "with the leads page open during a bulk check (each page polls every 2 s for the batch and 20 "
        f"rows, all changed, the worst case; and is reloaded every 20 s); **saturation**, {pages} clients "
        "loading the leads page back to back. Each request below timed in turn, interleaved, by a third client "
        "(http.client, a new\nconnection each time as gunicorn's sync workers close them).\n",
        "| Database | Load (its requests/s) | Endpoint | p50 ms | p95 ms | p95 ÷ trivial p95 |",
        "|---|---|---|---|---|---|",
    ]
    for database, by_load in results.items():
        for load_name, (times, rate) in by_load.items():
            floor = pct(times["trivial (/health)"], 95)
            for name, values in times.items():
                lines.append(
                    f"| {database} | {load_name} ({rate:.0f}/s) | {name} | {statistics.median(values):.1f} | "
                    f"{pct(values, 95):.1f} | {pct(values, 95) / floor:.1f}× |"
                )
    section = "\n".join(lines) + "\n"
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
