"""A job takes only ids; everything else — the lines it may call, the answers it may reuse — it
reads from the lead's own workspace, so one workspace's work never touches another's."""

import pytest

from cli import create_user
from demo_line import DemoLineServer
from extensions import db
from models import AddressResult, Lead, User, Workspace, utcnow
from services import leads as lead_store
from services import line_admin
from services.checks import lead as lead_checks

pytestmark = pytest.mark.integration


def test_a_check_uses_only_its_own_workspaces_lines_and_answers(app, user, demo_server):
    with DemoLineServer(api_key="theirs") as their_server, app.app_context():
        mine = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        theirs = create_user("eve@example.com", "another password").workspace_id
        # Their line comes first and is faster, and they hold a (wrong) answer about the address
        # we will check.
        line_admin.add_line(
            theirs,
            name="Theirs",
            provider="demo",
            url=their_server.url,
            secret="theirs",
            rate_per_minute=6000,
            is_demo=True,
        )
        line_admin.add_line(
            mine.id,
            name="Mine",
            provider="demo",
            url=demo_server.url,
            secret="demo-key",
            rate_per_minute=6,
            is_demo=True,
        )
        db.session.add(
            AddressResult(workspace_id=theirs, address="+12025550143", result="available", checked_at=utcnow())
        )
        db.session.commit()
        lead = lead_store.create_lead(mine, {"phone": "2025550143"})[0]
        lead_checks.request_check(lead)
        assert lead_checks.run_check(lead.id, lead.check_run, (), 0) is None
        db.session.expire_all()
        assert db.session.get(Lead, lead.id).status == "unavailable"  # our line's answer, not theirs
    assert demo_server.stats["calls"] == 1
    assert their_server.stats["calls"] == 0
