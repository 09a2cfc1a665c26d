"""The Lines page: add, edit, switch on and off, delete, and test a line against a real server."""

from extensions import db
from models import Line


def only_line():
    return db.session.scalar(db.select(Line))


def test_adding_a_line_encrypts_its_secret_and_never_shows_it_again(app, logged_in):
    response = logged_in.post(
        "/lines/new",
        data={
            "name": "Office Mac",
            "provider": "bluebubbles",
            "url": "http://127.0.0.1:1234/",
            "secret": "hunter2-password",
            "rate_per_minute": 5,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        line = only_line()
        # Nothing answers there: saved, tested, and Unhealthy (tests/web/test_line_verdicts.py).
        assert line.status == "unhealthy" and line.url == "http://127.0.0.1:1234"
        assert "hunter2" not in line.secret_encrypted
        assert app.extensions["secrets_box"].decrypt(line.secret_encrypted) == "hunter2-password"
        line_id = line.id
    for page in (f"/lines/{line_id}/edit", "/lines/"):
        assert "hunter2" not in logged_in.get(page).get_data(as_text=True)


def test_editing_with_a_blank_secret_keeps_the_stored_one(app, logged_in, demo_line):
    response = logged_in.post(
        f"/lines/{demo_line}/edit",
        data={
            "name": "Renamed",
            "provider": "demo",
            "url": "http://127.0.0.1:9/api/partner/v3",
            "secret": "",
            "rate_per_minute": 30,
            "daily_cap": 70,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        line = only_line()
        assert (line.name, line.rate_per_minute, line.daily_cap) == ("Renamed", 30, 70)
        assert app.extensions["secrets_box"].decrypt(line.secret_encrypted) == "demo-key"


def test_a_line_url_must_be_http(logged_in):
    response = logged_in.post(
        "/lines/new",
        data={
            "name": "Bad",
            "provider": "linq",
            "url": "file:///etc/passwd",
            "rate_per_minute": 6,
        },
    )
    assert response.status_code == 200 and "http:// or https://" in response.get_data(as_text=True)


def test_deactivating_the_only_line_brings_the_banner_back(app, logged_in, demo_line):
    assert "No active line" not in logged_in.get("/leads/").get_data(as_text=True)
    logged_in.post(f"/lines/{demo_line}/deactivate")
    assert "No active line" in logged_in.get("/leads/").get_data(as_text=True)
    logged_in.post(f"/lines/{demo_line}/activate")
    with app.app_context():
        assert only_line().status == "active"


def test_deleting_a_line(app, logged_in, demo_line):
    logged_in.post(f"/lines/{demo_line}/delete")
    with app.app_context():
        assert only_line() is None


def test_test_connection_shows_the_lines_answer(logged_in, demo_line, demo_server):
    html = logged_in.post(f"/lines/{demo_line}/test", data={"address": "(202) 555-0142"}).get_data(as_text=True)
    assert "+12025550142 is on iMessage" in html
    html = logged_in.post(f"/lines/{demo_line}/test", data={"address": "ada@gmail.com"}).get_data(as_text=True)
    assert "not on iMessage" in html
    assert demo_server.stats["calls"] == 2


def test_test_connection_maps_an_auth_failure_and_marks_the_line_unhealthy(app, logged_in, demo_line):
    from services import line_admin

    with app.app_context():
        line = only_line()
        line_admin.update_line(
            line,
            name="x",
            provider="demo",
            url=line.url,
            secret="wrong",
            sender=None,
            rate_per_minute=6,
            daily_cap=None,
        )
    html = logged_in.post(f"/lines/{demo_line}/test", data={}).get_data(as_text=True)
    assert "not working" in html
    with app.app_context():
        assert only_line().status == "unhealthy"


def test_test_connection_to_a_dead_server_says_it_could_not_answer(app, logged_in, demo_line):
    with app.app_context():
        # The server goes away after the line was saved (saving it now would find it Unhealthy).
        only_line().url = "http://127.0.0.1:9/api/partner/v3"
        db.session.commit()
    html = logged_in.post(f"/lines/{demo_line}/test", data={}).get_data(as_text=True)
    assert "could not answer" in html
    with app.app_context():
        assert only_line().status == "active"  # could not tell is not a verdict on the line


def test_another_workspace_cannot_see_or_touch_a_line(app, client, demo_line):
    from cli import create_user

    with app.app_context():
        create_user("eve@example.com", "eve-password-123")
    client.post("/login", data={"email": "eve@example.com", "password": "eve-password-123"})
    for method, url in [
        ("get", f"/lines/{demo_line}/edit"),
        ("post", f"/lines/{demo_line}/delete"),
        ("post", f"/lines/{demo_line}/test"),
        ("post", f"/lines/{demo_line}/deactivate"),
    ]:
        assert getattr(client, method)(url).status_code == 404
    assert "Demo" not in client.get("/lines/").get_data(as_text=True)
