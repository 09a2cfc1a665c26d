"""The whole stack as processes — the web (gunicorn), two workers, a Redis server and a line —
through the faults a hostile run found: Redis SIGKILLed and restarted from an older snapshot,
Redis stopped and restarted empty, a line answering 500, 429 and too late. The figures that
matter: every lead final with the line's own answer, none wrongly Unavailable, no line call
beyond one per address plus the documented retries (and the calls in flight when Redis died)."""

import json
import sys
import time
from collections import Counter

import pytest
import requests

from demo_line import DemoLineServer
from demo_line.rules import demo_availability
from extensions import db
from models import Lead, User
from services import line_admin
from support import ROOT, auth, free_port, nothing_checking, start_flask, wait_for

pytestmark = pytest.mark.integration

# By a number's second-to-last digit, the line's first answer about it is a fault.
SERVER_ERROR, RATE_LIMITED, TOO_LATE = "3", "5", "7"
ENV = {"LINE_CONNECT_TIMEOUT": "1", "LINE_READ_TIMEOUT": "2", "LINE_DEADLINE": "2", "CHECK_RETRY_DELAYS": "1,2,3"}


class ScriptedLine(DemoLineServer):
    """The demo line, failing on cue the first time it is asked about a number; counts calls per
    address."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.by_address: Counter[str] = Counter()

    def answer(self, authorization: str, raw_body: bytes):
        address = json.loads(raw_body or b"{}").get("address", "")
        with self._lock:
            self.by_address[address] += 1
            first = self.by_address[address] == 1
        fault = address[-2] if first else None
        if fault == SERVER_ERROR:
            return 500, {"error": {"status": 500, "code": 3006, "message": "Internal server error"}}, {}
        if fault == RATE_LIMITED:
            return 429, {"error": {"status": 429, "code": 1007, "message": "Rate limited", "retry_after": 2}}, {}
        if fault == TOO_LATE:
            time.sleep(3)  # past LINE_DEADLINE
        return super().answer(authorization, raw_body)


def phones() -> list[str]:
    """60 numbers: every fault six times, as many available as unavailable."""
    return [f"+120255501{n % 10}{n // 10}" for n in range(60)]


def test_every_lead_ends_with_the_lines_answer_through_redis_faults(app, user, token, throwaway_redis, tmp_path):
    line = ScriptedLine(api_key="demo-key", latency=0.4).start()
    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        line_admin.add_line(
            workspace_id,
            name="Scripted",
            provider="demo",
            url=line.url,
            secret="demo-key",
            rate_per_minute=600,
            is_demo=True,
        )
    env = {**ENV, "REDIS_URL": throwaway_redis.url}
    port = free_port()
    web = _start_web(port, tmp_path / "web.log", env)
    workers = [start_flask("worker", log=tmp_path / f"worker-{n}.log", env=env) for n in (1, 2)]
    processes = [web, *workers]
    base, headers = f"http://127.0.0.1:{port}", auth(token)
    try:
        assert wait_for(lambda: _answers(f"{base}/login"), 30), (tmp_path / "web.log").read_text()
        response = requests.post(
            f"{base}/api/leads", headers=headers, timeout=30, json={"leads": [{"phone": phone} for phone in phones()]}
        )
        assert response.status_code == 201, response.text
        ids = [int(i) for i in response.json()["leadIds"]]

        assert wait_for(lambda: line.stats["calls"] >= 12, 60)
        throwaway_redis.snapshot()  # the older snapshot Redis will come back from
        assert wait_for(lambda: line.stats["calls"] >= 24, 60)
        throwaway_redis.kill()
        answered = _final_statuses(app)
        response = requests.post(
            f"{base}/api/leads/check-availability", headers=headers, json={"leadIds": ids}, timeout=30
        )
        assert response.status_code == 503 and response.json()["success"] is False
        time.sleep(10)
        assert _final_statuses(app).items() >= answered.items(), "a refused check changed answers"
        throwaway_redis.start()  # from the snapshot: jobs since done, jobs since taken, none since queued

        calls = line.stats["calls"]
        assert wait_for(lambda: line.stats["calls"] >= calls + 8, 60)
        throwaway_redis.stop()
        time.sleep(10)
        throwaway_redis.start(empty=True)
        back = time.monotonic()
        assert wait_for(nothing_checking(app), 120, step=1), "leads still Checking 2 minutes after Redis returned"
        took = time.monotonic() - back
        assert [process.poll() for process in processes] == [None] * 3, "a process died"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        line.stop()

    with app.app_context():
        statuses = dict(db.session.execute(db.select(Lead.phone_norm, Lead.status)).all())
    expected = {phone: "available" if demo_availability(phone) else "unavailable" for phone in phones()}
    assert statuses == expected, "a lead is not final with the line's own answer"
    # One call an address (a late answer is kept, not asked again), one more where the first was a
    # 500 or a 429 (the documented retry), and at most one more for each call in flight when Redis
    # was lost (two workers, twice).
    allowed = {phone: 2 if phone[-2] in (SERVER_ERROR, RATE_LIMITED) else 1 for phone in phones()}
    extra = sum(max(0, line.by_address[phone] - allowed[phone]) for phone in phones())
    assert set(line.by_address) == set(phones())
    assert extra <= 4, (extra, line.by_address)
    print(
        f"fault suite: {line.stats['calls']} line calls for 60 leads (allowed {sum(allowed.values())} + 4); "
        f"all final {took:.0f} s after Redis returned empty"
    )


def _start_web(port: int, log, env: dict):
    """The web as deployed (Procfile): gunicorn, two processes."""
    import os
    import subprocess

    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _final_statuses(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session.execute(db.select(Lead.id, Lead.status).where(Lead.status != "checking")).all())
