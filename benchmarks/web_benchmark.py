"""The leads page at 100,000 leads, served by gunicorn under a concurrent load, on SQLite and (with
--postgres URL) PostgreSQL.

    python benchmarks/web_benchmark.py [--leads 100000] [--samples 300] [--postgres postgresql://...]

Per database: a workspace of `leads` leads from the seeded mix (statuses spread, one running bulk
check of 50,000 of them, half answered), served by gunicorn (4 processes). A second process keeps `load` clients
busy on the leads page while this one times, interleaved, `samples` requests each of:
- trivial: /health, served by the same server (the floor: HTTP, WSGI, the process hop);
- page: /leads/ (50 rows, count, running batches);
- row fragment: the page poll with one watched row that changed (/leads/updates?lead=...);
- progress fragment: the page poll with the running batch (/leads/updates?batch=...);
- search: /leads/?q=..., the debounced search box: a last name ~14% of the leads carry, and one
  lead's phone number.
Writes p50/p95 and the ratio to the trivial endpoint to BENCHMARKS.md.
"""
import argparse
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
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
from seeding import free_port, fresh_postgres, insert_leads  # noqa: E402

EMAIL, PASSWORD = "bench@example.com", "benchmark password"
BATCH = 50_000
STATUSES = ["available"] * 35 + ["unavailable"] * 35 + ["error"] * 5 + ["not_checked"] * 25


def prepare(database_url: str | None, leads: int) -> tuple[dict, dict]:
    """A fresh instance and database holding the workspace; returns the env and the ids to poll."""
    env = {"INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-web-"), "SECURE_COOKIES": "false",
           "RQ_QUEUE": f"bench-web-{uuid.uuid4().hex[:6]}"}
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

    env["REDIS_URL"] = os.environ["REDIS_URL"] = embedded_redis.ensure_running(env["INSTANCE_PATH"])
    app = create_app()
    with app.app_context():
        upgrade()
        workspace_id = create_user(EMAIL, PASSWORD).workspace_id
        batch = CheckBatch(workspace_id=workspace_id, kind="bulk", total=BATCH)
        db.session.add(batch)
        db.session.flush()

        def spread(n):  # a bulk check of half the workspace, half done; statuses spread out
            in_batch = {"batch_id": batch.id, "check_run": f"batch-{batch.id}"} if n < BATCH else {}
            return {"status": "checking" if n < BATCH // 2 else STATUSES[n % len(STATUSES)], **in_batch}

        insert_leads(workspace_id, leads, spread)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: statistics, and the visibility map that
            # lets a count read the index alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE lead")
        watched = db.session.scalar(db.select(Lead.id).where(Lead.batch_id == batch.id).limit(1))
        # A common search (a last name ~14% of the leads carry) and a rare one (one lead's phone).
        rare = db.session.scalar(db.select(Lead.phone_norm).where(Lead.phone_norm.is_not(None))
                                 .order_by(Lead.id.desc()).offset(leads // 3).limit(1))
        ids = {"batch": batch.id, "lead": watched, "q": leads_csv.LAST[3], "q_rare": rare}
        db.engine.dispose()
    return env, ids


def signed_in(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{url}/login")
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page.text).group(1)
    response = session.post(f"{url}/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert response.url.endswith("/leads/"), "could not sign in"
    return session


def load(url: str, clients: int, stop) -> None:
    """`clients` threads each asking for the leads page (and its poll) until told to stop."""
    import threading

    def client():
        session = signed_in(url)
        while not stop.is_set():
            session.get(f"{url}/leads/")

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(url: str, ids: dict, samples: int, clients: int) -> dict[str, list[float]]:
    targets = {
        "trivial (/health)": "/health",
        "leads page (50 rows)": "/leads/",
        "row fragment": f"/leads/updates?lead={ids['lead']}:0",
        "progress fragment": f"/leads/updates?batch={ids['batch']}",
        "search, common name": f"/leads/?q={ids['q']}",
        "search, one phone": f"/leads/?q={quote(ids['q_rare'])}",
    }
    session = signed_in(url)
    for path in targets.values():  # warm each process's caches
        for _ in range(8):
            session.get(f"{url}{path}")
    stop = multiprocessing.Event()
    loader = multiprocessing.Process(target=load, args=(url, clients, stop))
    loader.start()
    time.sleep(2)
    times = {name: [] for name in targets}
    try:
        for _ in range(samples):
            for name, path in targets.items():
                started = time.perf_counter()
                response = session.get(f"{url}{path}", headers={"HX-Request": "true"} if "updates" in path else {})
                times[name].append((time.perf_counter() - started) * 1000)
                assert response.status_code in (200, 286), (path, response.status_code)
    finally:
        stop.set()
        loader.join()
    return times


def run(postgres: str | None, leads: int, samples: int, clients: int) -> dict[str, list[float]]:
    database_url, drop = fresh_postgres(postgres) if postgres else (None, None)
    try:
        return serve_and_measure(database_url, leads, samples, clients)
    finally:
        if drop:
            drop()


def serve_and_measure(database_url: str | None, leads: int, samples: int, clients: int) -> dict[str, list[float]]:
    env, ids = prepare(database_url, leads)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}",
                               "--log-level", "warning", "app:create_app()"], cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/health", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        return measure(url, ids, samples, clients)
    finally:
        server.terminate()
        server.wait()


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--load", type=int, default=2, help="concurrent clients in the load process")
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on as well (in a new database)")
    args = parser.parse_args()

    results = {"SQLite": run(None, args.leads, args.samples, args.load)}
    if args.postgres:
        results["PostgreSQL"] = run(args.postgres, args.leads, args.samples, args.load)

    lines = [f"## Web: the leads page at {args.leads:,} leads under load\n",
             f"`python benchmarks/web_benchmark.py --leads {args.leads} --samples {args.samples} --load {args.load}"
             + (" --postgres …`" if args.postgres else "`") + f" on {platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}; gunicorn with 4 processes, {args.load} clients loading the "
             "leads page from a second process throughout. Each request timed in turn, interleaved.\n",
             "| Database | Endpoint | p50 ms | p95 ms | p95 ÷ trivial p95 |", "|---|---|---|---|---|"]
    for database, times in results.items():
        floor = pct(times["trivial (/health)"], 95)
        for name, values in times.items():
            lines.append(f"| {database} | {name} | {statistics.median(values):.1f} | {pct(values, 95):.1f} | "
                         f"{pct(values, 95) / floor:.1f}× |")
    section = "\n".join(lines) + "\n"
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
