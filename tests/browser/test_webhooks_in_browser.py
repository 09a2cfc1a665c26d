"""Settings → Webhooks in Chromium: the owner adds an endpoint (its secret shown once), a real
worker delivers a check's event to it, the log shows the delivery, and the endpoint is deleted."""

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import User
from services import leads as lead_store
from services.checks import lead as lead_checks
from webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.browser


def test_add_an_endpoint_see_a_delivery_delete_it(app, user, signed_in, demo_line, worker_process):
    receiver = WebhookReceiver()
    page = signed_in
    try:
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="Settings").click()
        page.get_by_role("link", name="Webhooks").click()
        expect(nav.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
        page.get_by_label("Endpoint URL").fill(receiver.url)
        page.get_by_role("button", name="Add endpoint").click()
        expect(page.locator("#new-secret")).to_have_text(re.compile(r"^whsec_"))

        with app.app_context():
            lead = lead_store.create_lead(db.session.get(User, user).workspace, {"phone": "2025550142"})[0]
            lead_checks.request_check(lead)
        # The worker checks the lead, then delivers lead.checked; the log shows it once reloaded.
        row = page.locator('tr[data-succeeded="yes"]')
        for _ in range(60):
            page.goto(page.url.split("?")[0])
            if row.count():
                break
            page.wait_for_timeout(500)
        expect(row).to_contain_text("lead.checked")
        expect(row).to_contain_text("200")
        expect(page.locator("#new-secret")).to_have_count(0)  # shown only the once

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Delete").click()
        expect(page.get_by_text("deleted: no more events are sent to it")).to_be_visible()
        assert len(receiver.accepted()) == 1
    finally:
        receiver.close()
