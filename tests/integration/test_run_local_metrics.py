"""`./run.sh` (`flask run-local`) with METRICS_TOKEN set serves /metrics counting its workers too:
it gives its processes a metrics folder in the instance folder."""

import os
import signal
import subprocess
import sys

import pytest
import requests

from support import ROOT, auth, free_port, metric_samples, wait_for

pytestmark = pytest.mark.integration


def test_run_local_counts_what_its_workers_did(tmp_path):
    port, demo_port = free_port(), free_port()
    # Its own instance folder, database and bundled Redis, as ./run.sh has.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PROMETHEUS_MULTIPROC_DIR")}
    env.update(INSTANCE_PATH=str(tmp_path), METRICS_TOKEN="local-scrape")
    url = f"http://127.0.0.1:{port}"
    with open(tmp_path / "run-local.log", "wb") as log:
        main = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "run-local", "--port", str(port)]
            + ["--demo-port", str(demo_port), "--workers", "1", "--demo-latency", "0"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:

        def up():
            try:
                return requests.get(f"{url}/health", timeout=2).ok
            except requests.RequestException:
                return False

        assert wait_for(up, 60), (tmp_path / "run-local.log").read_text()[-3000:]
        made = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", "create-token", "demo@example.com"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert made.returncode == 0, made.stderr
        token = made.stdout.strip().splitlines()[-1]
        created = requests.post(f"{url}/api/leads", headers=auth(token), json={"leads": [{"phone": "2025550142"}]})
        lead = created.json()["leadIds"][0]

        def checked():
            return requests.get(f"{url}/api/leads/{lead}", headers=auth(token)).json()["lead"]["status"] == "available"

        assert wait_for(checked, 60, step=0.5)
        scraped = requests.get(f"{url}/metrics", headers=auth("local-scrape"), timeout=10)
        assert metric_samples(scraped.text)[("bbcheck_lead_checks_total", (("status", "available"),))] == 1
        assert (tmp_path / "metrics").is_dir()
    finally:
        main.send_signal(signal.SIGTERM)
        main.wait(timeout=60)
