"""A lead checked end to end: the view queues it in real Redis, a real `flask worker` process runs
it over real HTTP against the demo line, and the row shows the demo rule's answer."""

import re

import pytest

from extensions import db
from models import Lead, Line

pytestmark = pytest.mark.integration


def add_lead(client, **fields):
    response = client.post("/leads/", data=fields)
    assert response.status_code == 302
    return db.session.scalar(db.select(Lead).order_by(Lead.id.desc()))


def status_of(client, lead_id):
    """The lead's row as the leads page shows it: its status and its HTML."""
    page = client.get("/leads/").get_data(as_text=True)
    row = re.search(rf'<tr id="lead-{lead_id}" data-status="(\w+)".*?</tr>', page, re.S)
    return row.group(1), row.group(0)


def test_new_leads_are_checked_by_a_worker_as_the_demo_rule_predicts(
    app, logged_in, demo_line, demo_server, run_worker
):
    with app.app_context():
        even = add_lead(logged_in, first_name="Even", phone="(202) 555-0142").id
        by_email = add_lead(logged_in, first_name="Mail", phone="202-555-0143", email="Grace@iCloud.com").id
        neither = add_lead(
            logged_in, first_name="No", phone="202.555.0145", email="no@gmail.com", alt_phone1="202 555 0147"
        ).id
        # Queued, not yet run: the row is Checking and watched by the page's poll.
        status, html = status_of(logged_in, even)
        assert status == "checking" and "data-watch" in html

    run_worker()

    with app.app_context():
        status, html = status_of(logged_in, even)
        assert status == "available" and "+12025550142" in html and "data-watch" not in html
        status, html = status_of(logged_in, by_email)
        assert status == "available" and "grace@icloud.com" in html
        status, _ = status_of(logged_in, neither)
        assert status == "unavailable"
    # Stop rule: 1 call for the even phone, 2 for phone-then-email, 3 for the all-unavailable lead.
    assert demo_server.stats["calls"] == 6


def test_check_availability_button_rechecks_a_lead(app, logged_in, demo_line, run_worker):
    with app.app_context():
        lead = add_lead(logged_in, phone="+44 20 7946 0958").id
    run_worker()
    response = logged_in.post(f"/leads/{lead}/check", headers={"HX-Request": "true"})
    assert 'data-status="checking"' in response.get_data(as_text=True)
    run_worker()
    with app.app_context():
        assert status_of(logged_in, lead)[0] == "available"
        assert db.session.get(Lead, lead).available_address == "+442079460958"


def test_without_an_active_line_leads_say_so_and_nothing_is_queued(app, logged_in):
    from services.queue import check_queue

    with app.app_context():
        lead = add_lead(logged_in, phone="2025550142").id
        assert status_of(logged_in, lead)[0] == "no_active_line"
        assert check_queue().count == 0
    page = logged_in.get("/leads/").get_data(as_text=True)
    assert "No active line" in page and 'href="/lines/"' in page


def test_a_line_with_a_wrong_key_turns_unhealthy_and_checks_pause_not_fail(app, logged_in, demo_line, run_worker):
    from rq.registry import ScheduledJobRegistry

    from services import line_admin
    from services.queue import check_queue

    with app.app_context():
        line = db.session.get(Line, demo_line)
        line_admin.update_line(
            line,
            name=line.name,
            provider="demo",
            url=line.url,
            secret="wrong-key",
            sender=None,
            rate_per_minute=120,
            daily_cap=None,
        )
        lead = add_lead(logged_in, phone="2025550142").id
    run_worker()
    with app.app_context():
        lead_row = db.session.get(Lead, lead)
        # A sick line says nothing about the lead: it waits, neither Error nor Unavailable.
        assert lead_row.status == "checking" and "no healthy line" in lead_row.error
        assert ScheduledJobRegistry(queue=check_queue()).count == 1
        line = db.session.get(Line, demo_line)
        assert line.status == "unhealthy" and line.health_reason
    assert "unhealthy" in logged_in.get("/lines/").get_data(as_text=True).lower()
    assert "Every active line is failing" in logged_in.get("/leads/").get_data(as_text=True)
    assert "no healthy line" in status_of(logged_in, lead)[1]

    # Fixing the line's key puts it back in use; the paused check goes on.
    with app.app_context():
        line = db.session.get(Line, demo_line)
        line_admin.update_line(
            line,
            name=line.name,
            provider="demo",
            url=line.url,
            secret="demo-key",
            sender=None,
            rate_per_minute=120,
            daily_cap=None,
        )
        assert db.session.get(Line, demo_line).status == "active"
        logged_in.post(f"/leads/{lead}/check")
    run_worker()
    with app.app_context():
        assert db.session.get(Lead, lead).status == "available"


def test_an_invalid_address_is_shown_and_never_sent_to_the_line(app, logged_in, demo_line, demo_server, run_worker):
    with app.app_context():
        lead = add_lead(logged_in, phone="555-1234", email="ada@me.com").id
    run_worker()
    with app.app_context():
        status, html = status_of(logged_in, lead)
    assert status == "available" and re.search(r'class="invalid[ "]', html) and "555-1234" in html
    assert demo_server.stats["calls"] == 1


def test_a_rate_limited_line_keeps_the_lead_checking_and_schedules_the_rest(
    app, logged_in, demo_line, demo_server, run_worker
):
    from rq.registry import ScheduledJobRegistry

    from services.queue import check_queue

    demo_server.rate_per_minute = 1
    with app.app_context():
        lead = add_lead(logged_in, phone="202-555-0143", email="ada@icloud.com").id
    run_worker()
    with app.app_context():
        # The phone was answered; the email hit the limit: not an error, not unavailable.
        assert db.session.get(Lead, lead).status == "checking"
        registry = ScheduledJobRegistry(queue=check_queue())
        [job_id] = registry.get_job_ids()
        job = check_queue().fetch_job(job_id)
        assert job.args[0] == lead and job.args[2] == ["+12025550143"]
    assert demo_server.stats["calls"] == 2 and demo_server.stats["rate_limited"] == 1


def test_a_line_that_cannot_tell_is_asked_again_then_the_lead_shows_error(
    app, logged_in, demo_line, demo_server, run_worker
):
    demo_server.error_rate = 1.0
    with app.app_context():
        lead = add_lead(logged_in, phone="2025550142").id
    run_worker(CHECK_RETRY_DELAYS="0,0")
    with app.app_context():
        row = db.session.get(Lead, lead)
        assert row.status == "error" and "server error 500" in row.error
        assert db.session.get(Line, demo_line).status == "active"  # a 500 is not a sick line
    assert demo_server.stats["calls"] == 3  # the first try and two retries
