"""gunicorn's sync workers against the threaded ones gunicorn.conf.py sets, side by side on one
PostgreSQL workspace, under the web benchmark's team load.

    python benchmarks/worker_class_benchmark.py --postgres postgresql://... [--leads 100000]
        [--samples 150] [--rounds 2]

The workspace is the web benchmark's (web_benchmark.prepare). Each round serves it once with sync
workers (`gunicorn --workers 4`, no config: each request its own connection, closed after) and
once with gunicorn.conf.py (gthread, 2 threads a process, connections kept 5 s), alternating, and
times the web benchmark's endpoints under its team load (web_benchmark.measure). Writes each
endpoint's p50/p95 per worker class, all rounds pooled, and the ratio, to BENCHMARKS.md.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import web_benchmark  # noqa: E402
from import_benchmark import _write_section  # noqa: E402
from seeding import fresh_postgres, gunicorn  # noqa: E402

CLASSES = {"sync": (), "gthread (gunicorn.conf.py)": ("--config", "gunicorn.conf.py")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--redis", help="a Redis server URL (default: an embedded one)")
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    database_url, drop = fresh_postgres(args.postgres)
    times = {name: {} for name in CLASSES}
    loads = []
    try:
        env, ids = web_benchmark.prepare(database_url, args.leads, args.redis)
        for _ in range(args.rounds):
            for name, options in CLASSES.items():
                loads.append(os.getloadavg()[0])
                with gunicorn(env, options=options) as (url, _):
                    measured, _rate = web_benchmark.measure(url, ids, args.samples, *web_benchmark.LOADS["team"])
                for endpoint, values in measured.items():
                    times[name].setdefault(endpoint, []).extend(values)
                time.sleep(2)
    finally:
        drop()

    (sync, threaded), pct = list(CLASSES), web_benchmark.pct
    lines = [
        "## gunicorn: sync workers against threaded ones, side by side\n",
        f"`python benchmarks/worker_class_benchmark.py --postgres … --leads {args.leads} --samples "
        f"{args.samples} --rounds {args.rounds}` on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC; PostgreSQL, "
        f"{args.leads:,} leads, 4 processes either way, the team load; the classes alternate, "
        f"{args.rounds} rounds each, pooled ({args.samples * args.rounds} samples an endpoint). Load average "
        f"(1 min) as each round began: {', '.join(f'{load:.2f}' for load in loads)}.\n",
        f"| Endpoint | {sync}: p50 / p95 ms | {threaded}: p50 / p95 ms | p95 ratio |",
        "|---|---|---|---|",
    ]
    for endpoint in times[sync]:
        a, b = times[sync][endpoint], times[threaded][endpoint]
        lines.append(
            f"| {endpoint} | {pct(a, 50):.1f} / {pct(a, 95):.1f} | {pct(b, 50):.1f} / {pct(b, 95):.1f} "
            f"| {pct(b, 95) / pct(a, 95):.2f}× |"
        )
    _write_section("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
