"""A million leads in a workspace on PostgreSQL, beside 100,000 in the same run.

    python benchmarks/million_benchmark.py --postgres postgresql://... [--redis redis://...]
        [--sizes 100000,1000000] [--samples 200]

Per size, in a new database: the web benchmark's workspace (web_benchmark.prepare: the seeded mix,
a running bulk check of 50,000, 8 lines) served by gunicorn (4 processes), then:
- the web benchmark's endpoints (the page, the status filter, the searches, the polls), timed
  under its team load (web_benchmark.measure);
- the export of every lead (/leads/export.csv), downloaded whole: its time, and the peak RSS
  (VmHWM) of the gunicorn worker that served it, before and after;
- "check all matching": the request a user's click on Check Availability makes with "all N
  leads matching this filter" ticked (every lead), its time and status; then the job it queued,
  run here in-process as a worker would (all_matching.mark_and_queue): marking every lead
  Checking, a slice at a time, and queueing a check for each.
Writes the sizes side by side (and the ratio of the largest to the smallest) to BENCHMARKS.md.
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import web_benchmark  # noqa: E402
from import_benchmark import _write_section  # noqa: E402
from seeding import fresh_postgres, gunicorn  # noqa: E402


def worker_peaks(server: subprocess.Popen) -> dict[int, float]:
    """Each gunicorn worker's peak RSS so far (VmHWM), MB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = {}
    for pid in map(int, children):
        status = Path(f"/proc/{pid}/status").read_text()
        peaks[pid] = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024
    return peaks


def export(url: str, server: subprocess.Popen) -> dict:
    """Download the export of every lead; the time, the rows, and the serving worker's peak RSS."""
    session = web_benchmark.signed_in(url)
    before = worker_peaks(server)
    started, rows = time.perf_counter(), 0
    with session.get(f"{url}/leads/export.csv", stream=True) as response:
        assert response.status_code == 200, response.status_code
        for chunk in response.iter_content(1 << 16):
            rows += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    after = worker_peaks(server)
    grown = max(after, key=lambda pid: after[pid] - before.get(pid, 0))  # the worker that served it
    return {"seconds": seconds, "rows": rows - 1, "before_mb": before.get(grown, 0), "peak_mb": after[grown]}


def check_all_matching(url: str) -> dict:
    """The click: POST /leads/bulk-check with all_matching, as the leads page's form sends it."""
    session = web_benchmark.signed_in(url)
    page = session.get(f"{url}/leads/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "status": "", "q": "", "sort": "newest", "page": "1", "all_matching": "1"}
    started = time.perf_counter()
    try:
        status = session.post(f"{url}/leads/bulk-check", data=form, allow_redirects=False, timeout=600).status_code
    except requests.RequestException as exc:  # gunicorn killing the worker past its timeout
        status = type(exc).__name__
    return {"ms": (time.perf_counter() - started) * 1000, "status": status}


def worker_part() -> dict:
    """What a worker does after the click (the job it queued, run here in-process): mark every
    lead Checking, a slice at a time, then queue a check for each."""
    from app import create_app
    from extensions import db
    from models import CheckBatch
    from services.checks import all_matching
    from services.queue import check_queue

    app = create_app()
    with app.app_context():
        batch_id = db.session.scalar(db.select(db.func.max(CheckBatch.id)))
        db.session.rollback()
        started = time.perf_counter()
        marked = all_matching.mark_and_queue(batch_id, None, None)
        seconds = time.perf_counter() - started
        queued_at = db.session.get(CheckBatch, batch_id).queued_at
        jobs = check_queue().count - 1  # less the job the click queued, run here instead
        _empty(check_queue())  # the shared Redis server keeps none of it
        db.engine.dispose()
    return {"seconds": seconds, "marked": marked, "jobs": jobs, "queued": queued_at is not None}


def _empty(queue) -> None:
    """Delete the queue and its jobs, 10,000 keys a round trip (RQ's delete(delete_jobs=True)
    reads every job first)."""
    from rq.job import Job

    ids = queue.get_job_ids()
    for start in range(0, len(ids), 10_000):
        queue.connection.delete(*(Job.key_for(i) for i in ids[start : start + 10_000]))
    queue.delete(delete_jobs=False)


def run(postgres: str, redis_url: str | None, leads: int, samples: int) -> dict:
    database_url, drop = fresh_postgres(postgres)
    try:
        started = time.perf_counter()
        env, ids = web_benchmark.prepare(database_url, leads, redis_url)
        result = {"seed_seconds": time.perf_counter() - started, "load": os.getloadavg()}
        with gunicorn(env) as (url, server):
            result["times"], result["rate"] = web_benchmark.measure(url, ids, samples, *web_benchmark.LOADS["team"])
            result["export"] = export(url, server)
            result["click"] = check_all_matching(url)
        result["worker"] = worker_part()
        return result
    finally:
        drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server URL (each size in a new database)")
    parser.add_argument("--redis", help="a Redis server URL (default: an embedded one per size)")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    results = {n: run(args.postgres, args.redis, n, args.samples) for n in sizes}
    print(section(args, results))
    _write_section(section(args, results))


def section(args, results: dict) -> str:
    pct = web_benchmark.pct
    small, big = min(results), max(results)
    sizes = list(results)
    head = " | ".join(f"{n:,}: p50 / p95 ms" for n in sizes)
    lines = [
        "## A million leads: the leads page, export and check-all on PostgreSQL\n",
        f"`python benchmarks/million_benchmark.py --postgres … {'--redis … ' if args.redis else ''}"
        f"--sizes {args.sizes} --samples {args.samples}` on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')} UTC; gunicorn with 4 processes. "
        "Load average (1, 5, 15 min) as each size's timings began: "
        + "; ".join(f"{n:,}: " + ", ".join(f"{x:.2f}" for x in r["load"]) for n, r in results.items())
        + ". Seeding (COPY): "
        + "; ".join(f"{n:,} in {r['seed_seconds']:.0f} s" for n, r in results.items())
        + ". Each size's workspace as the web benchmark's, under its team load "
        + " / ".join(f"({r['rate']:.0f} requests/s)" for r in results.values())
        + ".\n",
        f"| Endpoint | {head} | p95 {big:,} ÷ {small:,} |",
        "|---|" + "---|" * len(sizes) + "---|",
    ]
    for name in results[small]["times"]:
        cells = " | ".join(
            f"{statistics.median(r['times'][name]):.1f} / {pct(r['times'][name], 95):.1f}" for r in results.values()
        )
        ratio = pct(results[big]["times"][name], 95) / pct(results[small]["times"][name], 95)
        lines.append(f"| {name} | {cells} | {ratio:.2f}× |")
    lines += [
        "",
        "| | " + " | ".join(f"{n:,} leads" for n in sizes) + f" | {big:,} ÷ {small:,} |",
        "|---|" + "---|" * (len(sizes) + 1),
    ]
    rows = {
        "Export: rows downloaded": lambda r: f"{r['export']['rows']:,}",
        "Export: seconds": lambda r: f"{r['export']['seconds']:.1f}",
        "Export: serving worker's peak RSS before → after (MB)": lambda r: (
            f"{r['export']['before_mb']:.0f} → {r['export']['peak_mb']:.0f}"
        ),
        "Check all matching: the click's request (ms, status)": lambda r: (
            f"{r['click']['ms']:.0f} ({r['click']['status']})"
        ),
        "Check all matching: leads a worker marked / check jobs it queued": lambda r: (
            f"{r['worker']['marked']:,} / {r['worker']['jobs']:,}"
        ),
        "Check all matching: the worker's job, marking and queueing (s)": lambda r: f"{r['worker']['seconds']:.1f}",
    }
    ratios = {
        "Export: seconds": lambda r: r["export"]["seconds"],
        "Export: serving worker's peak RSS before → after (MB)": lambda r: r["export"]["peak_mb"],
        "Check all matching: the click's request (ms, status)": lambda r: r["click"]["ms"],
        "Check all matching: the worker's job, marking and queueing (s)": lambda r: r["worker"]["seconds"],
    }
    for name, cell in rows.items():
        ratio = f"{ratios[name](results[big]) / ratios[name](results[small]):.2f}×" if name in ratios else ""
        lines.append(f"| {name} | " + " | ".join(cell(r) for r in results.values()) + f" | {ratio} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
