"""Object storage failing under the uploads (a real S3 server on loopback, moto's, stopped or
missing its bucket; or a port nobody answers on): an upload is refused saying so, never a 500,
and nothing is kept half-way; an import whose file can't be read just then waits to be tried
again instead of failing for good."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from extensions import db
from models import CheckBatch, Upload
from services.imports import storage, uploads
from services.imports.importer import run_import
from support import ROOT, auth, free_port, wait_for

pytestmark = pytest.mark.integration

CSV = b"phone\n2025550142\n2025550143\n"
UNAVAILABLE = "File storage is unavailable right now"


@pytest.fixture
def moto(monkeypatch):
    """A real S3 server on loopback; its data outlives a stop (it is this process's)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield server, f"http://127.0.0.1:{port}"
    server.stop()


def use_bucket(app, endpoint: str, bucket: str) -> None:
    app.config["UPLOAD_STORAGE_URL"] = f"s3://{bucket}/imports?endpoint_url={endpoint}&region=us-east-1"
    storage.init_app(app)


def post_file(client, path: str, **kwargs):
    return client.post(
        path, data={"file": (io.BytesIO(CSV), "leads.csv")}, content_type="multipart/form-data", **kwargs
    )


@pytest.mark.parametrize("fault", ["unreachable", "no bucket"])
def test_an_upload_the_storage_cant_take_is_refused_saying_so(app, logged_in, token, moto, fault):
    server, endpoint = moto
    use_bucket(app, f"http://127.0.0.1:{free_port()}" if fault == "unreachable" else endpoint, "never-created")

    page = post_file(logged_in, "/leads/import/")
    assert page.status_code == 302 and page.headers["Location"].endswith("/leads/import/")
    assert UNAVAILABLE in logged_in.get("/leads/import/").get_data(as_text=True)

    api = post_file(logged_in, "/api/leads/import", headers=auth(token))
    assert api.status_code == 503 and UNAVAILABLE in api.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Upload.id))) == 0  # nothing half-way


def test_a_storage_that_never_answers_is_given_up_on_before_gunicorn_gives_up(app, logged_in, moto):
    silent = socket.create_server(("127.0.0.1", 0))  # takes the connection, never answers
    use_bucket(app, f"http://127.0.0.1:{silent.getsockname()[1]}", "leads")
    started = time.monotonic()
    page = post_file(logged_in, "/leads/import/")
    took = time.monotonic() - started
    silent.close()
    assert page.status_code == 302 and UNAVAILABLE in logged_in.get("/leads/import/").get_data(as_text=True)
    assert took < 30, took  # gunicorn's timeout: past it, the web process is killed mid-request


def test_an_import_waits_out_a_storage_outage(app, logged_in, demo_line, moto):
    server, endpoint = moto
    boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1").Bucket("leads").create()
    use_bucket(app, endpoint, "leads")
    response = post_file(logged_in, "/leads/import/")
    upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    server.stop()
    mapping = logged_in.get(f"/leads/import/{upload_id}")  # its preview is read from the file
    assert mapping.status_code == 302 and UNAVAILABLE in logged_in.get("/leads/import/").get_data(as_text=True)
    with app.app_context():  # confirmed, its job taken by a worker
        db.session.get(Upload, upload_id).state = "queued"
        db.session.commit()
    with app.app_context(), pytest.raises(storage.StorageUnavailable):
        run_import(upload_id)  # the job fails, and RQ tries it again later
    with app.app_context():
        upload = db.session.get(Upload, upload_id)
        assert (upload.state, upload.error) == ("queued", None)

    server.start()
    assert wait_for(lambda: requests.get(endpoint, timeout=2).ok, 10)
    with app.app_context():
        run_import(upload_id)
        upload = db.session.get(Upload, upload_id)
        assert (upload.state, upload.imported) == ("done", 2)
        assert db.session.scalar(db.select(db.func.count(CheckBatch.id))) == 1  # the first try's


# An import job whose process is killed (SIGKILL, as the OOM killer does) once it has its local
# copy of the file: no `finally` runs.
KILLED = """
import os, signal, sys
from app import create_app
from services.imports import importer

def die(upload, path):
    os.kill(os.getpid(), signal.SIGKILL)
importer._import_file = die
with create_app().app_context():
    importer.run_import(int(sys.argv[1]))
"""


def test_the_copy_a_killed_import_left_is_deleted_by_the_next(app, logged_in, tmp_path):
    response = post_file(logged_in, "/leads/import/")
    upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        db.session.get(Upload, upload_id).state = "queued"
        db.session.commit()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    killed = subprocess.run([sys.executable, "-c", KILLED, str(upload_id)], cwd=ROOT, env=env, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    left = list(scratch.iterdir())
    assert len(left) == 1 and left[0].read_bytes() == CSV  # the copy, left behind
    os.utime(left[0], (time.time() - 3600, time.time() - 3600))

    resumed = subprocess.run(
        [
            sys.executable,
            "-c",
            f"from app import create_app\nfrom services.imports.importer import run_import\n"
            f"with create_app().app_context(): run_import({upload_id})",
        ],
        cwd=ROOT,
        env=env,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    with app.app_context():
        assert db.session.get(Upload, upload_id).state == "done"
    assert list(scratch.iterdir()) == []


def test_an_import_that_cant_delete_its_file_still_queues_its_checks(app, logged_in, demo_line, moto, monkeypatch):
    server, endpoint = moto
    boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1").Bucket("leads").create()
    use_bucket(app, endpoint, "leads")
    response = post_file(logged_in, "/leads/import/")
    upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        db.session.get(Upload, upload_id).state = "queued"
        db.session.commit()
        store, delete = storage.store(), storage.store().delete

        def away_when_deleting(name, kind):  # the bucket goes away once the rows are in
            server.stop()
            delete(name, kind)

        monkeypatch.setattr(store, "delete", away_when_deleting)
        run_import(upload_id)
        upload = db.session.get(Upload, upload_id)
        assert (upload.state, upload.imported) == ("done", 2)
        assert db.session.get(CheckBatch, upload.batch_id).queued_at is not None  # its checks queued


def test_the_sweep_of_abandoned_uploads_goes_on_without_the_bucket(app, logged_in, moto):
    # It runs first in the periodic sweep (jobs/rechecks.py): raising, it stopped the re-checks too.
    server, endpoint = moto
    boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1").Bucket("leads").create()
    use_bucket(app, endpoint, "leads")
    ids = [int(post_file(logged_in, "/leads/import/").headers["Location"].rstrip("/").rsplit("/", 1)[1]) for _ in "ab"]
    with app.app_context():
        for upload in db.session.scalars(db.select(Upload)):
            upload.created_at -= timedelta(days=2)
        db.session.commit()
        server.stop()
        assert uploads.discard_abandoned() == 2
        assert [db.session.get(Upload, upload_id).state for upload_id in ids] == ["failed", "failed"]
