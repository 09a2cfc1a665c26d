"""A token's API limit is one count however many web processes serve it: two separate gunicorn
servers on one Redis, taking turns, give it out once between them."""

import pytest
import requests

from support import auth, start_gunicorn, stop

pytestmark = pytest.mark.integration


def test_two_servers_share_one_count_per_token(app, token, tmp_path):
    servers = []
    try:
        for n in range(2):
            servers.append(
                start_gunicorn(tmp_path / f"gunicorn{n}.log", workers=1, env={"API_RATE_LIMIT": "5 per minute"})
            )
        answers = [requests.get(f"{servers[n % 2][1]}/api/leads", headers=auth(token), timeout=10) for n in range(7)]
        assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
        assert [a.headers["RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0", "0", "0"]
        assert answers[-1].json()["code"] == 429 and int(answers[-1].headers["Retry-After"]) > 0
    finally:
        stop(*(proc for proc, _ in servers))
