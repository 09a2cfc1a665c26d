"""A line's pace and pause in Redis are its own: they go when the line is deleted, a line of another
workspace never inherits them (even under the same id), and a 429 pauses a line for at most
LINE_MAX_PAUSE_SECONDS, shown on the Lines page."""

import re

import pytest

from cli import create_user
from extensions import db, redis_connection
from faulty_line import PASSWORD, TEN_DAYS
from models import AddressResult, Line, User, Workspace
from services import line_admin
from services.checks import address as address_checks
from services.lines import pacer
from support import PASSWORD as USER_PASSWORD

pytestmark = pytest.mark.integration


def pace_keys() -> set[str]:
    return {key.decode() for key in redis_connection().scan_iter("pace:*")}


def test_a_ten_day_429_pauses_the_line_an_hour_at_most_and_goes_with_the_line(app, logged_in, user, faulty):
    with app.app_context():
        ours = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        line = line_admin.add_line(
            ours.id, name="Says ten days", provider="bluebubbles", url=faulty.url, secret=PASSWORD, rate_per_minute=600
        )
        line_id = line.id
        answer = address_checks.AddressChecker(ours, [line]).ask(f"+1202555{TEN_DAYS}")
        # The line asked for 864,000 s; the pause is capped at an hour (LINE_MAX_PAUSE_SECONDS).
        assert answer.outcome.value == "rate_limited" and 3500 < answer.retry_after <= 3600
        old_keys = pace_keys()
        theirs = db.session.get(Workspace, create_user("bob@example.com", USER_PASSWORD).workspace_id)

    page = logged_in.get("/lines/").get_data(as_text=True)
    assert re.search(r"<dt>Paused</dt><dd>(59|60) min\s+more: the line said 429", page)
    assert logged_in.post(f"/lines/{line_id}/delete").status_code == 302

    with app.app_context():
        assert pace_keys() == set(), "the deleted line's pace and pause went with it"
        # SQLite gives the next line the deleted one's id; PostgreSQL is made to here.
        box = app.extensions["secrets_box"]
        new = Line(
            id=line_id,
            workspace_id=theirs.id,
            name="Bob's line",
            provider="bluebubbles",
            url=faulty.url,
            secret_encrypted=box.encrypt(PASSWORD),
            rate_per_minute=600,
        )
        db.session.add(new)
        db.session.commit()
        assert pacer(new).try_acquire() == 0, "the new line is not paused"
        answer = address_checks.AddressChecker(theirs, [new]).ask("+12025550142")
        assert answer.outcome.value == "available"
        assert pace_keys() and not pace_keys() & old_keys
    bob = app.test_client()
    assert bob.post("/login", data={"email": "bob@example.com", "password": USER_PASSWORD}).status_code == 302
    page = bob.get("/lines/").get_data(as_text=True)
    assert "Bob&#39;s line" in page and "Paused" not in page


def test_the_migration_gives_each_line_already_there_a_key_of_its_own(app, user):
    from alembic.script import ScriptDirectory
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        # End the read's transaction: on PostgreSQL it would hold a lock on "user" that the
        # downgrade's ALTER TABLEs wait for, for ever.
        db.session.remove()
        config = app.extensions["migrate"].migrate.get_config()
        downgrade(revision=ScriptDirectory.from_config(config).get_revision("0014").down_revision)
        try:
            with db.engine.begin() as conn:  # the line table as it was: no key
                for name in ("Office Mac", "Linq"):
                    conn.execute(
                        text(
                            "INSERT INTO line (workspace_id, name, provider, url, status, is_demo, "
                            "rate_per_minute, created_at) VALUES (:w, :n, 'demo', 'http://127.0.0.1:9', "
                            "'active', false, 6, CURRENT_TIMESTAMP)"
                        ),
                        {"w": workspace_id, "n": name},
                    )
                conn.execute(
                    text(
                        "INSERT INTO address_result (workspace_id, address, result, line_id, checked_at) "
                        "SELECT :w, '+12025550142', 'available', max(id), CURRENT_TIMESTAMP FROM line"
                    ),
                    {"w": workspace_id},
                )
        finally:
            upgrade()
        keys = db.session.scalars(db.select(Line.key)).all()
        assert len(set(keys)) == 2 and all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)
        # The table was not rebuilt: the answers still name the line that gave them.
        assert db.session.scalar(db.select(AddressResult.line_id)) == max(db.session.scalars(db.select(Line.id)))
