"""Every page of the app, signed out and signed in as the owner, at 1440 and 390 px wide (and at
1440 in the dark theme): axe-core finds no serious or critical violation, nothing scrolls sideways,
the top bar marks the page's section, and a full-page screenshot is saved as a test artifact.

The pages are listed by endpoint: a new HTML page the list neither visits nor excludes (with a
reason) fails the first test, so it can't be forgotten."""

import re
from dataclasses import dataclass, field

import pytest
from flask import url_for
from playwright.sync_api import expect

from extensions import db
from models import Line, User
from page_checks import DESKTOP, PHONE, check_shown_page, screenshot_dir
from services import members

pytestmark = pytest.mark.browser

LONG_EMAIL = "bartholomew.featherstonehaugh-cholmondeley@extraordinarily-long-company-domain.example.com"
CSV = (
    "Name,Company,Cell,Email Address\n"
    f"Ada Lovelace,Featherstonehaugh-Cholmondeley International Holdings,(202) 555-0142,{LONG_EMAIL}\n"
    "Grace Hopper,Navy,202-555-0143,grace@icloud.com\n"
    "Alan Turing,Bletchley Park,202 555 0144,\n"
    "Bad Row,,555-1234,not-an-email\n"
)


@dataclass
class Page:
    """One page to visit: its name (the screenshot's), its endpoint and arguments (keys of the
    data the test made), the top-bar link it belongs to, and how to reach it if not by a GET."""

    name: str
    endpoint: str | None  # None: a path no endpoint serves
    args: dict = field(default_factory=dict)
    nav: str | None = None
    reach: object = None  # a function(page, url) for a page a form's POST shows
    path: str | None = None


def _confirm_delete(page, url):
    page.goto(url)
    page.locator("tbody input[name=lead_ids]").first.check()
    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("h1")).to_contain_text("Delete")


SIGNED_OUT = [
    Page("login", "auth.login"),
    Page("join", "join.join", {"token": "invitation"}),
    Page("join-expired", "join.join", {"token": "expired"}),
    Page("not-found-signed-out", None, path="/no-such-page"),
]
OWNER = [
    Page("leads", "leads.index", nav="Leads"),
    Page("lead", "leads.show", {"lead_id": "lead"}, nav="Leads"),
    Page("lead-edit", "leads.edit", {"lead_id": "lead"}, nav="Leads"),
    Page("leads-delete", "leads.index", nav="Leads", reach=_confirm_delete),
    Page("import", "imports.index", nav="Import"),
    Page("import-mapping", "imports.show", {"upload_id": "mapping"}, nav="Import"),
    Page("import-report", "imports.show", {"upload_id": "imported"}, nav="Import"),
    Page("quick-send", "quick_send.index", nav="Quick Send"),
    Page("lines", "lines.index", nav="Lines"),
    Page("line-new", "lines.new", nav="Lines"),
    Page("line-edit", "lines.edit", {"line_id": "line"}, nav="Lines"),
    Page("operations", "operations.index", nav="Operations"),
    Page("settings", "settings.index", nav="Settings"),
    Page("team", "team.index", nav="Settings"),
    Page("tokens", "tokens.index", nav="Settings"),
    Page("webhooks", "webhooks.index", nav="Settings"),
    Page("password", "auth.change_password"),
    Page("not-found", None, path="/no-such-page"),
]
# GET endpoints that are not pages, each with why.
NOT_PAGES = {
    "index": "redirects to the leads table",
    "health": "plain text for load balancers",
    "favicon": "an image",
    "static": "files",
    "leads.export": "a CSV download",
    "imports.problems": "a CSV download",
    "leads.updates": "an htmx fragment of the leads page (out-of-band rows)",
    "imports.progress": "an htmx fragment of the import page",
    "operations.live": "an htmx fragment of the Operations page",
    "metrics.scrape": "Prometheus's text format, behind METRICS_TOKEN",
}


def test_every_html_page_is_visited_or_excluded(app):
    gets = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods and not r.endpoint.startswith("api.")}
    visited = {p.endpoint for p in SIGNED_OUT + OWNER if p.endpoint}
    assert gets - visited - NOT_PAGES.keys() == set(), "pages neither visited here nor excluded in NOT_PAGES"
    assert (NOT_PAGES.keys() | visited) - gets == set(), "listed endpoints the app no longer has"


def check_pages(page, base: str, pages: list[Page], urls: dict, signed_in: bool) -> list[str]:
    """Each page at 1440 px (light and dark) and at 390 px; what is wrong, each line saying where."""
    problems = []
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        for spec in pages:
            url = base + urls[spec.name]
            if spec.reach:
                spec.reach(page, url)
            else:
                page.goto(url)
            problems += check_shown_page(page, spec.name, spec.nav, signed_in, dark=size is DESKTOP)
    print(f"\nScreenshots of {len(pages)} pages: {screenshot_dir()}")
    return problems


def paths(app, pages: list[Page], data: dict) -> dict:
    with app.test_request_context():
        return {p.name: p.path or url_for(p.endpoint, **{k: data[v] for k, v in p.args.items()}) for p in pages}


def test_signed_out_pages(page, live_server, app, user):
    with app.app_context():
        invitation = members.invite(db.session.get(User, user), "grace@example.com")
    urls = paths(app, SIGNED_OUT, {"invitation": invitation, "expired": "no-such-invitation"})
    problems = check_pages(page, live_server, SIGNED_OUT, urls, signed_in=False)
    assert not problems, "\n".join(problems)


def test_owner_pages(signed_in, live_server, app, demo_line, run_worker, tmp_path):
    page = signed_in
    with app.app_context():  # the import's checks, answered quickly
        db.session.get(Line, demo_line).rate_per_minute = 6000
        db.session.commit()
    csv = tmp_path / "a-crm-export-from-the-marketing-department.csv"
    csv.write_text(CSV)
    uploads = []
    for _ in range(2):  # one imported (its report), one left at its mapping page
        page.goto(f"{live_server}/leads/import/")
        page.set_input_files("input[type=file]", str(csv))
        page.click("button:has-text('Upload')")
        expect(page.locator("h1")).to_contain_text("Map the columns")
        uploads.append(int(page.url.rsplit("/", 1)[1]))
    page.goto(f"{live_server}/leads/import/{uploads[0]}")
    page.click("button:has-text('Import')")
    run_worker()  # the import, then its leads' checks
    lead = page.evaluate("fetch('/leads/?q=Ada').then(r => r.text())")
    data = {
        "lead": int(re.search(r'href="/leads/(\d+)"', lead).group(1)),
        "imported": uploads[0],
        "mapping": uploads[1],
        "line": demo_line,
    }
    problems = check_pages(page, live_server, OWNER, paths(app, OWNER, data), signed_in=True)
    assert not problems, "\n".join(problems)
