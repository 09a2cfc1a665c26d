"""The top bar marks the page you are on, every page's title names it, and the error pages (404,
500) keep the app's layout and a way back, while the API's stay JSON."""

import re

import pytest
from sqlalchemy import text

from extensions import db
from models import User, Workspace
from services import leads as lead_store

# (path, the nav link marked current, the title's start)
PAGES = [
    ("/leads/", "Leads", "Leads"),
    ("/leads/import/", "Import", "Import leads"),
    ("/leads/quick-send/", "Quick Send", "Quick Send"),
    ("/lines/", "Lines", "Lines"),
    ("/operations/", "Operations", "Operations"),
    ("/settings/", "Settings", "Settings"),
    ("/settings/team/", "Settings", "Team"),
    ("/settings/tokens/", "Settings", "API tokens"),
    ("/settings/webhooks/", "Settings", "Webhooks"),
]


def nav_links(html: str) -> list[tuple[str, bool]]:
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    return [(label, "aria-current" in attrs) for attrs, label in re.findall(r"<a ([^>]*)>([^<]*)</a>", nav)]


def title(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


@pytest.fixture
def lead(app, user):
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        return lead_store.create_lead(
            workspace, {"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com"}
        )[0].id


def test_every_page_marks_its_one_nav_link_and_names_itself(logged_in, lead):
    for path, current, page in [*PAGES, (f"/leads/{lead}", "Leads", "Grace Hopper")]:
        response = logged_in.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        links = nav_links(html)
        assert [label for label, _ in links] == ["Leads", "Import", "Quick Send", "Lines", "Operations", "Settings"]
        assert [label for label, marked in links if marked] == [current], path
        assert title(html) == f"{page} · Blue Bubble Check", path
        # The account menu: who is signed in, the password page, both ways out.
        assert '<details class="account">' in html and "ada@example.com" in html
        assert all(action in html for action in ('action="/logout"', 'action="/logout/everywhere"'))
    # The favicon, linked from the layout and at the address browsers ask for unprompted.
    assert 'rel="icon" href="/static/favicon.svg"' in html
    favicon = logged_in.get("/favicon.ico", follow_redirects=True)
    assert favicon.status_code == 200 and favicon.mimetype == "image/svg+xml"


def test_an_unknown_page_is_a_404_in_the_layout_and_the_api_stays_json(logged_in):
    response = logged_in.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and title(html) == "Page not found · Blue Bubble Check"
    assert '<nav aria-label="Main">' in html and 'href="/leads/">Back to Leads</a>' in html
    api = logged_in.get("/api/nope")
    assert api.status_code == 404 and api.json == {"success": False, "error": "Not found", "code": 404}


def test_a_failing_page_is_a_500_in_the_layout_even_with_a_broken_session(app, logged_in, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken():
        # A failed statement: on PostgreSQL the transaction is aborted until rolled back.
        db.session.execute(text("SELECT * FROM no_such_table"))

    monkeypatch.setitem(app.view_functions, "operations.index", broken)
    response = logged_in.get("/operations/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and title(html) == "Something went wrong · Blue Bubble Check"
    assert 'href="/leads/">Back to Leads</a>' in html
    endpoint, _ = app.url_map.bind("localhost").match("/api/openapi.json")
    monkeypatch.setitem(app.view_functions, endpoint, broken)
    api = logged_in.get("/api/openapi.json")
    assert api.status_code == 500 and api.json == {"success": False, "error": "Internal error", "code": 500}
    # The session was rolled back: the next request is served as usual.
    assert logged_in.get("/leads/").status_code == 200
