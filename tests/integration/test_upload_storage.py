"""Where uploads are kept: the database by default, or an S3-compatible bucket (a real S3 server on
loopback: moto's) when UPLOAD_STORAGE_URL names one. Either way a file larger than a chunk goes in
and comes back whole, the import job reads it in a worker process, the problem rows are served,
and an import resumed after its process died stores each problem row once."""

import io
import json
import os
import signal
import subprocess
import sys

import boto3
import pytest
from moto.server import ThreadedMotoServer

from config import SettingsError
from extensions import db
from models import Lead, Upload, UploadChunk
from services.imports import storage
from services.imports.importer import run_import
from support import ROOT, free_port

pytestmark = pytest.mark.integration

ROWS = 20_000  # about 2.6 MB: three chunks


def big_csv() -> bytes:
    lines = ["first_name,last_name,phone,notes"]
    lines += [f"Lead{n},Person{n},+1202555{n % 10000:04d},{'x' * 90}" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def s3(monkeypatch):
    """A real S3 server on loopback with an empty bucket; the settings every process needs to use it."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    env = {
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "UPLOAD_STORAGE_URL": f"s3://leads-uploads/imports?endpoint_url={endpoint}&region=us-east-1",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    bucket = boto3.resource("s3", endpoint_url=endpoint, region_name="us-east-1").Bucket("leads-uploads")
    bucket.create()
    yield env, bucket
    server.stop()


def import_big_file(app, logged_in, run_worker, env: dict) -> Upload:
    content = big_csv()
    response = logged_in.post(
        "/leads/import/", data={"file": (io.BytesIO(content), "big.csv")}, content_type="multipart/form-data"
    )
    upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        upload = db.session.get(Upload, upload_id)
        assert b"".join(storage.chunks(upload.stored_name, storage.FILE)) == content
    preview = logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)  # from its first chunks
    assert "Lead0" in preview and "+12025550002" in preview
    logged_in.post(f"/leads/import/{upload_id}", data={"column-0": "first_name", "column-2": "phone"})
    run_worker(**env)
    with app.app_context():
        upload = db.session.get(Upload, upload_id)
        assert (upload.state, upload.imported, upload.duplicates) == ("done", 10_000, 10_000)
        assert db.session.scalar(db.select(db.func.count(Lead.id))) == 10_000
        assert list(storage.chunks(upload.stored_name, storage.FILE)) == []  # deleted once imported
    problems = logged_in.get(f"/leads/import/{upload_id}/problems.csv").get_data(as_text=True).splitlines()
    assert problems[0].startswith("row,reason,first_name") and len(problems) == 10_001
    assert problems[1].startswith("10002,duplicate of row 2 of this file,Lead10000")
    return upload


def test_the_database_keeps_an_upload_in_chunks(app, logged_in, run_worker):
    with app.app_context():
        assert isinstance(storage.store(), storage.DatabaseStore)
    chunk_counts = []

    def counting_worker(**env):
        with app.app_context():  # before the import: the file's chunks
            chunk_counts.append(db.session.scalar(db.select(db.func.count()).select_from(UploadChunk)))
        return run_worker(**env)

    upload = import_big_file(app, logged_in, counting_worker, {})
    assert chunk_counts == [3]
    with app.app_context():
        kinds = db.session.execute(db.select(UploadChunk.kind).where(UploadChunk.stored_name == upload.stored_name))
        assert {kind for (kind,) in kinds} == {"problems"}


def test_an_s3_bucket_keeps_an_upload_when_set(app, logged_in, run_worker, s3):
    env, bucket = s3
    app.config["UPLOAD_STORAGE_URL"] = env["UPLOAD_STORAGE_URL"]
    storage.init_app(app)
    upload = import_big_file(app, logged_in, run_worker, env)
    keys = sorted(item.key for item in bucket.objects.all())
    assert keys and all(key.startswith(f"imports/{upload.stored_name}/problems/") for key in keys)
    with app.app_context():  # nothing of it in the database
        assert db.session.scalar(db.select(db.func.count()).select_from(UploadChunk)) == 0


@pytest.mark.parametrize(
    "url, says",
    [
        ("https://bucket.example.com/x", "must look like s3://BUCKET"),
        ("s3:///prefix", "must look like s3://BUCKET"),
        ("s3://bucket/prefix?endpoint=http://x", "unknown option endpoint"),
        ("s3://bucket?addressing_style=sideways", "addressing_style is auto, path or virtual"),
        ("s3://bucket?endpoint_url=localhost:9000", "endpoint_url must be an http:// or https:// URL"),
        ("s3://bucket?endpoint_url=ftp://minio", "endpoint_url must be an http:// or https:// URL"),
        ("s3://bucket?endpoint_url=http://[::1", "UPLOAD_STORAGE_URL: Invalid IPv6 URL"),
        ("s3://bucket?region=us east", "UPLOAD_STORAGE_URL: Provided region_name 'us east'"),
    ],
)
def test_an_unusable_storage_url_is_refused_at_start(url, says):
    from app import create_app

    with pytest.raises(SettingsError, match=says):
        create_app({"UPLOAD_STORAGE_URL": url})


# An import job whose process is killed (SIGKILL) just after storing a chunk of problem rows,
# before that chunk's commit: the 3rd of 1,000 rows.
KILLED_MIDWAY = """
import os, signal, sys
from app import create_app
from services.imports import importer, storage

store = storage.append
def store_then_die(name, kind, seq, data):
    store(name, kind, seq, data)
    if seq > 2000:
        os.kill(os.getpid(), signal.SIGKILL)
storage.append = store_then_die
with create_app({"IMPORT_PROCESSES": 1}).app_context():
    importer.run_import(int(sys.argv[1]))
"""


@pytest.mark.parametrize("where", ["database", "s3"])
def test_a_resumed_import_stores_each_problem_row_once(app, logged_in, request, where):
    if where == "s3":
        app.config["UPLOAD_STORAGE_URL"] = request.getfixturevalue("s3")[0]["UPLOAD_STORAGE_URL"]
        storage.init_app(app)
    lines = ["phone"] + [f"+1202555{n:04d}" if n % 10 else "not a phone" for n in range(5000)]
    response = logged_in.post(
        "/leads/import/",
        data={"file": (io.BytesIO("\n".join(lines).encode()), "leads.csv")},
        content_type="multipart/form-data",
    )
    upload_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    with app.app_context():  # confirmed, its job taken by the process about to die
        db.session.get(Upload, upload_id).state = "queued"
        db.session.commit()
    killed = subprocess.run([sys.executable, "-c", KILLED_MIDWAY, str(upload_id)], cwd=ROOT, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    with app.app_context():
        assert db.session.get(Upload, upload_id).rows_done == 2000
        app.config["IMPORT_PROCESSES"] = 1
        run_import(upload_id)  # the job run again: it resumes
        upload = db.session.get(Upload, upload_id)
        assert (upload.state, upload.imported, upload.invalid) == ("done", 4500, 500)
    problems = logged_in.get(f"/leads/import/{upload_id}/problems.csv").get_data(as_text=True).splitlines()
    assert problems[0] == "row,reason,phone"
    assert [int(line.split(",")[0]) for line in problems[1:]] == list(range(2, 5002, 10))


# An instance upgraded from 0019, when uploads were files in its instance folder: an import's
# problem rows, a file waiting for its columns, and a finished upload's file left behind.
UPGRADED = """
import json, os
from pathlib import Path
from flask_migrate import upgrade
from app import create_app
from extensions import db
from models import Upload, Workspace
from services.imports import storage

app = create_app()
with app.app_context():
    upgrade(revision="0019")
    workspace = Workspace(name="w")
    db.session.add(workspace)
    db.session.flush()
    for name, state in (("done1", "done"), ("waiting1", "mapping"), ("done2", "done")):
        db.session.add(Upload(workspace_id=workspace.id, filename="a.csv", stored_name=name, kind="csv", state=state))
    db.session.commit()
    folder = Path(app.instance_path) / "uploads"
    folder.mkdir()
    big = os.urandom(2_500_000)
    (folder / "done1.problems.csv").write_bytes(big)
    (folder / "waiting1").write_bytes(b"phone\\n2025550142\\n")
    (folder / "done2").write_bytes(b"left behind")
    (folder / "stranger").write_bytes(b"no upload")
    db.session.remove()
    upgrade()
    found = {
        f"{name}/{kind}": b"".join(storage.chunks(name, kind)).decode("latin-1")
        for name in ("done1", "waiting1", "done2", "stranger") for kind in (storage.FILE, storage.PROBLEMS)
    }
    assert found.pop("done1/problems") == big.decode("latin-1")
    print(json.dumps({key: value for key, value in found.items() if value}))
"""


def test_the_upgrade_copies_the_files_stored_on_disk_before(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["INSTANCE_PATH"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", UPGRADED], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"waiting1/file": "phone\n2025550142\n"}
