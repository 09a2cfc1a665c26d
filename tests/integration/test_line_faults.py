"""A line misbehaving in every way LINE_APIS.md §4 knows ends each lead in the right state, never
"unavailable" for want of an answer, and the rest of the batch goes on. Real worker, real HTTP."""
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

import batch_checks
import lead_store
import line_admin
from extensions import db
from models import CheckBatch, Lead, Line, User, Workspace
from support import free_port, start_flask, wait_for, work_until_final

pytestmark = pytest.mark.integration

PASSWORD = "right-password"
# Each fault is keyed by the number's last four digits; other numbers answer by the demo rule
# (even last digit: available).
TIMEOUT, SERVER_ERROR, GARBAGE, TRICKLE, RESET, STORM = "0101", "0102", "0103", "0104", "0105", "0106"
HOSTILE_PAGE = b"<html><script>alert('x')</script><pre>Traceback (most recent call last):\n  secrets</pre>"
# Short enough for the test, long enough to tell the faults apart.
WORKER_ENV = {"LINE_CONNECT_TIMEOUT": "1", "LINE_READ_TIMEOUT": "1", "LINE_DEADLINE": "2",
              "CHECK_RETRY_DELAYS": "0.5,0.5"}


class FaultyBlueBubbles(ThreadingHTTPServer):
    """A BlueBubbles server that fails in a different way for each fault number."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), self.Handler)
        self.storm_left = 4  # the first calls about STORM are answered 429
        self.calls: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_port}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            query = parse_qs(urlparse(self.path).query)
            address = query.get("address", [""])[0]
            self.server.calls.append(address)
            if query.get("password", [""])[0] != PASSWORD:
                return self.reply(401, b'{"status": 401, "message": "Unauthorized"}')
            fault = address[-4:]
            if fault == TIMEOUT:
                time.sleep(3)
                return self.reply(200, b'{"status": 200, "data": {"available": true}}')
            if fault == SERVER_ERROR:
                return self.reply(500, HOSTILE_PAGE, "text/html")
            if fault == GARBAGE:
                return self.reply(200, b"\x00\xff{not json at all")
            if fault == TRICKLE:
                self.send_response(200)
                self.send_header("Content-Length", "1000000")
                self.end_headers()
                for _ in range(100):  # a byte at a time, for far longer than any deadline
                    try:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.1)
                return
            if fault == RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.close()
                return
            if fault == STORM and self.server.storm_left > 0:
                self.server.storm_left -= 1
                return self.reply(429, b'{"status": 429, "message": "Too many requests"}',
                                  headers=[("Retry-After", "1")])
            available = int(address[-1]) % 2 == 0
            self.reply(200, b'{"status": 200, "data": {"available": %s}}' % (b"true" if available else b"false"))


@pytest.fixture
def faulty():
    server = FaultyBlueBubbles()
    yield server
    server.shutdown()
    server.server_close()


def workspace_of(user_id):
    return db.session.get(Workspace, db.session.get(User, user_id).workspace_id)


def batch_of(workspace, phones):
    ids = [lead_store.create_lead(workspace, {"phone": phone})[0].id for phone in phones]
    return batch_checks.start_batch(workspace.id, "bulk", Lead.id.in_(ids))


def run_until_final(app, batch_id, tmp_path):
    work_until_final(app, batch_id, tmp_path / "worker.log", 90, env=WORKER_ENV)
    with app.app_context():
        return {lead.phone: lead for lead in db.session.scalars(db.select(Lead).where(Lead.batch_id == batch_id))}


def test_each_line_fault_ends_in_the_right_state_and_the_batch_goes_on(app, user, faulty, tmp_path):
    with app.app_context():
        workspace = workspace_of(user)
        line_id = line_admin.add_line(workspace.id, name="Flaky Mac", provider="bluebubbles", url=faulty.url,
                                      secret=PASSWORD, rate_per_minute=600).id
        phones = ["2025550142", "2025550143"] + [f"202555{fault}" for fault in
                                                 (TIMEOUT, SERVER_ERROR, GARBAGE, TRICKLE, RESET, STORM)]
        batch_id = batch_of(workspace, phones).id

    leads = run_until_final(app, batch_id, tmp_path)

    states = {phone: lead.status for phone, lead in leads.items()}
    assert states == {
        "2025550142": "available", "2025550143": "unavailable",
        # Could not tell, asked three times in all, then Error (never Unavailable).
        f"202555{TIMEOUT}": "error", f"202555{SERVER_ERROR}": "error", f"202555{GARBAGE}": "error",
        f"202555{TRICKLE}": "error", f"202555{RESET}": "error",
        # A 429 storm only delays: the answer comes once the line lets us in.
        f"202555{STORM}": "available",
    }
    assert "timed out" in leads[f"202555{TIMEOUT}"].error
    assert "server error 500" in leads[f"202555{SERVER_ERROR}"].error
    # The upstream page is never shown as it came.
    assert not any(word in leads[f"202555{SERVER_ERROR}"].error for word in ("<", "script", "Traceback"))
    for fault in (TIMEOUT, SERVER_ERROR, GARBAGE, TRICKLE, RESET):
        assert faulty.calls.count(f"+1202555{fault}") == 3, fault
    with app.app_context():
        assert db.session.get(Line, line_id).status == "active", "none of these says the line is broken"
        progress = batch_checks.batch_progress(db.session.get(CheckBatch, batch_id))
    assert progress["done"] == progress["total"] == len(phones)
    assert (progress["available"], progress["unavailable"], progress["error"]) == (2, 1, 5)


def test_a_line_refusing_our_credentials_or_our_connection_hands_its_work_to_a_healthy_line(
        app, user, faulty, demo_server, tmp_path):
    refused_url = f"http://127.0.0.1:{free_port()}"  # nobody listens there: every connection is refused
    with app.app_context():
        workspace = workspace_of(user)
        wrong = line_admin.add_line(workspace.id, name="Wrong password", provider="bluebubbles",
                                    url=faulty.url, secret="wrong", rate_per_minute=600).id
        down = line_admin.add_line(workspace.id, name="Mac is off", provider="bluebubbles",
                                   url=refused_url, secret=PASSWORD, rate_per_minute=600).id
        line_admin.add_line(workspace.id, name="Demo", provider="demo", url=demo_server.url,
                            secret="demo-key", rate_per_minute=600, is_demo=True)
        phones = ["2025550142", "2025550143", "2025550144", "2025550145"]
        batch_id = batch_of(workspace, phones).id

    leads = run_until_final(app, batch_id, tmp_path)

    assert {phone: lead.status for phone, lead in leads.items()} == {
        "2025550142": "available", "2025550143": "unavailable",
        "2025550144": "available", "2025550145": "unavailable"}
    with app.app_context():
        wrong_line, down_line = db.session.get(Line, wrong), db.session.get(Line, down)
        assert wrong_line.status == "unhealthy" and "authentication failed" in wrong_line.health_reason
        assert down_line.status == "active", "a line that can't be reached for a moment is not broken"


def test_with_no_healthy_line_left_leads_wait_instead_of_failing(app, user, faulty, tmp_path):
    with app.app_context():
        workspace = workspace_of(user)
        line_id = line_admin.add_line(workspace.id, name="Wrong password", provider="bluebubbles",
                                      url=faulty.url, secret="wrong", rate_per_minute=600).id
        batch_id = batch_of(workspace, ["2025550142", "2025550143"]).id
    worker = start_flask("worker", log=tmp_path / "worker.log", env=WORKER_ENV)
    try:
        def line_marked():
            with app.app_context():
                return db.session.get(Line, line_id).status == "unhealthy"

        assert wait_for(line_marked, 30)
        time.sleep(2)
        with app.app_context():
            leads = db.session.scalars(db.select(Lead).where(Lead.batch_id == batch_id)).all()
            assert {lead.status for lead in leads} == {"checking"}
            assert all("no healthy line" in lead.error for lead in leads)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert len(faulty.calls) == 1, "a line that refused our credentials is not asked again"
