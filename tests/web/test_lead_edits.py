"""Fixing leads from the app: the lead page's answers per address, Edit (a changed address clears
the answer and checks the lead again), Delete one or a selection (with a confirmation), and the one
rule for a lead without a valid address, in the form and in an edit."""

import re
from datetime import timedelta

import pytest
from redis import RedisError

from availability.statuses import LeadStatus
from extensions import db
from models import AddressResult, Lead, Line, SentMessage, User, Workspace, utcnow
from services import leads as lead_store
from services.checks import lead as lead_checks
from services.queue import jobs_in_redis


@pytest.fixture
def workspace(app, user):
    with app.app_context():
        return db.session.get(User, user).workspace_id


def add(app, workspace_id, **data) -> int:
    """A lead, as the form adds one: checked at once (queued, with a line)."""
    with app.app_context():
        lead = lead_store.create_lead(db.session.get(Workspace, workspace_id), data)[0]
        lead_checks.request_check(lead)
        return lead.id


def lead_of(app, lead_id) -> Lead | None:
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        if lead is not None:
            db.session.expunge(lead)
        return lead


def assert_tally_right(workspace_id):
    """The tally (kept by triggers) says what counting the leads says."""
    counted = db.session.execute(
        db.select(Lead.status, db.func.count()).where(Lead.workspace_id == workspace_id).group_by(Lead.status)
    ).all()
    assert {s: lead_store.count_leads(workspace_id, s) for s in LeadStatus} == {
        s: dict(counted).get(s, 0) for s in LeadStatus
    }


def test_the_form_refuses_a_lead_with_no_valid_address_and_says_why(app, logged_in):
    page = logged_in.post("/leads/", data={"first_name": "Ada", "phone": "555-12"}, follow_redirects=True)
    assert "needs at least one valid phone number or email address: Primary phone “555-12” is not a" in page.text
    kept = logged_in.post("/leads/", data={"phone": "555-12", "email": "ada@example.com"}, follow_redirects=True)
    assert "kept as typed, shown as invalid" in kept.text
    with app.app_context():
        assert db.session.scalars(db.select(Lead.email)).all() == ["ada@example.com"]


def test_the_lead_page_shows_each_address_with_its_last_answer(app, logged_in, workspace, demo_line):
    lead_id = add(app, workspace, phone="(202) 555-0142", email="ada@example.com", alt_phone1="12")
    with app.app_context():
        db.session.add(
            AddressResult(workspace_id=workspace, address="+12025550142", result="available", line_id=demo_line)
        )
        db.session.commit()
    html = logged_in.get(f"/leads/{lead_id}").text
    phone = re.search(r'<tr data-field="phone" data-answer="available">.*?</tr>', html, re.S).group(0)
    assert all(part in phone for part in ("(202) 555-0142", "+12025550142", "Available on iMessage", "Demo"))
    # When, as the leads table says it: how long ago, the exact time on hover.
    assert re.search(r'<time datetime="[^"]+Z" title="\d{4}-\d\d-\d\d \d\d:\d\d UTC">just now</time>', phone)
    assert 'data-field="email" data-answer="not_asked"' in html and "Not asked yet" in html
    assert 'data-field="alt_phone1" data-answer="invalid"' in html
    assert all(button in html for button in (f"/leads/{lead_id}/edit", f"/leads/{lead_id}/check", "Delete"))
    with app.app_context():
        db.session.delete(db.session.get(Line, demo_line))
        db.session.commit()
    assert "a line since deleted" in logged_in.get(f"/leads/{lead_id}").text


def test_a_lead_without_a_name_goes_by_its_address_until_edited(app, logged_in, workspace):
    lead_id = add(app, workspace, phone="+1 202 555 0142")  # as Quick Send makes one
    assert "<h1>+1 202 555 0142" in logged_in.get(f"/leads/{lead_id}").text
    logged_in.post(f"/leads/{lead_id}/edit", data={"first_name": "Ada", "phone": "+1 202 555 0142"})
    assert "<h1>Ada" in logged_in.get(f"/leads/{lead_id}").text


def test_editing_an_address_clears_the_answer_and_checks_again(app, logged_in, workspace, demo_line):
    lead_id = add(app, workspace, first_name="Ada", phone="2025550143")
    old_run = lead_of(app, lead_id).check_run
    form = logged_in.get(f"/leads/{lead_id}/edit").text
    assert 'name="alt_email3" value="" maxlength="254"' in form and 'value="2025550143"' in form
    with app.app_context():
        assert lead_checks.run_check(lead_id, old_run, (), 0) is None  # the demo line: unavailable
        assert db.session.get(Lead, lead_id).status == "unavailable"
    page = logged_in.post(f"/leads/{lead_id}/edit", data={"first_name": "Ada", "phone": "(202) 555-0142"})
    assert page.status_code == 302 and page.location.endswith(f"/leads/{lead_id}")
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.phone, lead.phone_norm) == ("checking", "(202) 555-0142", "+12025550142")
    assert lead.available_address is None and lead.checked_at is None and lead.check_run != old_run
    assert "2025550142" in lead.search_text and "2025550143" not in lead.search_text
    with app.app_context():
        assert (lead_id, lead.check_run) in jobs_in_redis()[0]
        lead_checks.run_check(lead_id, lead.check_run, (), 0)
        assert db.session.get(Lead, lead_id).available_address == "+12025550142"
    # A name alone, or the same number written another way, keeps the answer.
    logged_in.post(f"/leads/{lead_id}/edit", data={"first_name": "Ada L.", "phone": "202.555.0142"})
    assert lead_of(app, lead_id).status == "available"


def test_an_edit_supersedes_a_check_in_flight(app, logged_in, workspace, demo_line):
    lead_id = add(app, workspace, phone="2025550143")
    in_flight = lead_of(app, lead_id).check_run
    logged_in.post(f"/leads/{lead_id}/edit", data={"phone": "2025550142"})
    with app.app_context():
        assert lead_checks.run_check(lead_id, in_flight, (), 0) is None
        assert db.session.get(Lead, lead_id).status == "checking"  # the old run wrote nothing
        assert not db.session.scalar(db.select(db.func.count(AddressResult.id)))  # nor called a line


def test_an_edit_without_background_work_leaves_the_lead_not_checked(app, logged_in, workspace, demo_line, monkeypatch):
    lead_id = add(app, workspace, phone="2025550143")

    def down(*args, **kwargs):
        raise RedisError("down")

    monkeypatch.setattr(lead_checks, "enqueue_check", down)
    page = logged_in.post(f"/leads/{lead_id}/edit", data={"phone": "2025550142"}, follow_redirects=True)
    assert "could not be checked again" in page.text
    assert lead_of(app, lead_id).status == "not_checked"


@pytest.mark.parametrize(
    "data, says",
    [
        ({"phone": "12", "email": "not an email"}, "needs at least one valid phone number or email address"),
        ({"phone": "", "company": "Acme"}, "needs at least one phone number or email address"),
        ({"phone": "2025550142", "company": "x" * 201}, "Company is longer than 200 characters"),
    ],
)
def test_a_refused_edit_changes_nothing_and_keeps_what_was_typed(app, logged_in, workspace, data, says):
    lead_id = add(app, workspace, first_name="Ada", phone="2025550142")
    page = logged_in.post(f"/leads/{lead_id}/edit", data={"first_name": "Typed", **data})
    assert page.status_code == 422 and says in page.text
    assert 'name="first_name" value="Typed"' in page.text
    lead = lead_of(app, lead_id)
    assert (lead.first_name, lead.phone, lead.company) == ("Ada", "2025550142", "")


def test_deleting_a_lead_leaves_its_queued_check_nothing_to_do(app, logged_in, workspace, demo_line):
    lead_id = add(app, workspace, phone="2025550142")
    kept = add(app, workspace, phone="2025550144")
    run = lead_of(app, lead_id).check_run
    with app.app_context():
        db.session.add(
            SentMessage(
                workspace_id=workspace, lead_id=lead_id, line_name="Demo", address="x", channel="sms", sent=True
            )
        )
        db.session.commit()
    assert logged_in.post(f"/leads/{lead_id}/delete").location.endswith("/leads/")
    with app.app_context():
        assert db.session.get(Lead, lead_id) is None and not db.session.scalars(db.select(SentMessage)).all()
        assert lead_checks.run_check(lead_id, run, (), 0) is None  # its queued job: nothing
        assert not db.session.scalars(db.select(AddressResult)).all()  # no line was asked
        assert_tally_right(workspace)
    assert lead_of(app, kept) is not None


def test_deleting_a_selection_asks_first(app, logged_in, workspace):
    ids = [add(app, workspace, first_name=f"Lead {n}", phone=f"20255501{40 + n}") for n in range(3)]
    picked = {"lead_ids": [str(ids[0]), str(ids[2])]}
    ask = logged_in.post("/leads/bulk-delete", data=picked)
    assert (
        ask.status_code == 200 and "Delete 2 leads?" in ask.text and "Lead 0" in ask.text and "Lead 1" not in ask.text
    )
    assert all(lead_of(app, i) for i in ids)  # nothing deleted yet
    done = logged_in.post("/leads/bulk-delete", data={**picked, "confirmed": "1"}, follow_redirects=True)
    assert "Deleted 2 leads." in done.text
    assert [i for i in ids if lead_of(app, i)] == [ids[1]]
    with app.app_context():
        assert_tally_right(workspace)
        assert lead_store.count_leads(workspace) == 1


def test_deleting_everything_matching_a_filter(app, logged_in, workspace):
    acme = [add(app, workspace, company="Acme", phone=f"20255501{40 + n}") for n in range(3)]
    other = add(app, workspace, company="Other", phone="2025550150")
    form = {"all_matching": "1", "q": "acme", "lead_ids": [str(other)]}
    ask = logged_in.post("/leads/bulk-delete", data=form)
    assert "Delete 3 leads?" in ask.text and 'name="all_matching"' in ask.text
    logged_in.post("/leads/bulk-delete", data={**form, "confirmed": "1"})
    assert [i for i in [*acme, other] if lead_of(app, i)] == [other]


def test_updated_at_follows_every_write(app, workspace, demo_line):
    lead_id = add(app, workspace, phone="2025550142")
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        lead.updated_at = long_ago = utcnow() - timedelta(days=3)
        db.session.commit()
        lead_checks.run_check(lead_id, lead.check_run, (), 0)  # the answer is a bulk UPDATE
        assert db.session.get(Lead, lead_id).updated_at > long_ago + timedelta(days=2)
