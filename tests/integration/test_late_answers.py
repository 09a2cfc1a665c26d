"""A line that answers after the worker stopped waiting is not asked again: its late answer is kept
as the address's answer (the line was paid for it) and the check's retry finds it. Real worker,
real HTTP."""

import pytest

from extensions import db
from faulty_line import LATE_BY, PASSWORD, TIMEOUT
from models import AddressResult, Lead, User, Workspace
from services import leads as lead_store
from services import line_admin
from services.checks import batches as batch_checks
from support import work_until_final

pytestmark = pytest.mark.integration

# The worker waits 1 s; the line answers after LATE_BY (3) s; retries come 0.5 s apart.
WORKER_ENV = {
    "LINE_CONNECT_TIMEOUT": "1",
    "LINE_READ_TIMEOUT": "1",
    "LINE_DEADLINE": "1",
    "CHECK_RETRY_DELAYS": "0.5,0.5",
}


def test_a_late_answer_is_kept_and_the_retry_uses_it_instead_of_calling_again(app, user, faulty, tmp_path):
    address = f"+1202555{TIMEOUT}"
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        line_id = line_admin.add_line(
            workspace.id, name="Slow Mac", provider="bluebubbles", url=faulty.url, secret=PASSWORD, rate_per_minute=600
        ).id
        lead_id = lead_store.create_lead(workspace, {"phone": f"202555{TIMEOUT}"})[0].id
        batch_id = batch_checks.start_batch(workspace.id, "bulk", Lead.id == lead_id).id

    took = work_until_final(app, batch_id, tmp_path / "worker.log", 60, env=WORKER_ENV)

    assert faulty.calls.count(address) == 1, "the line was paid once for the address"
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        kept = db.session.scalar(db.select(AddressResult).where(AddressResult.address == address))
        assert (lead.status, lead.available_address) == ("available", address), lead.error
        assert (kept.result, kept.line_id) == ("available", line_id)
    assert took > LATE_BY
