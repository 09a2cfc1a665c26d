"""A worker killed mid-check loses nothing: its work is picked up by another worker in time."""
import os
import signal
import time

import pytest

from extensions import db
from models import Lead
from support import process_tree, start_flask, wait_for

pytestmark = pytest.mark.integration


def test_leads_checked_by_a_killed_worker_end_final_within_two_minutes(app, logged_in, demo_line,
                                                                        demo_server, tmp_path):
    demo_server.latency = 4.0  # long enough to kill the worker while it waits on the line
    with app.app_context():
        for phone in ("2025550142", "2025550144", "2025550143"):
            assert logged_in.post("/leads/", data={"phone": phone}).status_code == 302
    doomed = start_flask("worker", log=tmp_path / "doomed.log")
    try:
        assert wait_for(lambda: demo_server.stats["calls"] >= 1, 30), "the first worker never called the line"
    finally:
        for pid in process_tree(doomed.pid):  # the worker and its work horse, mid-call
            os.kill(pid, signal.SIGKILL)
        doomed.wait()
    demo_server.latency = 0.0

    started = time.monotonic()
    rescuer = start_flask("worker", log=tmp_path / "rescuer.log")
    try:
        def all_final():
            with app.app_context():
                return all(l.status != "checking" for l in db.session.scalars(db.select(Lead)))

        assert wait_for(all_final, 150, step=1), (tmp_path / "rescuer.log").read_text()[-3000:]
        took = time.monotonic() - started
    finally:
        rescuer.terminate()
        rescuer.wait(timeout=30)
    assert took <= 120, f"took {took:.0f} s"
    with app.app_context():
        statuses = {l.phone: l.status for l in db.session.scalars(db.select(Lead))}
    assert statuses == {"2025550142": "available", "2025550144": "available", "2025550143": "unavailable"}
