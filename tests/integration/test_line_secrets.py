"""A line's password or API key is used for calls and nowhere else: not in the database as text,
not in pages, API answers, exports, lead errors, nor in the web's or the workers' logs — also when
calls fail."""

import logging

import pytest

from demo_line import DemoLineServer
from extensions import db
from models import AddressResult, Lead, Line, User, Workspace
from services import leads as lead_store
from services import line_admin
from support import PASSWORD, auth, flask_command, free_port

pytestmark = pytest.mark.integration

DEMO_KEY = "demo-KEY-7c1e9a52d4"
MAC_PASSWORD = "mac-PASS-b83f6d20e1"


def test_line_secrets_never_leave_the_line_calls(app, client, user, token, caplog):
    caplog.set_level(logging.DEBUG)
    with DemoLineServer(api_key=DEMO_KEY) as demo, app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        demo_id = line_admin.add_line(
            workspace.id, name="Demo", provider="demo", url=demo.url, secret=DEMO_KEY, rate_per_minute=600, is_demo=True
        ).id
        # A BlueBubbles Mac that is off: its password travels in the URL of every failed call.
        mac_id = line_admin.add_line(
            workspace.id,
            name="Mac",
            provider="bluebubbles",
            url=f"http://127.0.0.1:{free_port()}",
            secret=MAC_PASSWORD,
            rate_per_minute=600,
        ).id
        # A BlueBubbles server that answers, but not the way we hoped.
        wrong_id = line_admin.add_line(
            workspace.id,
            name="Wrong URL",
            provider="bluebubbles",
            url=demo.url,
            secret=MAC_PASSWORD,
            rate_per_minute=600,
        ).id
        for phone in ("2025550142", "2025550143"):
            lead_store.create_lead(workspace, {"phone": phone})
        db.session.commit()

        assert client.post("/login", data={"email": "ada@example.com", "password": PASSWORD}).status_code == 302
        seen = []
        seen.append(client.post(f"/lines/{mac_id}/test", data={"address": "+12025550142"}).get_data(as_text=True))
        seen.append(client.post(f"/lines/{wrong_id}/test", data={"address": "+12025550142"}).get_data(as_text=True))
        seen.append(client.post(f"/lines/{demo_id}/test", data={"address": "+12025550142"}).get_data(as_text=True))
        response = client.post("/leads/bulk-check", data={"all_matching": "1"})
        assert response.status_code == 302
        worker = flask_command("worker", "--burst", timeout=120, env={"CHECK_RETRY_DELAYS": ""})
        seen += [worker.stdout, worker.stderr]
        api = client.application.test_client()
        lead_id = db.session.scalar(db.select(Lead.id).limit(1))
        seen.append(api.get(f"/api/leads/check-availability?id={lead_id}", headers=auth(token)).get_data(as_text=True))
        seen.append(
            api.post("/api/leads/check-availability", json={"address": "+12025550144"}, headers=auth(token)).get_data(
                as_text=True
            )
        )
        seen.append(api.get("/api/openapi.json").get_data(as_text=True))
        for url in (
            "/lines/",
            f"/lines/{demo_id}/edit",
            f"/lines/{mac_id}/edit",
            "/leads/",
            "/leads/export.csv",
            f"/leads/{lead_id}",
            "/leads/quick-send/",
        ):
            seen.append(client.get(url).get_data(as_text=True))
        seen.append(client.post("/leads/quick-send/check", data={"recipient": "+12025550146"}).get_data(as_text=True))
        seen += [lead.error or "" for lead in db.session.scalars(db.select(Lead))]
        seen += [line.health_reason or "" for line in db.session.scalars(db.select(Line))]
        stored = [line.secret_encrypted for line in db.session.scalars(db.select(Line))]
        answered = db.session.scalar(db.select(db.func.count(AddressResult.id)))
    seen.append(caplog.text)

    assert demo.stats["answered"] >= 3 and answered >= 2, "the secrets were never used: the test proves nothing"
    assert "password=***" in caplog.text, "urllib3's request log was not seen: the test proves nothing"
    for secret in (DEMO_KEY, MAC_PASSWORD):
        assert not any(secret in text for text in seen + stored), secret
