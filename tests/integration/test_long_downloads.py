"""A download that outlasts gunicorn's worker timeout (30 s; a million leads' export takes 20-30 s,
longer to a slow client) arrives whole. gunicorn.conf.py's threaded workers keep their heartbeat
while a response streams; a sync worker is silent until its request ends, so gunicorn killed it
mid-download and the CSV ended short with no error a user would see."""

import http.client
import re
import socket
import time

import pytest
import requests

from extensions import db
from models import Lead, User
from support import PASSWORD, start_gunicorn, stop

pytestmark = pytest.mark.integration

# 20,000 rows of ~210 bytes: more than the kernel buffers between the two ends hold (4 MB).
LEADS = 20_000
COMPANY = "A company with a long name " * 7


def test_an_export_slower_than_the_worker_timeout_arrives_whole(app, user, tmp_path):
    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        db.session.execute(
            db.insert(Lead),
            [
                {"workspace_id": workspace_id, "first_name": f"Lead {n}", "company": COMPANY, "search_text": str(n)}
                for n in range(LEADS)
            ],
        )
        db.session.commit()
    server, url = start_gunicorn(tmp_path / "gunicorn.log", options=("--timeout", "2"))
    try:
        browser = requests.Session()
        form = browser.get(f"{url}/login").text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form).group(1)
        signed_in = browser.post(
            f"{url}/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": token}
        )
        assert signed_in.url.endswith("/leads/")
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())

        # A client reading slowly through a small window: the worker waits on the socket for
        # seconds, past the 2 s timeout, as it would for a million rows.
        host, port = url.removeprefix("http://").split(":")
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.sock = sock
        conn.request("GET", "/leads/export.csv", headers={"Cookie": cookie})
        response = conn.getresponse()
        assert response.status == 200
        started, body = time.monotonic(), bytearray()
        while chunk := response.read(4096):
            body += chunk
            time.sleep(0.006)
        took = time.monotonic() - started
        conn.close()
    finally:
        stop(server)
    lines = bytes(body).decode().splitlines()
    assert took > 2, f"the download took {took:.1f} s: not past the timeout, proving nothing"
    assert len(lines) == LEADS + 1 and lines[-1].startswith("Lead 0,"), (len(lines), lines[-1][:80])
