"""The leads table's status, search, sort and page keep each other in every link and request the
page makes (chips, sort headers, pager, export, search, the bulk form), including after a search
typed in place; each status chip shows its count from the tally."""

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from extensions import db
from models import User, Workspace
from services import leads as lead_store

FILTER = {"status": "available", "q": "lead", "sort": "name"}


class Page(HTMLParser):
    """The page's links (href, hx-get) to the table or its export, and its forms' hidden fields
    (the top bar's links aside)."""

    def __init__(self, html):
        super().__init__()
        self.links, self.forms, self.elements, self._form, self._in_header = [], {}, {}, None, False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.elements[attrs["id"]] = attrs
        self._in_header = self._in_header or tag == "header"
        for name in ("href", "hx-get") if not self._in_header else ():
            url = attrs.get(name) or ""
            if re.fullmatch(r"/leads/(export\.csv)?(\?.*)?", url):
                self.links.append(
                    (tag, attrs, urlsplit(url).path, {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()})
                )
        if tag == "form":
            self._form = self.forms.setdefault(attrs.get("id") or f"{attrs['method']} {attrs['action']}", {})
        if tag == "input" and attrs.get("type") == "hidden" and self._form is not None:
            self._form[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        self._in_header = self._in_header and tag != "header"
        if tag == "form":
            self._form = None


@pytest.fixture
def workspace(app, user):
    with app.app_context():
        workspace = db.session.get(Workspace, db.session.get(User, user).workspace_id)
        for n, status in enumerate(["available"] * 5 + ["unavailable", "error"]):
            lead, _ = lead_store.create_lead(workspace, {"first_name": f"Lead {n}", "phone": f"20255501{40 + n}"})
            lead.status = status
        db.session.commit()
        return workspace.id


def test_every_link_and_request_keeps_the_others(app, logged_in, workspace):
    app.config["LEADS_PER_PAGE"] = 2
    page = Page(logged_in.get("/leads/?status=available&q=lead&sort=name&page=2").get_data(as_text=True))
    kinds = set()
    for tag, attrs, path, query in page.links:
        if path.endswith("export.csv"):
            kinds.add("export")
            assert query == FILTER, attrs  # the file is what the table shows, in its order
        elif "page" in query:
            kinds.add("pager")
            assert query == FILTER | {"page": query["page"]} and query["page"] in ("1", "3"), attrs
        elif tag == "input":  # the search, typed in place
            kinds.add("search")
            assert attrs["hx-include"] == "this, #filter-status, #filter-sort"
            assert page.forms["get /leads/"] == {"status": "available", "sort": "name"}
        elif "aria-sort" in attrs or query.get("sort") != "name":
            kinds.add("sort")
            assert {k: v for k, v in query.items() if k != "sort"} == {"status": "available", "q": "lead"}, attrs
        else:  # a status chip: another status (or All), same search and sort, back to page 1
            kinds.add("chip")
            assert {k: v for k, v in query.items() if k != "status"} == {"q": "lead", "sort": "name"}, attrs
    assert kinds == {"export", "pager", "search", "sort", "chip"}
    # Check Availability (selected or "all matching") posts the filter and comes back to this page.
    assert {k: v for k, v in page.forms["bulk-form"].items() if k != "csrf_token"} == FILTER | {"page": "2"}


def test_a_search_typed_in_place_reaches_the_chips_and_the_export(app, logged_in, workspace):
    page = Page(logged_in.get("/leads/?status=error&sort=status").get_data(as_text=True))
    search = next(attrs for tag, attrs, _, _ in page.links if tag == "input")
    oob = {part.strip() for part in search["hx-select-oob"].split(",")}
    assert {"#lead-count", "#status-filters", "#export-csv"} <= oob
    # What the search's request gets back: those parts carry the typed search with the status and sort.
    html = logged_in.get("/leads/?q=Lead+6&status=error&sort=status", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    answer = Page(html)
    chips = [
        query for tag, attrs, path, query in answer.links if tag == "a" and "sort" in query and "page" not in query
    ]
    assert all(query["q"] == "Lead 6" for query in chips)
    assert {q.get("status") for q in chips} >= {None, "available", "error"}
    assert answer.elements["export-csv"]["href"].replace("&amp;", "&").endswith("?status=error&q=Lead+6&sort=status")


def test_each_chip_shows_its_count_from_the_tally(logged_in, workspace):
    html = logged_in.get("/leads/").get_data(as_text=True)
    chips = dict(re.findall(r'>([\w ]+) <span class="count">([\d,]+)</span></a>', html))
    assert chips == {
        "All": "7",
        "Not checked": "0",
        "Checking": "0",
        "Available": "5",
        "Unavailable": "1",
        "Error": "1",
        "No Active Line": "0",
    }
    assert 'title="Counts of all your leads' not in html
    # With a search, the chips still count the workspace's leads, and say so.
    searched = logged_in.get("/leads/?q=Lead+6").get_data(as_text=True)
    assert 'title="Counts of all your leads, not only those matching the search"' in searched
    assert '>Available <span class="count">5</span>' in searched
