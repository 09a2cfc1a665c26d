"""A token's API limit is one count however many web processes serve it: two separate gunicorn
servers on one Redis, taking turns, give it out once between them."""

import os
import subprocess
import sys

import pytest
import requests

from support import ROOT, auth, free_port, wait_for

pytestmark = pytest.mark.integration


def serve(log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        env={**os.environ, "API_RATE_LIMIT": "5 per minute"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc, f"http://127.0.0.1:{port}"


def test_two_servers_share_one_count_per_token(app, token, tmp_path):
    with open(tmp_path / "gunicorn.log", "ab") as log:
        servers = [serve(log), serve(log)]
    try:

        def up():
            try:
                return all(requests.get(f"{url}/health", timeout=5).text == "ok" for _, url in servers)
            except requests.RequestException:
                return False

        assert wait_for(up, 30), (tmp_path / "gunicorn.log").read_text()
        answers = [requests.get(f"{servers[n % 2][1]}/api/leads", headers=auth(token), timeout=10) for n in range(7)]
        assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
        assert [a.headers["RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0", "0", "0"]
        assert answers[-1].json()["code"] == 429 and int(answers[-1].headers["Retry-After"]) > 0
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=30)
