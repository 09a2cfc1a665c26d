"""Quick Send's own cost: an address check through the app minus the line's latency.

    python benchmarks/quick_send_benchmark.py [--samples 300] [--latency 0.05]
                                              [--postgres postgresql://... --redis redis://...]

The app with a demo line on loopback that answers after `latency` seconds and never rate limits:
on SQLite and the embedded Redis, and (with --postgres and --redis) on those servers, each in a
process of its own, in one run. Each sample posts a new address (never cached, so every one is a
line call) to /leads/quick-send/check, as the page does 500 ms after typing stops, and times the
answer. Right before it, the same request goes to the demo line directly (http.client on a kept
connection, the least a client can add), timed: the line's own latency, which is more than its
`latency` (its HTTP handling, the machine waking its threads after the wait). Two overheads per
sample: the app's time minus that measured latency (paired), and minus the nominal `latency`.
What is left is the app: session, form, normalising, the cache look-up, the in-flight mark and
pacing in Redis, the HTTP call through requests, keeping the answer, the icon fragment.
"""

import argparse
import http.client
import json
import os
import platform
import re
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

from import_benchmark import _write_section  # noqa: E402
from seeding import fresh_postgres  # noqa: E402
from web_benchmark import pct  # noqa: E402


def overheads(samples: int, latency: float, database_url: str | None, redis_url: str | None) -> dict:
    """Milliseconds of each sample not spent in the line, on the given servers (None: embedded):
    {"paired": app - measured line latency, "nominal": app - `latency`, "line": measured latency}."""
    os.environ.update(
        {
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-quick-"),
            "RQ_QUEUE": "bench-quick",
            "LINE_ALLOW_PRIVATE_NETWORKS": "true",
            "SECURE_COOKIES": "false",
        }
    )
    for name, value in (("DATABASE_URL", database_url), ("REDIS_URL", redis_url)):
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)
    from flask_migrate import upgrade

    import embedded_redis
    from app import create_app
    from cli import create_user
    from demo_line import DemoLineServer
    from services import line_admin

    if not redis_url:
        os.environ["REDIS_URL"] = embedded_redis.ensure_running(os.environ["INSTANCE_PATH"])
    app = create_app({"WTF_CSRF_ENABLED": False})
    server = DemoLineServer(api_key="bench-key", latency=latency).start()
    with app.app_context():
        upgrade()
        workspace_id = create_user("quick@bench.test", "bench-password-123").workspace_id
        line_admin.add_line(
            workspace_id, name="Demo", provider="demo", url=server.url, secret="bench-key", rate_per_minute=100_000
        )
    client = app.test_client()
    client.post("/login", data={"email": "quick@bench.test", "password": "bench-password-123"})
    direct = http.client.HTTPConnection("127.0.0.1", server.port)
    result = {"paired": [], "nominal": [], "line": []}
    for n in range(samples + 10):
        started = time.perf_counter()
        direct.request(
            "POST",
            "/api/partner/v3/capability/check_imessage",
            json.dumps({"address": f"+1202666{n:04d}"}),
            {"Authorization": "Bearer bench-key", "Content-Type": "application/json"},
        )
        assert direct.getresponse().read()
        line = time.perf_counter() - started
        started = time.perf_counter()
        response = client.post(
            "/leads/quick-send/check", data={"recipient": f"+1202555{n:04d}"}, headers={"HX-Request": "true"}
        )
        took = time.perf_counter() - started
        assert re.search(r'data-state="(available|unavailable)"', response.get_data(as_text=True)), response.data[:300]
        if n >= 10:  # the first few warm caches and connections
            result["paired"].append((took - line) * 1000)
            result["nominal"].append((took - latency) * 1000)
            result["line"].append(line * 1000)
    server.stop()
    assert server.stats["calls"] == 2 * (samples + 10), "every sample must be a line call"
    return result


def measure(samples: int, latency: float, database_url: str | None = None, redis_url: str | None = None) -> dict:
    """overheads() in a fresh process, so each configuration starts cold and alone."""
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--samples",
            str(samples),
            "--latency",
            str(latency),
            "--child",
            json.dumps([database_url, redis_url]),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on as well (in a new database)")
    parser.add_argument("--redis", help="the Redis server to use with --postgres")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(overheads(args.samples, args.latency, *json.loads(args.child))))
        return
    if bool(args.postgres) != bool(args.redis):
        parser.error("--postgres and --redis go together")

    runs = {"SQLite, embedded Redis": measure(args.samples, args.latency)}
    if args.postgres:
        database_url, drop = fresh_postgres(args.postgres)
        try:
            runs["PostgreSQL, Redis server"] = measure(args.samples, args.latency, database_url, args.redis)
        finally:
            drop()

    lines = [
        "## Quick Send: the app's overhead on an address check\n",
        f"`python benchmarks/quick_send_benchmark.py --samples {args.samples} --latency {args.latency}"
        + (" --postgres … --redis …`" if args.postgres else "`")
        + f" on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; each configuration in its own process, one after the other; every "
        f"sample a new address, so a real line call (the demo line, {args.latency * 1000:.0f} ms), each after a "
        "direct call to the line that measures its own latency. p50 / p95 in ms.\n",
        "| Servers | Samples | Line's latency, measured | Overhead over the measured latency (paired) "
        "| Overhead over the nominal latency | Target p95 |",
        "|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        figures = " | ".join(
            f"{statistics.median(run[key]):.1f} / {pct(run[key], 95):.1f}" for key in ("line", "paired", "nominal")
        )
        lines.append(f"| {name} | {len(run['paired'])} | {figures} | ≤ 15 ms |")
    section = "\n".join(lines) + "\n"
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
