"""/metrics as Prometheus scrapes it in production: gunicorn with several processes and a `flask
worker` on one host, sharing PROMETHEUS_MULTIPROC_DIR. Every process answers the same totals,
exact, the worker's line calls, checks and import rows among them; the queue's depth is Redis's;
`flask metrics-server` (a host with workers only) serves the same."""

import time

import pytest
import requests

from services.operations import queue_counts
from support import auth, flask_command, free_port, metric_samples, start_flask, start_gunicorn, stop, wait_for

pytestmark = pytest.mark.integration

METRICS_TOKEN = "scrape-me"
SCRAPES = 40


@pytest.fixture
def host(tmp_path):
    """The environment of one host's processes: its metrics folder and the scrape token."""
    return {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"), "METRICS_TOKEN": METRICS_TOKEN}


@pytest.fixture
def gunicorn(tmp_path, host):
    """gunicorn as the Procfile runs it (gunicorn.conf.py's hooks), two processes, each request's
    answering process (pid) in its access log."""
    proc, url = start_gunicorn(
        tmp_path / "gunicorn.log",
        env=host,
        options=("--access-logfile", str(tmp_path / "access.log"), "--access-logformat", "%(p)s %(U)s %(s)s"),
    )
    yield url
    stop(proc)


def status_of(url, token, lead_id):
    return requests.get(f"{url}/api/leads/{lead_id}", headers=auth(token), timeout=10).json()["lead"]["status"]


def test_every_process_serves_the_same_exact_totals(app, token, demo_line, demo_server, gunicorn, host, tmp_path):
    worker = start_flask("worker", log=tmp_path / "worker.log", env=host)
    try:
        # Two leads checked by the worker: one available, one unavailable (the demo line's rule).
        created = requests.post(
            f"{gunicorn}/api/leads",
            headers=auth(token),
            json={"leads": [{"phone": "2025550142"}, {"phone": "2025550143"}]},
            timeout=10,
        ).json()
        ids = created["leadIds"]
        assert wait_for(lambda: all(status_of(gunicorn, token, i) != "checking" for i in ids), 60, step=0.5)
        assert [status_of(gunicorn, token, i) for i in ids] == ["available", "unavailable"]

        # An import in the worker: one row imported (then checked: available), one duplicate,
        # one invalid, one empty.
        csv = b"Phone,Email\r\n2025550148,\r\n202-555-0142,\r\nnot a phone,nope\r\n,\r\n"
        started = requests.post(
            f"{gunicorn}/api/leads/import", headers=auth(token), files={"file": ("leads.csv", csv)}, timeout=10
        ).json()

        def imported():
            upload = requests.get(f"{gunicorn}{started['statusUrl']}", headers=auth(token), timeout=10).json()
            return upload["state"] == "done" and upload.get("batchId") is not None

        assert wait_for(imported, 60, step=0.5), (tmp_path / "worker.log").read_text()[-3000:]
        assert wait_for(lambda: status_of(gunicorn, token, int(ids[-1]) + 1) == "available", 60, step=0.5)

        # An address checked in a gunicorn process, then a 429: the demo line takes one a minute.
        demo_server.rate_per_minute = 1
        check = f"{gunicorn}/api/leads/check-availability"
        assert requests.post(check, headers=auth(token), json={"address": "+12025550144"}, timeout=30).json()[
            "available"
        ]
        limited = requests.post(check, headers=auth(token), json={"address": "+12025550146"}, timeout=30)
        assert limited.status_code == 429
        assert demo_server.stats["rate_limited"] == 1
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    # With no worker, a lead added waits in the queue.
    requests.post(f"{gunicorn}/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550150"}]}, timeout=10)
    with app.app_context():
        depth = queue_counts()
    assert depth["queued"] >= 1

    open(tmp_path / "access.log", "w").close()
    answers = []
    for _ in range(SCRAPES):
        # A new connection each time: gunicorn's processes take turns at the socket.
        response = requests.get(f"{gunicorn}/metrics", headers=auth(METRICS_TOKEN), timeout=10)
        assert response.status_code == 200
        answers.append(metric_samples(response.text))
        time.sleep(0.02)
    pids = {line.split()[0] for line in (tmp_path / "access.log").read_text().splitlines() if "/metrics" in line}
    assert len(pids) == 2, "both gunicorn processes answered a scrape"
    assert all(answer == answers[0] for answer in answers)
    metrics = answers[0]

    line = (("line_id", str(demo_line)), ("provider", "demo"))
    assert {
        outcome: metrics.get(("bbcheck_line_checks_total", tuple(sorted((*line, ("outcome", outcome))))))
        for outcome in ("available", "unavailable", "rate_limited")
    } == {"available": 3, "unavailable": 1, "rate_limited": 1}
    assert metrics[("bbcheck_line_call_seconds_count", (("provider", "demo"),))] == 5
    assert metrics[("bbcheck_line_pauses_total", line)] == 1
    assert 0 < metrics[("bbcheck_line_pause_seconds_total", line)] <= 60
    assert metrics[("bbcheck_lead_checks_total", (("status", "available"),))] == 2
    assert metrics[("bbcheck_lead_checks_total", (("status", "unavailable"),))] == 1
    assert {
        result: metrics[("bbcheck_import_rows_total", (("result", result),))]
        for result in ("imported", "duplicate", "invalid", "empty")
    } == {"imported": 1, "duplicate": 1, "invalid": 1, "empty": 1}
    for state in ("queued", "scheduled", "running", "failed"):
        assert metrics[("bbcheck_queue_jobs", (("state", state),))] == depth[state], state
    # The worker counted in its own file of the host's folder.
    assert (tmp_path / "metrics" / f"counter_{worker.pid}.db").exists()

    # A host with workers and no web process serves the same from `flask metrics-server`.
    port = free_port()
    server = start_flask(
        "metrics-server", "--host", "127.0.0.1", "--port", str(port), log=tmp_path / "ms.log", env=host
    )
    try:

        def scraped():
            try:
                return requests.get(f"http://127.0.0.1:{port}/metrics", headers=auth(METRICS_TOKEN), timeout=5)
            except requests.RequestException:
                return None

        assert wait_for(scraped, 30), (tmp_path / "ms.log").read_text()
        assert metric_samples(scraped().text) == metrics
        assert scraped().status_code == 200
        assert requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).status_code == 401
        assert requests.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 404
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_metrics_setting_that_cannot_work_stops_the_start_with_one_line(tmp_path, host):
    """A metrics-server without a token would answer every scrape 404; a metrics folder that is a
    file can't hold the counts. Either says so and starts nothing."""
    tokenless = flask_command("metrics-server", "--port", str(free_port()), env={**host, "METRICS_TOKEN": ""})
    assert tokenless.returncode == 1 and "Error: Set METRICS_TOKEN" in tokenless.stderr, tokenless.stderr
    (tmp_path / "a-file").write_text("")
    a_file = flask_command("routes", env={**host, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "a-file")})
    assert a_file.returncode == 1 and "Traceback" not in a_file.stderr, a_file.stderr
    assert "Error: PROMETHEUS_MULTIPROC_DIR must be a folder this user can write" in a_file.stderr
