"""The files an import leaves: kept in the database, never on a host's disk, deleted once imported
or abandoned, and a problem-rows CSV whose cells never run as formulas."""

import csv
import io
import json
import os
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from models import Upload, utcnow
from services.exports import FORMULA_STARTS, spreadsheet_safe
from services.imports import storage
from support import ROOT

pytestmark = pytest.mark.integration


def post_file(client, content: bytes, name="leads.csv") -> int:
    response = client.post(
        "/leads/import/", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def stored(app, upload_id, kind=storage.FILE) -> bytes:
    """What the app keeps of the upload's file (or problem rows), wherever it keeps it."""
    with app.app_context():
        return b"".join(storage.chunks(db.session.get(Upload, upload_id).stored_name, kind))


def test_an_upload_leaves_nothing_on_the_hosts_disks(app, logged_in, run_worker, tmp_path, monkeypatch):
    """The web and the worker read the file through local scratch copies, deleted once read; the
    file and its problem rows are kept where every host reads them."""
    web_scratch, worker_scratch = tmp_path / "web", tmp_path / "worker"
    web_scratch.mkdir(), worker_scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(web_scratch))
    content = b"phone\n2025550142\nnot a phone\n"
    upload_id = post_file(logged_in, content)
    assert stored(app, upload_id) == content
    assert "not a phone" in logged_in.get(f"/leads/import/{upload_id}").get_data(as_text=True)  # the preview
    logged_in.post(f"/leads/import/{upload_id}", data={"column-0": "phone"})
    run_worker(TMPDIR=str(worker_scratch))
    assert stored(app, upload_id) == b""
    download = logged_in.get(f"/leads/import/{upload_id}/problems.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    assert download.get_data(as_text=True).splitlines()[1].startswith("3,")
    assert list(web_scratch.iterdir()) == list(worker_scratch.iterdir()) == []
    assert not any("uploads" in path.parts for path in Path(app.instance_path).rglob("*"))


# Starts the app on an instance folder of its own (SQLite, the bundled Redis, as on one machine),
# writes to both, and reports every entry's mode while the database (WAL) is open and after Redis
# saved its snapshot.
START_THE_APP = """
import json, os, stat, sys
from pathlib import Path
from flask_migrate import upgrade
import embedded_redis
from app import create_app
from extensions import db
from extensions import redis_connection
from models import Workspace

app = create_app()
with app.app_context():
    upgrade()
    db.session.add(Workspace(name="w"))
    db.session.commit()
    redis_connection(app).set("k", "v")
    redis_connection(app).save()
    folder = Path(app.instance_path)
    modes = {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]
             if not p.is_socket()}
    embedded_redis.stop(app.instance_path)
print(json.dumps(modes))
"""


def test_the_files_the_app_creates_are_private(tmp_path):
    one_machine = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "LINE_SECRET_KEYS")  # all generated in instance/
    env = {key: value for key, value in os.environ.items() if key not in one_machine}
    env["INSTANCE_PATH"] = str(tmp_path / "instance")
    done = subprocess.run(
        [sys.executable, "-c", START_THE_APP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    modes = json.loads(done.stdout.strip().splitlines()[-1])
    for name in (
        ".",
        "app.db",
        "app.db-wal",
        "app.db-shm",
        "redis.rdb",
        "redis.log",
        "redis.pid",
        "secret_key",
        "line_secret.key",
    ):
        assert name in modes, sorted(modes)
    assert {name: oct(mode) for name, mode in modes.items() if mode & 0o077} == {}


def test_an_upload_is_deleted_once_imported_or_failed(app, logged_in, run_worker):
    done = post_file(logged_in, b"phone\n2025550142\n")
    failed = post_file(logged_in, b"phone\n2025550142\n2025550143\n")
    for upload_id in (done, failed):
        assert stored(app, upload_id)
        logged_in.post(f"/leads/import/{upload_id}", data={"column-0": "phone"})
    run_worker(MAX_IMPORT_ROWS="1")  # the second has more rows than that
    with app.app_context():
        assert [db.session.get(Upload, i).state for i in (done, failed)] == ["done", "failed"]
    assert not stored(app, done) and not stored(app, failed)
    assert stored(app, done, storage.PROBLEMS)  # the report's problem rows stay


def test_an_abandoned_upload_is_deleted_by_the_sweep_and_a_recent_one_stays(app, logged_in, run_worker):
    abandoned = post_file(logged_in, b"phone\n2025550142\n")
    recent = post_file(logged_in, b"phone\n2025550143\n")
    with app.app_context():
        db.session.get(Upload, abandoned).created_at = utcnow() - timedelta(hours=25)
        db.session.get(Upload, recent).created_at = utcnow() - timedelta(hours=23)
        db.session.commit()
    run_worker()  # its maintenance queues the periodic sweep
    with app.app_context():
        gone, kept = db.session.get(Upload, abandoned), db.session.get(Upload, recent)
        assert gone.state == "failed" and "deleted" in gone.error and kept.state == "mapping"
    assert not stored(app, abandoned) and stored(app, recent)
    assert logged_in.get(f"/leads/import/{recent}").status_code == 200
    assert "Import failed" in logged_in.get(f"/leads/import/{abandoned}").get_data(as_text=True)


# Cells as a spreadsheet holds them (XML can't hold control characters), often starting a formula.
# ("_x0041_" is the writers' own escape, left out.)
CELL = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30).filter(lambda t: "_x" not in t) | (
    st.sampled_from(['=HYPERLINK("http://evil","x")', "+1 202 555 0142", "-2+3", "@SUM(A1)", "\tx", "=1+1"])
)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(CELL, CELL), min_size=1, max_size=5))
def test_problem_rows_never_start_a_formula(app, user, rows):
    """Every row is a problem (its phone is invalid); its cells come back as typed, neutralised."""
    from models import User
    from services.imports.importer import run_import

    path_name = os.urandom(8).hex() + ".xlsx"  # named as a workbook: this test is about what is written
    with app.app_context():
        app.config["IMPORT_PROCESSES"] = 1
        workspace_id = db.session.get(User, user).workspace_id
        out = io.BytesIO()
        workbook = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_urls": False})
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["=Name", "Phone", "@Notes"])
        for number, (name, notes) in enumerate(rows, start=1):
            sheet.write_row(number, 0, [name, "not a phone", notes])
        workbook.close()
        upload = Upload(
            workspace_id=workspace_id,
            filename="x.xlsx",
            stored_name=path_name,
            kind="xlsx",
            headers=["=Name", "Phone", "@Notes"],
            mapping=["first_name", "phone", None],
            state="queued",
        )
        db.session.add(upload)
        out.seek(0)
        storage.save(path_name, out, io.BytesIO())
        db.session.commit()
        run_import(upload.id)
        written = b"".join(storage.chunks(path_name, storage.PROBLEMS)).decode("utf-8")
    table = list(csv.reader(io.StringIO(written, newline="")))
    assert table[0] == ["row", "reason", "'=Name", "Phone", "'@Notes"]
    assert len(table) == len(rows) + 1
    for (name, notes), cells in zip(rows, table[1:], strict=True):
        assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)
        typed = cells[2:] + [""] * (5 - len(cells))  # a trailing empty cell is not written
        assert typed == [spreadsheet_safe(name), "not a phone", spreadsheet_safe(notes)]
