"""The leads table: search, filters and sorting that survive paging; bulk checks of a selection or
of everything matching a filter; cancelling; and the page's single poll for what is running."""

import re
import time

import pytest

from extensions import db
from models import CheckBatch, Lead, User, Workspace
from services import leads as lead_store
from services.checks import all_matching
from services.queue import MARK_BATCH_JOB, check_queue


@pytest.fixture
def workspace(app, user):
    with app.app_context():
        return db.session.get(User, user).workspace_id


def add(app, workspace_id, status="not_checked", **data):
    with app.app_context():
        lead, _ = lead_store.create_lead(db.session.get(Workspace, workspace_id), data)
        lead.status = status
        db.session.commit()
        return lead.id


def rows(html):
    return re.findall(r'<tr id="lead-(\d+)" data-status="(\w+)"', html)


def ids_shown(client, url):
    return [int(i) for i, _ in rows(client.get(url).get_data(as_text=True))]


def test_search_matches_name_company_phone_and_email(app, logged_in, workspace):
    ada = add(app, workspace, first_name="Ada", last_name="Lovelace", phone="(202) 555-0142")
    grace = add(app, workspace, first_name="Grace", company="Navy", email="grace@icloud.com")
    assert ids_shown(logged_in, "/leads/?q=lovelace") == [ada]
    assert ids_shown(logged_in, "/leads/?q=navy") == [grace]
    assert ids_shown(logged_in, "/leads/?q=555-0142") == [ada]  # as typed
    assert ids_shown(logged_in, "/leads/?q=2025550142") == [ada]  # normalised
    assert ids_shown(logged_in, "/leads/?q=ICLOUD") == [grace]
    assert ids_shown(logged_in, "/leads/?q=%25") == [grace, ada]  # wildcards are plain text
    assert "No leads match." in logged_in.get("/leads/?q=nobody").get_data(as_text=True)


def test_search_reaches_alternate_addresses_and_leads_from_imports(app, logged_in, workspace):
    from services.imports.importer import LEAD_COLUMNS, _lead

    alt = add(app, workspace, first_name="Alan", alt_email2="enigma@bletchley.uk", alt_phone3="+44 20 7946 0958")
    assert ids_shown(logged_in, "/leads/?q=Enigma@") == [alt]
    assert ids_shown(logged_in, "/leads/?q=442079460958") == [alt]
    # An imported lead carries the same search text as one added by hand.
    values, _, _ = _lead(
        {"first_name": "Alan", "alt_email2": "enigma@bletchley.uk", "alt_phone3": "+44 20 7946 0958"}, "US"
    )
    with app.app_context():
        assert dict(zip(LEAD_COLUMNS, values))["search_text"] == db.session.get(Lead, alt).search_text


def test_status_filter_and_sort(app, logged_in, workspace):
    b = add(app, workspace, "available", first_name="B", phone="2025550142")
    a = add(app, workspace, "unavailable", first_name="A", phone="2025550143")
    c = add(app, workspace, "available", first_name="C", phone="2025550144")
    assert ids_shown(logged_in, "/leads/") == [c, a, b]  # newest first
    assert ids_shown(logged_in, "/leads/?sort=name") == [a, b, c]
    assert ids_shown(logged_in, "/leads/?status=available&sort=name") == [b, c]
    assert ids_shown(logged_in, "/leads/?status=bogus&sort=bogus") == [c, a, b]


def test_paging_keeps_the_filter(app, logged_in, workspace):
    app.config["LEADS_PER_PAGE"] = 2
    for n in range(5):
        add(app, workspace, "available", first_name=f"Lead {n}", phone=f"20255501{40 + n}")
    add(app, workspace, "unavailable", first_name="Other", phone="2025550199")
    html = logged_in.get("/leads/?status=available&q=lead&sort=name").get_data(as_text=True)
    assert "Page 1 of 3" in html
    next_link = re.search(r'href="([^"]*page=2[^"]*)">Next', html).group(1).replace("&amp;", "&")
    assert all(part in next_link for part in ("status=available", "q=lead", "sort=name"))
    page2 = logged_in.get(next_link).get_data(as_text=True)
    assert [s for _, s in rows(page2)] == ["available", "available"]


def test_a_broad_search_pages_on_without_counting_every_match(app, logged_in, workspace, monkeypatch):
    app.config["LEADS_PER_PAGE"] = 2
    monkeypatch.setattr(lead_store, "FEW_MATCHES", 3)
    for n in range(5):
        add(app, workspace, first_name=f"Lead {n}", phone=f"20255501{40 + n}")
    first = logged_in.get("/leads/?q=lead").get_data(as_text=True)
    assert '<small class="muted" id="lead-count">3+</small>' in first and "all 3+ leads matching" in first
    assert re.search(r"<span>Page 1</span>\s*<a [^>]*page=2[^>]*>Next", first)
    last = logged_in.get("/leads/?q=lead&page=3").get_data(as_text=True)
    assert len(rows(last)) == 1 and "Previous" in last and "Next" not in last
    narrow = logged_in.get("/leads/?q=lead 1").get_data(as_text=True)  # within the limit: counted
    assert '<small class="muted" id="lead-count">1</small>' in narrow and 'class="pager"' not in narrow


def test_bulk_check_of_selected_leads_is_one_batch(app, logged_in, workspace, demo_line):
    picked = [add(app, workspace, phone=f"20255501{40 + n}") for n in range(3)]
    untouched = add(app, workspace, phone="2025550150")
    response = logged_in.post("/leads/bulk-check", data={"lead_ids": [str(i) for i in picked]})
    assert response.status_code == 302
    with app.app_context():
        batch = db.session.scalar(db.select(CheckBatch))
        assert batch.kind == "bulk" and batch.total == 3
        assert {lead.id for lead in db.session.scalars(db.select(Lead).where(Lead.batch_id == batch.id))} == set(picked)
        assert db.session.get(Lead, untouched).status == "not_checked"
        assert check_queue().count == 3
    html = logged_in.get("/leads/").get_data(as_text=True)
    assert "0 of 3 done" in html and "min left" in html and "Cancel" in html


def test_bulk_check_of_everything_matching_reaches_past_the_page(app, logged_in, workspace, demo_line):
    app.config["LEADS_PER_PAGE"] = 2
    matching = [add(app, workspace, "unavailable", company="Acme", phone=f"20255501{40 + n}") for n in range(5)]
    add(app, workspace, "available", company="Acme", phone="2025550160")
    add(app, workspace, "unavailable", company="Other", phone="2025550161")
    logged_in.post(
        "/leads/bulk-check",
        data={"all_matching": "1", "status": "unavailable", "q": "acme", "lead_ids": [str(matching[0])]},
    )
    with app.app_context():  # a few leads are marked by the request: the page shows the batch at once
        checking = db.session.scalars(db.select(Lead.id).where(Lead.status == "checking")).all()
        assert sorted(checking) == matching


def test_check_all_matching_leaves_marking_and_queueing_to_a_worker(
    app, logged_in, workspace, demo_line, run_worker, monkeypatch
):
    # Everything matching may be a million leads: past a few thousand (here none), the request
    # queues one job; a worker marks them and queues their checks.
    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 0)
    leads = [add(app, workspace, phone=f"20255501{40 + n}") for n in range(3)]
    response = logged_in.post("/leads/bulk-check", data={"all_matching": "1"}, follow_redirects=True)
    assert "they turn Checking in a moment" in response.get_data(as_text=True)
    with app.app_context():
        assert [job.func_name for job in check_queue().get_jobs()] == [MARK_BATCH_JOB]
        assert {lead.status for lead in db.session.scalars(db.select(Lead))} == {"not_checked"}
    run_worker()
    with app.app_context():
        batch = db.session.scalar(db.select(CheckBatch))
        assert batch.total == 3 and batch.queued_at is not None
        assert sorted(db.session.scalars(db.select(Lead.id).where(Lead.batch_id == batch.id))) == leads
        assert {lead.status for lead in db.session.scalars(db.select(Lead))} <= {"available", "unavailable"}


def test_check_all_matching_cancelled_before_a_worker_marks_nothing(
    app, logged_in, workspace, demo_line, run_worker, monkeypatch
):
    monkeypatch.setattr(all_matching, "MARKED_IN_THE_REQUEST", 0)
    add(app, workspace, phone="2025550142")
    logged_in.post("/leads/bulk-check", data={"all_matching": "1"})
    with app.app_context():
        batch_id = db.session.scalar(db.select(CheckBatch.id))
    logged_in.post(f"/leads/batches/{batch_id}/cancel")
    run_worker()
    with app.app_context():
        assert {(lead.status, lead.batch_id) for lead in db.session.scalars(db.select(Lead))} == {("not_checked", None)}


def test_bulk_check_with_nothing_selected_says_so(app, logged_in, demo_line):
    response = logged_in.post("/leads/bulk-check", data={}, follow_redirects=True)
    assert "Select the leads to check first." in response.get_data(as_text=True)


def test_bulk_check_without_a_line_marks_no_active_line(app, logged_in, workspace):
    lead = add(app, workspace, phone="2025550142")
    response = logged_in.post("/leads/bulk-check", data={"lead_ids": [str(lead)]}, follow_redirects=True)
    assert "No active line" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Lead, lead).status == "no_active_line"


def test_cancel_puts_waiting_leads_back_as_they_were(app, logged_in, workspace, demo_line):
    was_available = add(app, workspace, "available", phone="2025550142")
    never_checked = add(app, workspace, phone="2025550143")
    logged_in.post("/leads/bulk-check", data={"lead_ids": [str(was_available), str(never_checked)]})
    with app.app_context():
        batch_id = db.session.scalar(db.select(CheckBatch.id))
        assert len(check_queue().get_jobs()) == 2
    response = logged_in.post(f"/leads/batches/{batch_id}/cancel", follow_redirects=True)
    assert "2 leads were not checked" in response.get_data(as_text=True)
    with app.app_context():
        assert check_queue().get_jobs() == []  # the next checks asked for don't wait behind them
        assert db.session.get(Lead, was_available).status == "available"
        assert db.session.get(Lead, never_checked).status == "not_checked"
        assert db.session.get(CheckBatch, batch_id).cancelled_at is not None
    assert f'id="batch-{batch_id}"' not in logged_in.get("/leads/").get_data(as_text=True)


def test_the_page_poll_sends_only_changed_rows_and_stops_when_nothing_runs(app, logged_in, workspace, demo_line):
    first, second = add(app, workspace, phone="2025550142"), add(app, workspace, phone="2025550143")
    logged_in.post("/leads/bulk-check", data={"lead_ids": [str(first), str(second)]})
    page = logged_in.get("/leads/").get_data(as_text=True)
    watched = dict(re.findall(r'data-watch name="lead" value="(\d+):(\w+)"', page))
    batch = re.search(r'data-watch name="batch" value="(\d+)"', page).group(1)
    assert set(watched) == {str(first), str(second)}
    query = [("lead", f"{i}:{s}") for i, s in watched.items()] + [("batch", batch)]

    response = logged_in.get("/leads/updates", query_string=query)
    assert response.status_code == 200 and rows(response.get_data(as_text=True)) == []
    assert f'id="batch-{batch}" hx-swap-oob="true"' in response.get_data(as_text=True)

    with app.app_context():  # a worker answers the first lead
        db.session.get(Lead, first).status = "available"
        db.session.commit()
    response = logged_in.get("/leads/updates", query_string=query)
    assert response.status_code == 200
    assert rows(response.get_data(as_text=True)) == [(str(first), "available")]
    assert "1 of 2 done" in response.get_data(as_text=True)

    with app.app_context():
        db.session.get(Lead, second).status = "unavailable"
        db.session.commit()
    response = logged_in.get("/leads/updates", query_string=query)
    assert response.status_code == 286  # htmx stops polling
    assert "2 of 2 done" in response.get_data(as_text=True)
    assert logged_in.get("/leads/updates").status_code == 286


def test_the_page_poll_ignores_another_workspaces_leads(app, logged_in, workspace):
    from cli import create_user

    with app.app_context():
        stranger = create_user("eve@example.com", "another long password").workspace_id
    theirs = add(app, stranger, "checking", phone="2025550142")
    response = logged_in.get("/leads/updates", query_string={"lead": f"{theirs}:x"})
    assert response.status_code == 286 and rows(response.get_data(as_text=True)) == []


def test_when_every_line_has_used_its_daily_cap_the_eta_says_so(app, logged_in, workspace, demo_line):
    from models import Line
    from services.lines import capped_today, pacer

    with app.app_context():
        line = db.session.get(Line, demo_line)
        line.daily_cap = 2
        db.session.commit()
        while line.id not in capped_today([line]):  # spend today's calls, at the line's pace
            time.sleep(pacer(line).try_acquire())
        assert pacer(line).try_acquire() > 0  # capped until 00:00 UTC
    lead = add(app, workspace, phone="2025550142")
    logged_in.post("/leads/bulk-check", data={"lead_ids": [str(lead)]})
    html = logged_in.get("/leads/").get_data(as_text=True)
    assert "Every line has reached its daily cap: the rest waits for 00:00 UTC" in html


def test_the_eta_counts_only_the_lines_with_calls_left_today(app, logged_in, workspace, demo_line):
    """A fast line that has used its daily cap adds nothing to the pace; a slow one with calls left
    sets it (30 leads at 6 a minute: about 5 minutes, not the few seconds both would take)."""
    from models import Line
    from services import line_admin
    from services.lines import capped_today, pacer

    with app.app_context():
        fast = db.session.get(Line, demo_line)
        fast.daily_cap, fast.rate_per_minute = 1, 600
        db.session.commit()
        while fast.id not in capped_today([fast]):
            time.sleep(pacer(fast).try_acquire())
        line_admin.add_line(workspace, name="Slow", provider="demo", url=fast.url, secret="demo-key", rate_per_minute=6)
    leads = [add(app, workspace, phone=f"20255501{n:02d}") for n in range(30)]
    logged_in.post("/leads/bulk-check", data={"lead_ids": [str(lead) for lead in leads]})
    html = logged_in.get("/leads/").get_data(as_text=True)
    assert "About 5 min left at the lines' pace" in html
