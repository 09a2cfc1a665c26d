"""What a row of the leads table says: phones in one format (national in the workspace's region,
international otherwise, typed however), times relative with the exact one on hover, and the check
as an icon button named for what it does; the same in a row sent back by the page's poll."""

import re
from datetime import timedelta

from extensions import db
from models import Lead, User, Workspace
from models.types import utcnow
from services import leads as lead_store


def add(app, user, status, checked_ago=None, **data):
    with app.app_context():
        lead, _ = lead_store.create_lead(db.session.get(User, user).workspace, data)
        lead.status = status
        if checked_ago is not None:
            lead.checked_at = utcnow() - checked_ago
            lead.available_address = lead.phone_norm if status == "available" else None
        db.session.commit()
        return lead.id


def row(html, lead_id):
    return re.search(rf'<tr id="lead-{lead_id}".*?</tr>', html, re.S).group(0)


def test_phones_are_written_one_way_and_times_relative(app, logged_in, user):
    typed = add(app, user, "available", timedelta(minutes=3), first_name="Ada", phone="+1 202-555-0142")
    abroad = add(app, user, "unavailable", timedelta(hours=5), first_name="Alan", phone="+44 (0)20 7946 0018")
    never = add(app, user, "not_checked", first_name="Grace", phone="2025550143", email="grace@example.com")
    html = logged_in.get("/leads/").get_data(as_text=True)

    ada = row(html, typed)
    assert ada.count("(202) 555-0142") == 2  # the primary phone and "available via"
    assert "+1 202-555-0142" not in ada
    assert re.search(
        r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z" title="[\d-]+ \d\d:\d\d UTC">3 min ago</time>', ada
    )
    assert "+44 20 7946 0018" in row(html, abroad) and "5 h ago" in row(html, abroad)
    grace = row(html, never)
    assert "(202) 555-0143" in grace and "<time" not in grace
    for lead_id in (typed, abroad, never):
        assert re.search(
            r'<button type="button" class="check icon-button" aria-label="Check Availability"', row(html, lead_id)
        )


def test_a_workspace_abroad_reads_its_own_numbers_nationally(app, logged_in, user):
    with app.app_context():
        db.session.get(User, user).workspace.default_region = "GB"
        db.session.commit()
    london = add(app, user, "not_checked", first_name="Alan", phone="020 7946 0018")
    washington = add(app, user, "not_checked", first_name="Ada", phone="+1 (202) 555-0142")
    html = logged_in.get("/leads/").get_data(as_text=True)
    assert "020 7946 0018" in row(html, london)
    assert "+1 202-555-0142" in row(html, washington)


def test_a_row_sent_back_by_the_poll_is_written_the_same_way(app, logged_in, user):
    lead_id = add(app, user, "available", timedelta(minutes=12), first_name="Ada", phone="202.555.0142")
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(Lead, lead_id).workspace_id)
        assert workspace.default_region == "US"
    response = logged_in.get(f"/leads/updates?lead={lead_id}:stale", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert 'hx-swap-oob="true"' in html and "(202) 555-0142" in html and "12 min ago" in html
