"""The leads page and its poll cost a fixed number of queries, however many rows they show: no
query per row, so 50 rows (or 100,000 leads behind them) don't multiply the work."""

import re
from contextlib import contextmanager

import pytest
from flask import request, request_finished
from sqlalchemy import event

from extensions import db
from models import CheckBatch, Lead, User
from services.checks import lead as lead_checks


@contextmanager
def counting_queries(app):
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_leads(app, user, how_many, batch_id=None):
    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        db.session.execute(
            db.insert(Lead),
            [
                {
                    "workspace_id": workspace_id,
                    "first_name": f"Lead {n}",
                    "search_text": f"lead {n}",
                    "phone": f"20255{n:05d}",
                    "phone_norm": f"+120255{n:05d}",
                    "status": "checking" if batch_id else "available",
                    "batch_id": batch_id,
                    "check_run": lead_checks.batch_run(batch_id) if batch_id else None,
                }
                for n in range(how_many)
            ],
        )
        db.session.commit()
        return db.session.scalars(db.select(Lead.id).where(Lead.workspace_id == workspace_id)).all()


@pytest.fixture
def batch_id(app, user, demo_line):
    with app.app_context():
        batch = CheckBatch(workspace_id=db.session.get(User, user).workspace_id, kind="bulk")
        db.session.add(batch)
        db.session.commit()
        return batch.id


def queries_for(app, client, url, warm=True):
    """The statements a request makes, as a page open a while makes them: after a first request
    (the poll reads the lines' pace once in a few seconds)."""
    headers = {"HX-Request": "true"} if "updates" in url else {}
    if warm:
        client.get(url, headers=headers)
    with counting_queries(app) as statements:
        response = client.get(url, headers=headers)
    assert response.status_code in (200, 286)
    return len(statements)


def test_the_poll_reads_the_lines_pace_once_in_a_few_seconds(app, logged_in, user, batch_id, monkeypatch):
    from services import lines

    add_leads(app, user, 5, batch_id)
    url = f"/leads/updates?batch={batch_id}"
    with counting_queries(app) as first:
        assert "min left at the lines' pace" in logged_in.get(url, headers={"HX-Request": "true"}).get_data(True)
    with counting_queries(app) as again:
        assert "min left at the lines' pace" in logged_in.get(url, headers={"HX-Request": "true"}).get_data(True)
    monkeypatch.setattr(lines, "PACE_KEPT_SECONDS", 0)
    with counting_queries(app) as later:
        logged_in.get(url, headers={"HX-Request": "true"})
    reads = [
        sum(bool(re.search(r"\bfrom line\b", s, re.I)) for s in statements) for statements in (first, again, later)
    ]
    assert reads == [1, 0, 1] and len(again) == len(first) - 1


@pytest.mark.parametrize("url", ["/leads/", "/leads/?status=checking&sort=name", "/leads/?q=Lead"])
def test_the_leads_page_makes_as_many_queries_for_50_rows_as_for_5(app, logged_in, user, batch_id, url):
    add_leads(app, user, 5, batch_id)
    few = queries_for(app, logged_in, url)
    add_leads(app, user, 45, batch_id)
    many = queries_for(app, logged_in, url)
    assert many == few <= 12


def test_the_page_poll_makes_as_many_queries_for_50_rows_as_for_5(app, logged_in, user, batch_id):
    ids = add_leads(app, user, 5, batch_id)
    few = queries_for(app, logged_in, "/leads/updates?" + "&".join(f"lead={i}:0" for i in ids) + f"&batch={batch_id}")
    ids = add_leads(app, user, 45, batch_id)
    many = queries_for(app, logged_in, "/leads/updates?" + "&".join(f"lead={i}:0" for i in ids) + f"&batch={batch_id}")
    assert many == few <= 8


def test_the_page_poll_reads_three_batches_progress_with_as_many_queries_as_one(app, logged_in, user, batch_id):
    """A page can watch several checks at once (an import and a bulk check): their counts come
    with the batches, not from a query each."""
    with app.app_context():
        others = [CheckBatch(workspace_id=db.session.get(User, user).workspace_id, kind="bulk") for _ in range(2)]
        db.session.add_all(others)
        db.session.commit()
        other_ids = [batch.id for batch in others]
    for each in (batch_id, *other_ids):
        add_leads(app, user, 3, each)
    one = queries_for(app, logged_in, f"/leads/updates?batch={batch_id}")
    three = queries_for(app, logged_in, "/leads/updates?" + "&".join(f"batch={i}" for i in (batch_id, *other_ids)))
    assert three == one


@pytest.mark.parametrize("url", ["/leads/", "/leads/updates?batch={batch_id}"])
def test_the_leads_page_and_its_poll_read_without_a_transaction(app, logged_in, batch_id, url):
    """Their reads skip BEGIN and ROLLBACK (two round trips to PostgreSQL); pages that write don't."""
    modes = {}

    def isolation(sender, response, **extra):
        modes[request.path] = db.session.connection().get_execution_options().get("isolation_level")

    with request_finished.connected_to(isolation, app):
        logged_in.get(url.format(batch_id=batch_id), headers={"HX-Request": "true"})
        logged_in.get("/lines/")
    assert modes == {url.partition("?")[0]: "AUTOCOMMIT", "/lines/": None}


def test_a_quick_send_check_reads_the_workspace_once_and_keeps_the_answer_in_one_statement(
    app, logged_in, demo_line, demo_server
):
    """A typed address the line is asked about: its stored answer is looked at before and after
    taking the address (nothing else asked meanwhile), then the answer is written in one go."""
    with counting_queries(app) as statements:
        response = logged_in.post("/leads/quick-send/check", data={"recipient": "202 555 0142"})
    assert 'data-state="available"' in response.get_data(as_text=True)
    assert demo_server.stats["calls"] == 1
    on = [" ".join(s.split()).lower() for s in statements]
    # Read once, with the signed-in user (services/accounts.py), or on its own.
    assert sum(s.startswith("select") and ("from workspace" in s or "join workspace" in s) for s in on) == 1
    assert sum(s.startswith("select") and "from address_result" in s for s in on) == 2
    assert [s.split(" (")[0] for s in on if s.startswith("insert")] == ["insert into address_result"]
    assert any("on conflict" in s for s in on)
