"""Quick Send over real HTTP to the demo line: the icon's states, reused answers, sending, and the
lead's log."""

import re
import threading
import time

import pytest

from extensions import db
from models import Lead, Line, SentMessage, User
from services import leads as lead_store

pytestmark = pytest.mark.integration


def icon(client, typed):
    html = client.post("/leads/quick-send/check", data={"recipient": typed}).get_data(as_text=True)
    return re.search(r'data-state="(\w+)"', html).group(1), html


def test_the_icon_shows_the_lines_answer(logged_in, demo_line, demo_server):
    assert icon(logged_in, "(202) 555-0142")[0] == "available"
    state, html = icon(logged_in, "202 555 0143")
    assert state == "unavailable" and "will send as SMS" in html
    state, html = icon(logged_in, "bob@gmail.com")
    assert state == "unavailable" and "send an email instead" in html
    assert icon(logged_in, "  ")[0] == "empty"
    assert demo_server.stats["calls"] == 3
    assert icon(logged_in, "+1 202 555 0142")[0] == "available"  # a fresh answer: no call
    assert demo_server.stats["calls"] == 3


def test_an_invalid_address_is_refused_without_a_line_call(logged_in, demo_line, demo_server):
    for typed in ("hello", "555-1234", "bob@", "+999 1"):
        state, html = icon(logged_in, typed)
        assert state == "invalid" and "Not a valid phone number or email" in html
    assert demo_server.stats["calls"] == 0


def test_no_active_line_and_errors_have_their_own_states(logged_in, demo_line, demo_server):
    demo_server.error_rate = 1.0
    assert icon(logged_in, "2025550142")[0] == "error"
    logged_in.post(f"/lines/{demo_line}/deactivate")
    state, html = icon(logged_in, "2025550142")
    assert state == "no_active_line" and "Configure a line" in html


def test_a_line_at_its_pace_keeps_the_spinner_and_asks_again(app, logged_in, demo_line):
    with app.app_context():
        db.session.get(Line, demo_line).rate_per_minute = 1
        db.session.commit()
    assert icon(logged_in, "2025550142")[0] == "available"
    state, html = icon(logged_in, "2025550144")
    assert state == "checking" and re.search(r'hx-trigger="load delay:(5\d|60)s"', html)


def test_send_creates_the_lead_and_logs_the_message(app, logged_in, demo_line, demo_server):
    response = logged_in.post("/leads/quick-send/", data={"recipient": "(202) 555-0142", "message": "Hello!"})
    assert response.status_code == 302
    assert demo_server.sent == [{"to": ["+12025550142"], "text": "Hello!", "chat_id": "demo-chat-1"}]
    with app.app_context():
        lead = db.session.scalar(db.select(Lead))
        assert lead.phone_norm == "+12025550142" and response.headers["Location"] == f"/leads/{lead.id}"
        entry = db.session.scalar(db.select(SentMessage))
        assert (entry.lead_id, entry.channel, entry.sent, entry.line_name) == (lead.id, "imessage", True, "Demo")
    page = logged_in.get(f"/leads/{lead.id}").get_data(as_text=True)
    assert "Messages sent" in page and "iMessage" in page and ">Sent<" in page and "Demo" in page


def test_send_finds_the_lead_that_has_the_address(app, logged_in, user, demo_line, demo_server):
    with app.app_context():
        lead_id = lead_store.create_lead(
            db.session.get(User, user).workspace,
            {"first_name": "Ada", "phone": "2025550143", "alt_phone2": "2025550147"},
        )[0].id
    logged_in.post("/leads/quick-send/", data={"recipient": "+1 202-555-0147", "message": "Hi Ada"})
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Lead.id))) == 1
        entry = db.session.scalar(db.select(SentMessage))
        assert (entry.lead_id, entry.channel) == (lead_id, "sms")


def test_what_cannot_be_sent_is_explained_and_the_typed_message_stays(app, logged_in, demo_line, demo_server):
    for data, words in (
        ({"recipient": "bob@gmail.com", "message": "Hi <Bob> & co"}, "email it instead"),
        ({"recipient": "hello", "message": "Hi <Bob> & co"}, "Not a valid"),
        ({"recipient": "2025550142", "message": "  "}, "Write a message"),
    ):
        response = logged_in.post("/leads/quick-send/", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and words in page
        assert f'value="{data["recipient"]}"' in page
        if data["message"].strip():
            assert ">Hi &lt;Bob&gt; &amp; co</textarea>" in page
    assert demo_server.sent == []
    # After "email it instead", Send is disabled and says why.
    page = logged_in.post("/leads/quick-send/", data={"recipient": "bob@gmail.com", "message": "Hi"})
    assert re.search(r'<button type="submit" id="send" class="primary" disabled', page.get_data(as_text=True))


def test_the_icon_says_what_send_will_do(logged_in, demo_line):
    def plan(typed):
        html = icon(logged_in, typed)[1]
        return re.search(r'data-send-label="([^"]*)" data-send-blocked="([^"]*)"', html).groups()

    assert plan("2025550142") == ("Send iMessage", "")
    assert plan("2025550143") == ("Send SMS", "")
    label, blocked = plan("bob@gmail.com")
    assert label == "Send" and "can&#39;t get an SMS: email it instead" in blocked
    assert plan("hello") == ("Send", "")


def hold_the_address(app, user, address, seconds, answer):
    """Another check asking about `address` for `seconds` (it holds the in-flight mark), ending
    with `answer` ("available") or without one (None)."""
    from availability.in_flight import InFlight
    from extensions import redis_connection
    from models import AddressResult

    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        mark = InFlight(redis_connection(), workspace_id, address)
        assert mark.take(30)

    def finish():
        time.sleep(seconds)
        with app.app_context():
            if answer:
                db.session.add(AddressResult(workspace_id=workspace_id, address=address, result=answer))
                db.session.commit()
            mark.release()

    thread = threading.Thread(target=finish)
    thread.start()
    return thread


@pytest.mark.parametrize("answer", ["available", None])
def test_send_while_a_check_of_the_address_runs_waits_for_it(app, logged_in, user, demo_line, demo_server, answer):
    """The icon's check still asking when Send is pressed, longer than a worker would wait (2 s):
    Send waits for its answer; if it ends without one, Send asks the line itself."""
    thread = hold_the_address(app, user, "+12025550142", 2.5 if answer else 0.5, answer)
    response = logged_in.post("/leads/quick-send/", data={"recipient": "2025550142", "message": "Hi"})
    thread.join()
    assert response.status_code == 302, response.get_data(as_text=True)
    assert demo_server.stats["calls"] == (0 if answer else 1)
    assert [m["text"] for m in demo_server.sent] == ["Hi"]


def test_a_send_the_line_refuses_is_logged_as_not_sent(app, logged_in, demo_line, demo_server):
    assert icon(logged_in, "2025550142")[0] == "available"  # answered while the key was right
    demo_server.api_key = "rotated"
    response = logged_in.post(
        "/leads/quick-send/", data={"recipient": "2025550142", "message": "Hi"}, follow_redirects=True
    )
    assert "Not sent: the line refused our credentials" in response.get_data(as_text=True)
    with app.app_context():
        entry = db.session.scalar(db.select(SentMessage))
        assert entry.sent is False and "credentials" in entry.detail
