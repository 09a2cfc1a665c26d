"""Spending line calls well: answers reused, 429s honoured by every worker, every healthy line used."""

import pytest

from extensions import db
from models import AddressResult, Lead, Line, User, Workspace
from services import line_admin

pytestmark = pytest.mark.integration


def add_lead(client, **fields):
    assert client.post("/leads/", data=fields).status_code == 302
    return db.session.scalar(db.select(Lead).order_by(Lead.id.desc())).id


def workspace_of(user_id):
    return db.session.get(User, user_id).workspace_id


def test_an_answer_is_reused_instead_of_asking_again(app, logged_in, demo_line, demo_server, run_worker):
    with app.app_context():
        first = add_lead(logged_in, phone="202-555-0143", email="shared@icloud.com")
        run_worker()
        second = add_lead(logged_in, first_name="Same household", email="shared@icloud.com")
        run_worker()
        assert db.session.get(Lead, second).status == "available"
        assert db.session.get(Lead, first).status == "available"
    assert demo_server.stats["calls"] == 2  # the phone and the email, once each


def test_old_answers_expire_and_could_not_tell_is_never_kept(app, logged_in, demo_line, demo_server, run_worker):
    with app.app_context():
        add_lead(logged_in, phone="202-555-0143")
        run_worker(CACHE_UNAVAILABLE_DAYS="0")
        add_lead(logged_in, phone="202-555-0143")
        run_worker(CACHE_UNAVAILABLE_DAYS="0")
        assert demo_server.stats["calls"] == 2  # expired at once: asked again
        demo_server.error_rate = 1.0
        add_lead(logged_in, email="nobody@gmail.com")
        run_worker(CHECK_RETRY_DELAYS="")
        rows = {r.address: r.result for r in db.session.scalars(db.select(AddressResult))}
        assert rows == {"+12025550143": "unavailable"}


def test_the_check_button_asks_the_line_again(app, logged_in, demo_line, demo_server, run_worker):
    with app.app_context():
        lead = add_lead(logged_in, phone="2025550142")
        run_worker()
        logged_in.post(f"/leads/{lead}/check")
        run_worker()
    assert demo_server.stats["calls"] == 2


def test_a_429_pauses_the_line_for_every_later_check(app, logged_in, demo_line, demo_server, run_worker):
    from services.lines import pacer

    demo_server.rate_per_minute = 1
    with app.app_context():
        add_lead(logged_in, phone="2025550143")
        add_lead(logged_in, phone="2025550145")
        add_lead(logged_in, phone="2025550147")
        run_worker()
        # One answer, one 429; the third lead never reached the paused line.
        assert demo_server.stats["calls"] == 2 and demo_server.stats["rate_limited"] == 1
        statuses = sorted(lead.status for lead in db.session.scalars(db.select(Lead)))
        assert statuses == ["checking", "checking", "unavailable"]
        wait = pacer(db.session.get(Line, demo_line)).try_acquire()
        assert 50 < wait <= 60  # the demo line's retry_after, for everyone


def test_work_moves_to_the_lines_that_can_take_it(app, logged_in, user, demo_line, run_worker):
    from demo_line import DemoLineServer

    with DemoLineServer(api_key="other") as other, app.app_context():
        broken = db.session.get(Line, demo_line)
        line_admin.update_line(
            broken,
            name="Broken",
            provider="demo",
            url=broken.url,
            secret="wrong",
            sender=None,
            rate_per_minute=120,
            daily_cap=None,
        )
        line_admin.add_line(
            workspace_of(user), name="Good", provider="demo", url=other.url, secret="other", rate_per_minute=120
        )
        lead = add_lead(logged_in, phone="2025550142")
        run_worker()
        assert db.session.get(Lead, lead).status == "available"
        assert db.session.get(Line, demo_line).status == "unhealthy"
        assert other.stats["answered"] == 1


def test_an_answer_given_while_taking_the_address_is_used_not_asked_again(
    app, user, demo_line, demo_server, monkeypatch
):
    """Another check of the same address answers and lets go of it between this check's look at
    the stored answers and its taking the address: this check uses that answer, no second call."""
    from services.checks import address as address_checks

    with app.app_context():
        workspace_id = workspace_of(user)
        redis = address_checks.redis_connection()

        class OtherCheckFinishesFirst:
            """The real Redis; the other check's answer lands just before the address is taken."""

            def set(self, key, *args, **kwargs):
                db.session.add(
                    AddressResult(
                        workspace_id=workspace_id, address="+12025550143", result="available", line_id=demo_line
                    )
                )
                db.session.commit()
                return redis.set(key, *args, **kwargs)

            def __getattr__(self, name):
                return getattr(redis, name)

        monkeypatch.setattr(address_checks, "redis_connection", OtherCheckFinishesFirst)
        workspace = db.session.get(Workspace, workspace_id)
        checker = address_checks.AddressChecker(workspace, [db.session.get(Line, demo_line)])
        answer = checker.ask("+12025550143")
    assert answer.outcome.value == "available"
    assert demo_server.stats["calls"] == 0
