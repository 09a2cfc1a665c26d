"""Lines tell the truth: saving or switching on a line tests it at once, and only a line that
answers is Active; any other line is Unhealthy, with the reason on the Lines page."""

from extensions import db
from models import Line
from support import flask_command, free_port


def save(client, data: dict, line_id: int | None = None) -> str:
    """Post the Lines form (new, or edit `line_id`); the page it lands on."""
    url = f"/lines/{line_id}/edit" if line_id else "/lines/new"
    form = {"name": "Mac", "provider": "demo", "rate_per_minute": 60, **data}
    return client.post(url, data=form, follow_redirects=True).get_data(as_text=True)


def line_named(name: str) -> Line:
    return db.session.scalar(db.select(Line).where(Line.name == name))


def test_saving_and_switching_on_a_line_test_it(app, logged_in, demo_server):
    page = save(logged_in, {"name": "Dead", "provider": "bluebubbles", "url": f"http://127.0.0.1:{free_port()}"})
    assert "its test failed: could not connect to the line" in page and "Unhealthy" in page
    page = save(logged_in, {"name": "Demo", "url": demo_server.url, "secret": "demo-key"})
    assert "“Demo” added: it answered a test and is active" in page
    with app.app_context():
        assert line_named("Dead").status == "unhealthy" and line_named("Demo").status == "active"
        demo = line_named("Demo").id

    # A wrong key: the line says so at once, and stays out of use however often it is switched on.
    page = save(logged_in, {"name": "Demo", "url": demo_server.url, "secret": "wrong"}, demo)
    assert "its test failed: authentication failed: Unauthorized" in page
    logged_in.post(f"/lines/{demo}/deactivate")
    page = logged_in.post(f"/lines/{demo}/activate", follow_redirects=True).get_data(as_text=True)
    assert "switched on, but its test failed: authentication failed: Unauthorized" in page
    with app.app_context():
        assert (
            line_named("Demo").status == "unhealthy"
            and "invalid authentication token" in line_named("Demo").health_reason
        )

    page = save(logged_in, {"name": "Demo", "url": demo_server.url, "secret": "demo-key"}, demo)
    assert (
        "“Demo” saved: it answered a test and is active" in page and "Problem" not in page.split(f'id="line-{demo}"')[1]
    )
    with app.app_context():
        assert line_named("Demo").status == "active"


def test_the_test_on_saving_keeps_the_ssrf_guard(app, logged_in, faulty):
    app.config["LINE_ALLOW_PRIVATE_NETWORKS"] = False
    page = save(logged_in, {"name": "Inside", "provider": "bluebubbles", "url": faulty.url, "secret": "x"})
    assert "its test failed" in page and "private" in page.lower()
    assert faulty.calls == []
    with app.app_context():
        assert line_named("Inside").status == "unhealthy"


def test_the_cli_tests_the_line_it_adds(app, user, demo_server):
    args = ["add-line", "ada@example.com", "--provider", "demo", "--url", demo_server.url]
    added = flask_command(*args, "--name", "Good", "--secret", "demo-key")
    refused = flask_command(*args, "--name", "Bad", "--secret", "wrong")
    assert added.returncode == refused.returncode == 0
    assert "(active)" in added.stdout and not added.stderr.strip()
    assert "(unhealthy)" in refused.stdout and "test failed: authentication failed: Unauthorized" in refused.stderr
    with app.app_context():
        assert (line_named("Good").status, line_named("Bad").status) == ("active", "unhealthy")
