"""Leads from the seeded mix written straight into a workspace, thousands per statement (COPY on
PostgreSQL), for the benchmarks that need a big workspace fast (the import path has its own
benchmark); and the app served by gunicorn, as the web benchmarks run it."""

import multiprocessing
import os
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import leads_csv
import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
# The test suite's throwaway-database helper, shared rather than copied.
sys.path.insert(0, str(ROOT / "tests"))
from support import free_port, fresh_postgres  # noqa: E402,F401

# Every process a benchmark starts shares these keys, as the hosts of one database must (the app
# refuses to start on PostgreSQL without them).
os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
os.environ.setdefault("LINE_SECRET_KEYS", Fernet.generate_key().decode())

FIELDS = ["phone", "email", "alt_phone1", "alt_phone2", "alt_email1"]
CHUNK = 5000


def insert_leads(workspace_id: int, count: int, values_for=lambda n: {}) -> None:
    """`count` leads, normalised as the app does (in a process per core: phonenumbers is most of the
    time); `values_for(n)` adds columns to the n-th."""
    from extensions import db
    from models import Lead

    def write(chunk):
        _copy(chunk) if db.engine.dialect.name == "postgresql" else db.session.execute(db.insert(Lead), chunk)

    raw = leads_csv.rows(count)
    chunks = iter(lambda: list(islice(raw, CHUNK)), [])
    n = 0
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        for chunk in pool.imap(_normalised, chunks):
            for values in chunk:
                values.update(workspace_id=workspace_id, **values_for(n))
                n += 1
            write(chunk)
    db.session.commit()


def _normalised(rows: list[list[str]]) -> list[dict]:
    from availability.addresses import read_field
    from availability.fields import ADDRESS_FIELDS
    from models import search_text

    kinds, chunk = dict(ADDRESS_FIELDS), []
    for row in rows:
        values = {"first_name": row[0], "last_name": row[1], "company": row[2]}
        for field, raw in zip(FIELDS, row[3:]):
            read = read_field(field, kinds[field], raw, "US")
            values[field], values[f"{field}_norm"] = read.raw, read.normalised
        values["search_text"] = search_text(row[:3], [(values[field], values[f"{field}_norm"]) for field in FIELDS])
        chunk.append(values)
    return chunk


def _copy(chunk: list[dict]) -> None:
    """The chunk through COPY: one statement (the tally's statement-level trigger runs once), no
    per-row parsing; an executemany of 1,000,000 rows took ~20 minutes here, mostly the trigger."""
    from extensions import db
    from models import Lead, utcnow

    now = utcnow()
    defaults = {
        # An enum default as its value: psycopg would write an Enum's name.
        column.name: getattr(column.default.arg, "value", column.default.arg)
        if column.default is not None and column.default.is_scalar
        else None
        for column in Lead.__table__.columns
    }
    defaults.update(created_at=now, updated_at=now)
    columns = [name for name in defaults if name != "id"]
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY lead ({', '.join(columns)}) FROM STDIN") as copy:
        for values in chunk:
            copy.write_row([values.get(name, defaults[name]) for name in columns])


@contextmanager
def gunicorn(env: dict, workers: int = 4, options: tuple = ("--config", "gunicorn.conf.py")):
    """The app served by gunicorn with `workers` processes on a free port, by default as the
    Procfile runs it (gunicorn.conf.py's threaded workers); yields (its URL, the master process)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *options, "--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        + ["--log-level", "warning", "app:create_app()"],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{url}/health", timeout=5).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield url, server
    finally:
        server.terminate()
        server.wait()
