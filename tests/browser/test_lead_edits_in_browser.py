"""Fixing leads as a person does: correct a lead's phone on its page and watch it checked again;
delete two leads picked in the table, after saying yes on the confirmation."""

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Lead, User
from services import leads as lead_store

pytestmark = pytest.mark.browser


def test_correct_a_phone_on_the_lead_page_and_see_it_checked_again(signed_in, live_server, demo_line, worker_process):
    page = signed_in
    page.fill("input[name=first_name]", "Ada")
    page.fill("input[name=phone]", "202-555-0143")  # odd: not on iMessage, by the demo rule
    page.click("text=Add lead")
    row = page.locator("tbody tr").first
    expect(row).to_have_attribute("data-status", "unavailable")

    row.get_by_role("link", name="Ada").click()
    answer = page.locator("#lead-answer")
    expect(answer).to_have_attribute("data-status", "unavailable")
    expect(answer.locator('[data-field="phone"]')).to_contain_text("Not on iMessage")

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Primary phone").fill("(202) 555-0142")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/leads/\d+$"))
    expect(page.locator(".flash")).to_contain_text(["Saved.", "being checked again"])
    # The page follows the new check by itself, without a reload.
    page.evaluate("window.notReloaded = true")
    expect(answer).to_have_attribute("data-status", "available")
    assert page.evaluate("window.notReloaded") is True
    phone = answer.locator('[data-field="phone"]')
    expect(phone).to_contain_text("(202) 555-0142")
    expect(phone).to_contain_text("+12025550142")
    expect(phone).to_contain_text("Available on iMessage")


def test_delete_two_selected_leads_after_confirming(signed_in, app, user):
    page = signed_in
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        for name, phone in (("Ada", "2025550142"), ("Grace", "2025550144"), ("Alan", "2025550146")):
            lead_store.create_lead(workspace, {"first_name": name, "phone": phone})
    page.reload()
    page.get_by_label("Select Ada").check()
    page.get_by_label("Select Alan").check()
    expect(page.locator("#selected-count")).to_have_text("2")

    page.get_by_role("button", name="Delete…").click()
    expect(page.locator("h1")).to_have_text("Delete 2 leads?")
    expect(page.locator(".deleting")).to_contain_text("Ada")
    expect(page.locator(".deleting")).not_to_contain_text("Grace")
    page.get_by_role("button", name="Delete 2 leads").click()

    expect(page).to_have_url(re.compile(r"/leads/(\?.*)?$"))
    expect(page.locator(".flash")).to_have_text("Deleted 2 leads.")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Grace")
    with app.app_context():
        assert db.session.scalars(db.select(Lead.first_name)).all() == ["Grace"]
