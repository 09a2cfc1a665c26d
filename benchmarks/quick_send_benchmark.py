"""Quick Send's own cost: an address check through the app minus the line's latency.

    python benchmarks/quick_send_benchmark.py [--samples 300] [--latency 0.05]

The app (SQLite, embedded Redis) with a demo line on loopback that answers after `latency` seconds
and never rate limits. Each sample posts a new address (never cached, so every one is a line call)
to /leads/quick-send/check, as the page does 500 ms after typing stops, and times the answer; the
demo line's latency is subtracted. What is left is the app: session, form, normalising, the cache
look-up, the in-flight mark and pacing in Redis, the HTTP call's own overhead, the icon fragment.
"""
import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from import_benchmark import _write_section  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()

    os.environ.update({"INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-quick-"), "RQ_QUEUE": "bench-quick",
                       "LINE_ALLOW_PRIVATE_NETWORKS": "true", "SECURE_COOKIES": "false"})
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    import embedded_redis
    import line_admin
    from app import create_app
    from cli import create_user
    from demo_line import DemoLineServer
    from flask_migrate import upgrade

    os.environ["REDIS_URL"] = embedded_redis.ensure_running(os.environ["INSTANCE_PATH"])
    app = create_app({"WTF_CSRF_ENABLED": False})
    server = DemoLineServer(api_key="bench-key", latency=args.latency).start()
    with app.app_context():
        upgrade()
        workspace_id = create_user("quick@bench.test", "bench-password-123").workspace_id
        line_admin.add_line(workspace_id, name="Demo", provider="demo", url=server.url, secret="bench-key",
                            rate_per_minute=100_000)
    client = app.test_client()
    client.post("/login", data={"email": "quick@bench.test", "password": "bench-password-123"})
    overheads = []
    for n in range(args.samples + 10):
        address = f"+1202555{n:04d}"
        started = time.perf_counter()
        response = client.post("/leads/quick-send/check", data={"recipient": address}, headers={"HX-Request": "true"})
        took = time.perf_counter() - started
        assert re.search(r'data-state="(available|unavailable)"', response.get_data(as_text=True)), response.data[:300]
        if n >= 10:  # the first few warm caches and connections
            overheads.append((took - args.latency) * 1000)
    server.stop()
    assert server.stats["calls"] == args.samples + 10, "every sample must be a line call"

    p95 = statistics.quantiles(overheads, n=100, method="inclusive")[94]
    section = "\n".join([
        "## Quick Send: the app's overhead on an address check\n",
        f"`python benchmarks/quick_send_benchmark.py --samples {args.samples} --latency {args.latency}` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; SQLite and the embedded "
        f"Redis; every sample a new address, so a real line call (the demo line, {args.latency * 1000:.0f} ms).\n",
        "| Samples | Overhead p50 ms | Overhead p95 ms | Target p95 |",
        "|---|---|---|---|",
        f"| {len(overheads)} | {statistics.median(overheads):.1f} | {p95:.1f} | ≤ 15 ms |",
    ]) + "\n"
    print(section)
    _write_section(section)


if __name__ == "__main__":
    main()
