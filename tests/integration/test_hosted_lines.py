"""Sendblue and Blooio lines on every path a line is used on, over real HTTP to loopback stand-ins
(tests/hosted_lines.py): the Lines page and the CLI, Test connection, checks at the line's pace,
429, health, and Quick Send, whose sends a Sendblue line's new-contact cap pauses (not its checks)."""

import re

import pytest

from extensions import db
from hosted_lines import BLOOIO_KEY, KEY_ID, SECRET, HostedLine
from models import Line, SentMessage
from support import flask_command

pytestmark = pytest.mark.integration


@pytest.fixture
def sendblue():
    server = HostedLine("sendblue")
    yield server
    server.stop()


@pytest.fixture
def blooio():
    server = HostedLine("blooio")
    yield server
    server.stop()


def add(client, name, provider, url, secret, **extra):
    form = {"name": name, "provider": provider, "url": url, "secret": secret, **extra}
    return client.post("/lines/new", data=form, follow_redirects=True)


def line_named(name) -> Line:
    return db.session.scalar(db.select(Line).where(Line.name == name))


def icon(client, typed):
    html = client.post("/leads/quick-send/check", data={"recipient": typed}).get_data(as_text=True)
    return re.search(r'data-state="(\w+)"', html).group(1)


def test_lines_page_adds_both_with_their_keys_and_default_paces(app, logged_in, sendblue, blooio):
    page = add(logged_in, "SB", "sendblue", sendblue.url, f"{KEY_ID}:{SECRET}").get_data(as_text=True)
    assert "answered a test and is active" in page
    add(logged_in, "Bl", "blooio", blooio.url, BLOOIO_KEY)
    assert len(sendblue.checks) == len(blooio.checks) == 1  # the test each save makes
    page = logged_in.get("/lines/").get_data(as_text=True)
    assert "Sendblue" in page and "30 checks/hour, at most 100/day" in page
    assert "Blooio" in page and "6 checks/min" in page and SECRET not in page and BLOOIO_KEY not in page
    with app.app_context():
        sb, bl = line_named("SB"), line_named("Bl")
        assert (sb.status, sb.rate_per_minute, sb.daily_cap) == ("active", 0.5, 100)
        assert (bl.status, bl.rate_per_minute, bl.daily_cap) == ("active", 6, None)
        assert SECRET not in sb.secret_encrypted
        assert app.extensions["secrets_box"].decrypt(sb.secret_encrypted) == f"{KEY_ID}:{SECRET}"
    # The edit form shows the fractional pace as it is, never the keys.
    edit = logged_in.get(f"/lines/{sb.id}/edit").get_data(as_text=True)
    assert 'value="0.5"' in edit and SECRET not in edit


def test_a_sendblue_key_without_its_secret_is_refused_with_the_reason(app, logged_in, sendblue):
    response = add(logged_in, "SB", "sendblue", sendblue.url, "only-the-key-id")
    assert response.status_code == 200 and "as KEY_ID:SECRET" in response.get_data(as_text=True)
    with app.app_context():
        assert line_named("SB") is None
    assert sendblue.checks == []


def test_wrong_keys_leave_the_line_unhealthy_and_test_connection_says_so(app, logged_in, sendblue, blooio):
    page = add(logged_in, "SB", "sendblue", sendblue.url, f"{KEY_ID}:wrong").get_data(as_text=True)
    assert "test failed" in page and "Invalid API credentials" in page
    add(logged_in, "Bl", "blooio", blooio.url, "wrong")
    with app.app_context():
        assert (line_named("SB").status, line_named("Bl").status) == ("unhealthy", "unhealthy")
        bl = line_named("Bl").id
        line_named("Bl").secret_encrypted = app.extensions["secrets_box"].encrypt(BLOOIO_KEY)
        db.session.commit()
    # Test connection with the right key heals it; the answer is the line's.
    answer = logged_in.post(f"/lines/{bl}/test", data={"address": "+1 202 555 0143"}).get_data(as_text=True)
    assert "The line answered: +12025550143 is not on iMessage." in answer
    with app.app_context():
        assert line_named("Bl").status == "active"


def test_checks_go_at_the_lines_pace_and_a_429_pauses_only_that_line(app, logged_in, sendblue, blooio):
    add(logged_in, "SB", "sendblue", sendblue.url, f"{KEY_ID}:{SECRET}")
    # 30 an hour: one check, then the next waits two minutes (the save's test is not paced).
    assert icon(logged_in, "2025550143") == "unavailable" and len(sendblue.checks) == 2
    assert icon(logged_in, "2025550142") == "checking" and len(sendblue.checks) == 2
    add(logged_in, "Bl", "blooio", blooio.url, BLOOIO_KEY, rate_per_minute="60")
    assert icon(logged_in, "2025550142") == "available" and blooio.checks[-1] == "+12025550142"
    assert icon(logged_in, "ada@gmail.com") == "unavailable"
    blooio.rate_limited = True
    calls = blooio.requests
    assert icon(logged_in, "2025550144") == "checking" and blooio.requests == calls + 1
    page = logged_in.get("/lines/").get_data(as_text=True)
    assert page.count("the line said 429") == 1  # Blooio's pause, for every worker
    assert icon(logged_in, "2025550146") == "checking" and blooio.requests == calls + 1
    assert sendblue.requests == 2  # at its own pace all along: no call since its one check


def test_the_new_contact_cap_pauses_sends_not_checks(app, logged_in, sendblue, blooio):
    add(logged_in, "SB", "sendblue", sendblue.url, f"{KEY_ID}:{SECRET}", rate_per_minute="60")
    add(logged_in, "Bl", "blooio", blooio.url, BLOOIO_KEY, rate_per_minute="60")
    logged_in.post("/leads/quick-send/", data={"recipient": "2025550142", "message": "Hello"})
    assert sendblue.sent == [{"to": "+12025550142", "text": "Hello"}] and blooio.sent == []

    sendblue.cap_reached = True
    logged_in.post("/leads/quick-send/", data={"recipient": "2025550144", "message": "Hi"})
    assert blooio.sent == [{"to": "+12025550144", "text": "Hi"}]  # the next line took it
    with app.app_context():
        last = db.session.scalar(db.select(SentMessage).order_by(SentMessage.id.desc()))
        assert (last.sent, last.line_name) == (True, "Bl")
        sb_id, bl_id = line_named("SB").id, line_named("Bl").id
    assert "Sends paused" in logged_in.get("/lines/").get_data(as_text=True)

    # Checks still go through the Sendblue line: its sends are paused, not its lookups.
    logged_in.post(f"/lines/{bl_id}/deactivate")
    calls = len(sendblue.checks)
    assert icon(logged_in, "2025550146") == "available" and len(sendblue.checks) == calls + 1
    # With no line left to send, Quick Send says so and calls no line.
    response = logged_in.post("/leads/quick-send/", data={"recipient": "2025550148", "message": "Hey"})
    assert response.status_code == 422 and "cap on new contacts" in response.get_data(as_text=True)
    assert len(sendblue.checks) == calls + 1 and len(sendblue.sent) == 1
    with app.app_context():
        assert line_named("SB").status == "active" and sb_id


def test_the_cli_adds_sendblue_and_blooio_lines(app, user, sendblue, blooio):
    args = ["add-line", "ada@example.com", "--provider"]
    sb = flask_command(*args, "sendblue", "--url", sendblue.url, "--name", "SB", "--secret", f"{KEY_ID}:{SECRET}")
    bl = flask_command(*args, "blooio", "--url", blooio.url, "--name", "Bl", "--secret", BLOOIO_KEY)
    bad = flask_command(*args, "sendblue", "--url", sendblue.url, "--name", "Bad", "--secret", KEY_ID)
    assert sb.returncode == bl.returncode == 0 and "(active)" in sb.stdout and "(active)" in bl.stdout
    assert bad.returncode == 2 and "KEY_ID:SECRET" in bad.stderr
    with app.app_context():
        assert (line_named("SB").rate_per_minute, line_named("SB").daily_cap) == (0.5, 100)
        assert line_named("Bad") is None
