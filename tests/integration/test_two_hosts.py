"""Two hosts sharing nothing but the database and Redis: the web (gunicorn) with one instance folder,
two `flask worker` processes with instance folders of their own, the same keys. Files uploaded to
the web are imported and checked by the workers, Quick Send sends from the web with the line's
secret the workers also read, and the periodic re-check runs once for both workers."""

import io
import json
import re
from collections import Counter
from datetime import timedelta

import pytest
import requests
import xlsxwriter

from demo_line import DemoLineServer
from extensions import db
from models import AddressResult, Lead, SentMessage, Upload, User, utcnow
from services import leads as lead_store
from services import line_admin
from support import PASSWORD, start_flask, start_gunicorn, stop, wait_for

pytestmark = pytest.mark.integration


class AskedDemoLine(DemoLineServer):
    """The demo line, counting the addresses it was asked about."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.asked: Counter = Counter()

    def answer(self, authorization: str, raw_body: bytes):
        self.asked[json.loads(raw_body or b"{}").get("address")] += 1
        return super().answer(authorization, raw_body)


@pytest.fixture
def line(app, user):
    with AskedDemoLine(api_key="demo-key") as server:
        with app.app_context():
            workspace_id = db.session.get(User, user).workspace_id
            line_admin.add_line(
                workspace_id, name="Demo", provider="demo", url=server.url, secret="demo-key", rate_per_minute=600
            )
        yield server


@pytest.fixture
def hosts(tmp_path):
    """The web host's URL, once gunicorn answers; the worker hosts' processes run meanwhile."""
    web_host, worker_hosts = tmp_path / "web-host", [tmp_path / f"worker-host-{n}" for n in (1, 2)]
    workers = [
        start_flask("worker", log=tmp_path / f"{folder.name}.log", env={"INSTANCE_PATH": str(folder)})
        for folder in worker_hosts
    ]
    try:
        web, url = start_gunicorn(tmp_path / "web.log", env={"INSTANCE_PATH": str(web_host)})
    except AssertionError:
        stop(*workers)
        raise
    try:
        yield url
    finally:
        stop(web, *workers)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def upload(browser: requests.Session, url: str, name: str, content: bytes, mapping: dict) -> int:
    form = browser.get(f"{url}/leads/import/")
    mapping_page = browser.post(
        f"{url}/leads/import/", data={"csrf_token": csrf(form.text)}, files={"file": (name, content)}
    )
    assert mapping_page.status_code == 200 and "column-0" in mapping_page.text, mapping_page.text[:500]
    upload_id = int(mapping_page.url.rstrip("/").rsplit("/", 1)[1])
    confirmed = browser.post(f"{url}/leads/import/{upload_id}", data={"csrf_token": csrf(mapping_page.text), **mapping})
    assert confirmed.status_code == 200, confirmed.text[:500]
    return upload_id


def workbook(rows: list[list[str]]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet()
    for number, row in enumerate(rows):
        sheet.write_row(number, 0, row)
    book.close()
    return out.getvalue()


def test_a_web_host_and_two_worker_hosts_share_only_the_database_and_redis(app, user, line, tmp_path, request):
    with app.app_context():  # a lead whose answer is due for the weekly re-check
        workspace = db.session.get(User, user).workspace
        workspace.recheck_every = "weekly"
        stale, _ = lead_store.create_lead(workspace, {"phone": "2025550190"})
        stale.status, stale.checked_at = "available", utcnow() - timedelta(days=8)
        db.session.add(AddressResult(workspace_id=workspace.id, address="+12025550190", result="available"))
        db.session.commit()
        stale_id = stale.id
    url = request.getfixturevalue("hosts")  # the workers start now, and sweep for due re-checks

    browser = requests.Session()
    login = browser.get(f"{url}/login")
    signed_in = browser.post(
        f"{url}/login", data={"email": "ada@example.com", "password": PASSWORD, "csrf_token": csrf(login.text)}
    )
    assert signed_in.url.endswith("/leads/"), signed_in.text[:500]

    csv_phones = [f"20255501{n}" for n in range(50, 56)]
    xlsx_phones = [f"20255501{n}" for n in range(60, 66)]
    csv_file = ("First name,Phone\n" + "".join(f"Lead {p},{p}\n" for p in csv_phones)).encode()
    xlsx_file = workbook([["First name", "Phone"], *([f"Lead {p}", p] for p in xlsx_phones)])
    uploads = [
        upload(browser, url, "leads.csv", csv_file, {"column-0": "first_name", "column-1": "phone"}),
        upload(browser, url, "leads.xlsx", xlsx_file, {"column-0": "first_name", "column-1": "phone"}),
    ]

    def imported():
        with app.app_context():
            states = [db.session.get(Upload, upload_id) for upload_id in uploads]
            db.session.remove()
            return all(s.finished for s in states) and [(s.state, s.error) for s in states]

    assert wait_for(imported, 90, step=0.5)
    assert imported() == [("done", None), ("done", None)]

    def checked():
        with app.app_context():
            leads = db.session.execute(db.select(Lead.phone_norm, Lead.status)).all()
            db.session.remove()
            return len(leads) == 13 and all(status in ("available", "unavailable") for _, status in leads) and leads

    assert wait_for(checked, 90, step=0.5), checked()
    for phone, status in checked():
        assert status == ("available" if int(phone[-1]) % 2 == 0 else "unavailable")

    form = browser.get(f"{url}/leads/quick-send/")
    sent = browser.post(
        f"{url}/leads/quick-send/",
        data={"recipient": "(202) 555-0172", "message": "Hello from the web host", "csrf_token": csrf(form.text)},
    )
    assert "Sent by iMessage to +12025550172 through Demo" in sent.text, sent.text[:1000]
    assert line.sent == [{"to": ["+12025550172"], "text": "Hello from the web host", "chat_id": "demo-chat-1"}]

    def rechecked():
        with app.app_context():
            when = db.session.get(Lead, stale_id).checked_at
            db.session.remove()
            return when > utcnow() - timedelta(minutes=5)

    assert wait_for(rechecked, 30, step=0.5)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SentMessage.id))) == 1
    # Every address asked once: the imported leads, Quick Send's, and the due lead (one sweep).
    expected = {f"+1{p}" for p in [*csv_phones, *xlsx_phones, "2025550172", "2025550190"]}
    assert set(line.asked) == expected and set(line.asked.values()) == {1}, line.asked
