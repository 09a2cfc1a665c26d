"""How an import's leads reach PostgreSQL: each chunk in one statement (COPY), so the tally's
statement-level trigger runs once a chunk, not once a lead (models/dialects.py insert_many)."""

import os

import pytest
from sqlalchemy import text

from extensions import db
from models import Lead

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's write path"),
]


def test_an_import_chunk_reaches_postgresql_in_one_statement(app, logged_in, run_worker):
    from test_imports import confirm, upload

    with app.app_context():
        # A statement-level trigger of the test's own, counting the INSERT statements into lead.
        for statement in (
            "CREATE TABLE lead_insert_statements (n int)",
            "CREATE FUNCTION count_lead_inserts() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO lead_insert_statements VALUES (1); RETURN NULL; END $$",
            "CREATE TRIGGER count_lead_inserts AFTER INSERT ON lead "
            "FOR EACH STATEMENT EXECUTE FUNCTION count_lead_inserts()",
        ):
            db.session.execute(text(statement))
        db.session.commit()
    upload_id = upload(logged_in, b"phone\n" + b"".join(b"20255501%02d\n" % n for n in range(40)))
    confirm(logged_in, upload_id, ["phone"])
    run_worker()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 40
        assert db.session.scalar(text("SELECT count(*) FROM lead_insert_statements")) == 1
