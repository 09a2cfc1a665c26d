"""One `flask worker --concurrency N` command keeps N checks going at once, within each line's
pace, and whatever stops it stops everything it started."""

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import suppress

import pytest

from demo_line import DemoLineServer
from extensions import db
from models import Lead, User, Workspace
from services import leads as lead_store
from services import line_admin
from services.checks import batches as batch_checks
from support import ROOT, nothing_checking, process_tree, start_flask, wait_for

pytestmark = pytest.mark.integration

RATE = 60  # the line's checks a minute: one a second


class CountingLine(DemoLineServer):
    """The demo line, noting when each check call arrives and how many are in progress at once."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.arrivals: list[float] = []
        self.in_flight = self.most_in_flight = 0
        self._counting = threading.Lock()

    def _count(self, key):
        super()._count(key)
        if key == "calls":
            with self._counting:
                self.arrivals.append(time.monotonic())
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def answer(self, authorization, raw_body):  # called once the call's latency has passed
        with self._counting:
            self.in_flight -= 1
        return super().answer(authorization, raw_body)


@pytest.fixture
def line(app, user):
    with CountingLine(api_key="demo-key", latency=2.5, rate_per_minute=RATE) as server:
        with app.app_context():
            line_admin.add_line(
                db.session.get(User, user).workspace_id,
                name="Counting",
                provider="demo",
                url=server.url,
                secret="demo-key",
                rate_per_minute=RATE,
            )
        yield server


def start_batch(app, user, phones) -> int:
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        ids = [lead_store.create_lead(workspace, {"phone": phone})[0].id for phone in phones]
        return batch_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids)).id


def statuses(app) -> dict[str, str]:
    with app.app_context():
        return {lead.phone: lead.status for lead in db.session.scalars(db.select(Lead))}


def gone(pids) -> bool:
    alive = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(pid)
        except OSError:
            continue
    return not alive


def test_one_command_makes_calls_at_once_within_the_lines_pace(app, user, line, tmp_path):
    phones = [f"20255501{n:02d}" for n in range(40, 48)]
    batch_id = start_batch(app, user, phones)
    log = tmp_path / "worker.log"
    worker = start_flask("worker", "--concurrency", "4", log=log)
    try:
        assert wait_for(nothing_checking(app, batch_id), 90, step=0.5), log.read_text()[-4000:]
        started = process_tree(worker.pid)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)

    # Calls of 2.5 s at one a second overlap: one process at a time could not.
    assert line.most_in_flight >= 2, line.most_in_flight
    assert statuses(app) == {p: "available" if int(p[-1]) % 2 == 0 else "unavailable" for p in phones}
    assert line.stats["calls"] == len(phones) and line.stats["rate_limited"] == 0
    # In every span of t seconds, at most 1 + t calls (the line's pace, burst 1; 0.5 s for the
    # calls' trips from Redis's grant to the line, which a busy machine stretches unevenly).
    arrivals = sorted(line.arrivals)
    for i, first in enumerate(arrivals):
        for j in range(i + 1, len(arrivals)):
            assert j - i + 1 <= 1 + RATE / 60 * (arrivals[j] - first + 0.5), (i, j, arrivals)
    # The command, its 4 workers and RQ's scheduler; all gone once it stopped.
    assert len(started) >= 6, started
    assert wait_for(lambda: gone(started), 10), [pid for pid in started if not gone([pid])]


@pytest.mark.parametrize("stop", ["SIGTERM", "Ctrl+C", "Ctrl+C, the command late"])
def test_a_stop_lets_the_running_checks_finish_then_stops_everything(app, user, line, tmp_path, stop):
    """SIGTERM to the command, or Ctrl+C (SIGINT to its whole process group: the workers hear it
    from the terminal and again from the command, and take it as one request), also when the
    command passes it on late, as on a busy machine (before the fix: 1.5 s later was a second,
    cold stop, and a check was cut off midway)."""
    start_batch(app, user, ["2025550142", "2025550143"])
    log = tmp_path / "worker.log"
    with open(log, "ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "worker", "--concurrency", "3"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own, as in a terminal
        )
    try:
        assert wait_for(lambda: line.most_in_flight == 2, 30), log.read_text()[-4000:]
        started = process_tree(worker.pid)
        if stop == "Ctrl+C":
            os.killpg(worker.pid, signal.SIGINT)
        elif stop == "SIGTERM":
            worker.send_signal(signal.SIGTERM)
        else:
            for pid in started[1:]:
                os.kill(pid, signal.SIGINT)
            time.sleep(1.5)
            worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=30) == 0
    finally:
        with suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
    assert statuses(app) == {"2025550142": "available", "2025550143": "unavailable"}
    assert "cold shut down" not in log.read_text()
    assert wait_for(lambda: gone(started), 10), log.read_text()[-4000:]


def test_a_killed_worker_process_is_replaced_and_a_killed_command_leaves_none_working(app, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_flask("worker", "--concurrency", "2", log=log)
    seen = set()

    def tree():
        seen.update(process_tree(worker.pid))
        return process_tree(worker.pid)

    try:
        # The command, its two workers and RQ's scheduler, forked by one of them.
        assert wait_for(lambda: len(tree()) == 4, 30), log.read_text()[-4000:]
        with_scheduler = next(pid for pid in tree()[1:3] if len(process_tree(pid)) == 2)
        os.kill(with_scheduler, signal.SIGKILL)
        # Replaced; the scheduler it left stops too (another worker takes the scheduler on).
        assert wait_for(lambda: log.read_text().count("Listening on") >= 3, 30), log.read_text()[-4000:]
        assert wait_for(lambda: gone(seen - set(tree())), 15), log.read_text()[-4000:]
        assert wait_for(lambda: len(tree()) == 4, 30), log.read_text()[-4000:]

        # A command killed outright: what it started stops by itself.
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        assert wait_for(lambda: gone(seen), 15), log.read_text()[-4000:]
    finally:
        for pid in seen:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
