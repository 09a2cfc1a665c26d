"""The leads table's filters in the browser: a search typed in place, then a status chip, keeps
the search (the chips are swapped with the table), and the chips show their counts."""

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import User
from services import leads as lead_store

pytestmark = pytest.mark.browser


def test_a_status_chip_keeps_the_typed_search(app, user, signed_in):
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        for name, status in (("Ada", "available"), ("Adam", "unavailable"), ("Grace", "available")):
            lead, _ = lead_store.create_lead(workspace, {"first_name": name, "email": f"{name.lower()}@example.com"})
            lead.status = status
        db.session.commit()
    page = signed_in
    page.reload()
    chip = page.locator("#status-filters a", has_text=re.compile(r"^Available"))
    expect(chip.locator(".count")).to_have_text("2")
    page.fill("input[type=search]", "ada")
    expect(page.locator("#lead-count")).to_have_text("2")  # the search answered in place
    chip.click()
    expect(page).to_have_url(re.compile(r"status=available.*q=ada|q=ada.*status=available"))
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Ada")
    expect(page.locator("#status-filters")).to_have_attribute("title", re.compile("not only those matching"))
