"""The production shape, as the README and Procfile describe it: `flask db upgrade`, gunicorn with
several processes, and `flask worker` processes, on this run's database and Redis (PostgreSQL and
a Redis server in CI's second pass)."""

import re

import pytest
import requests

from support import PASSWORD, flask_command, start_flask, start_gunicorn, stop, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def gunicorn(tmp_path):
    proc, url = start_gunicorn(tmp_path / "gunicorn.log", workers=3)
    yield url
    stop(proc)


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_gunicorn_and_workers_check_a_lead_end_to_end(app, user, demo_line, gunicorn, tmp_path):
    upgrade = flask_command("db", "upgrade")  # the release step: a no-op on an up-to-date schema
    assert upgrade.returncode == 0, upgrade.stderr
    workers = [start_flask("worker", log=tmp_path / f"worker{n}.log") for n in range(2)]
    try:
        browser = requests.Session()
        login = browser.get(f"{gunicorn}/login")
        response = browser.post(
            f"{gunicorn}/login",
            data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": csrf_token(login.text)},
        )
        assert response.url.endswith("/leads/"), response.text[:500]
        added = browser.post(
            f"{gunicorn}/leads/",
            data={"phone": "2025550142", "first_name": "Grace", "csrf_token": csrf_token(response.text)},
        )
        assert added.status_code == 200 and "Grace" in added.text

        def available():
            return 'data-status="available"' in browser.get(f"{gunicorn}/leads/").text

        assert wait_for(available, 60, step=0.5)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
