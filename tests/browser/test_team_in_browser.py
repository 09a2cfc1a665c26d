"""A team's day: the owner invites a teammate, who opens the link in another browser, sets a
password and works on the workspace's leads; the owner removes them and their page stops working."""

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import User
from services import leads as lead_store
from support import PASSWORD

pytestmark = pytest.mark.browser


def test_invite_join_see_the_leads_then_be_removed(app, signed_in, live_server, chromium, user):
    with app.app_context():
        lead_store.create_lead(db.session.get(User, user).workspace, {"first_name": "Grace", "phone": "2025550142"})
    owner = signed_in
    owner.on("dialog", lambda dialog: dialog.accept())
    owner.click("text=Settings")
    owner.click("a:text-is('Team')")
    owner.fill("input[name=email]", "carol@example.com")
    owner.click("text=Create invitation link")
    link = owner.locator("#invitation-link").inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/join/[\w-]+", link)

    context = chromium.new_context()  # the teammate's own browser: no cookie of the owner's
    try:
        teammate = context.new_page()
        teammate.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
        teammate.set_default_timeout(15_000)
        teammate.goto(link)
        expect(teammate.locator("main")).to_contain_text("carol@example.com")
        teammate.fill("input[name=password]", PASSWORD)
        teammate.fill("input[name=repeat]", PASSWORD)
        teammate.click("button:text-is('Join')")
        expect(teammate).to_have_url(re.compile(r"/leads/$"))
        expect(teammate.locator("tbody")).to_contain_text("Grace")
        expect(teammate.locator(".topbar nav")).not_to_contain_text("Lines")

        owner.reload()
        row = owner.locator("tr[data-member='carol@example.com']")
        expect(row).to_contain_text("Member")
        row.get_by_role("button", name="Remove").click()
        expect(owner.locator(".flash")).to_contain_text("carol@example.com was removed")

        teammate.click(".topbar nav >> text=Leads")
        expect(teammate).to_have_url(re.compile(r"/login"))
        expect(teammate.locator("body")).not_to_contain_text("Grace")
    finally:
        context.close()
