"""`./run.sh` (`flask run-local`) prints the login first and stops everything it started, on Ctrl-C
(SIGINT) as on SIGTERM: its workers, RQ's scheduler, the demo line (a thread of its own process)
and the bundled Redis."""

import os
import signal
import subprocess
import sys
import urllib.request

import pytest

from support import ROOT, free_port, process_tree, wait_for

pytestmark = pytest.mark.integration


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.parametrize("stop, workers", [(signal.SIGTERM, 2), (signal.SIGINT, 1)], ids=["SIGTERM", "SIGINT"])
def test_run_local_leaves_no_process_behind(tmp_path, stop, workers):
    port, demo_port = free_port(), free_port()
    # Its own instance folder: its own SQLite database and bundled Redis, as ./run.sh has.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["INSTANCE_PATH"] = str(tmp_path)
    with open(tmp_path / "run-local.log", "wb") as log:
        main = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run-local", "--port", str(port)]
            + ["--demo-port", str(demo_port), "--workers", str(workers)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    started = []
    try:
        # Serving, with its workers and RQ's scheduler (forked by one of them) up.
        up = 1 + workers + 1
        assert wait_for(lambda: serving(port) and len(process_tree(main.pid)) >= up, 60), (
            tmp_path / "run-local.log"
        ).read_text()[-3000:]
        redis_pid = int((tmp_path / "redis.pid").read_text())
        started = [*process_tree(main.pid), redis_pid]
        # A first run (a new database) prints the login first, not a line per migration.
        printed = (tmp_path / "run-local.log").read_text()
        assert printed.lstrip().startswith("Open http://"), printed[:500]

        main.send_signal(stop)
        assert wait_for(lambda: not any(map(running, started)), 10), [p for p in started if running(p)]
        assert main.wait(5) is not None
    finally:  # whatever failed, nothing of it is left running
        if not started:
            pid_file = tmp_path / "redis.pid"
            started = [*process_tree(main.pid), *([int(pid_file.read_text())] if pid_file.exists() else [])]
        for pid in started:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        main.wait()
