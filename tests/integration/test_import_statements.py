"""How an import's leads reach the database: each chunk in one statement, so the tally's trigger
(a statement-level trigger on PostgreSQL) runs once a chunk, not once a lead (models/dialects.py
insert_many). PostgreSQL: one COPY, counted by a statement trigger of the test's own while a real
worker imports. SQLite, which has only row triggers: one executemany, counted on the engine while
the import job's function runs in this process."""

import pytest
from sqlalchemy import event, text
from test_imports import confirm, upload

from extensions import db
from models import Lead

pytestmark = pytest.mark.integration

CSV = b"phone\n" + b"".join(b"20255501%02d\n" % n for n in range(40))


def count_on_postgresql(app, run_import) -> int:
    with app.app_context():
        for statement in (
            "CREATE TABLE lead_insert_statements (n int)",
            "CREATE FUNCTION count_lead_inserts() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO lead_insert_statements VALUES (1); RETURN NULL; END $$",
            "CREATE TRIGGER count_lead_inserts AFTER INSERT ON lead "
            "FOR EACH STATEMENT EXECUTE FUNCTION count_lead_inserts()",
        ):
            db.session.execute(text(statement))
        db.session.commit()
    try:
        run_import()
        with app.app_context():
            return db.session.scalar(text("SELECT count(*) FROM lead_insert_statements"))
    finally:
        with app.app_context():
            db.session.execute(text("DROP TABLE lead_insert_statements"))
            db.session.execute(text("DROP FUNCTION count_lead_inserts() CASCADE"))
            db.session.commit()


def count_on_sqlite(app, upload_id) -> int:
    from services.imports.importer import run_import

    statements = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO LEAD "):
            statements.append(executemany)

    app.config["IMPORT_PROCESSES"] = 1  # parsing in this process: nothing forked from the test
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            run_import(upload_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
    assert all(statements), "a lead was inserted by a statement of its own"
    return len(statements)


def test_an_import_chunk_reaches_the_database_in_one_statement(app, logged_in, run_worker):
    upload_id = upload(logged_in, CSV)
    confirm(logged_in, upload_id, ["phone"])
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":
        statements = count_on_postgresql(app, run_worker)
    else:
        statements = count_on_sqlite(app, upload_id)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 40
    assert statements == 1
