"""Importing in the browser: upload, correct a column, watch the import, then the checks."""

import re

import pytest
from playwright.sync_api import expect

from exports import VCARDS

pytestmark = pytest.mark.browser

CSV = (
    "Name,Cell,Email Address,Other Phone\n"
    "Ada Lovelace,(202) 555-0142,ada@example.com,\n"
    "Grace Hopper,202-555-0143,grace@icloud.com,\n"
    "Alan Turing,202 555 0145,alan@gmail.com,202 555 0147\n"
    "Bad Row,555-1234,,\n"
)


def test_upload_map_import_and_watch_the_checks(signed_in, demo_line, demo_server, worker_process, tmp_path):
    page = signed_in
    demo_server.latency = 1.0  # six calls in all: the table is still checking when we get there
    path = tmp_path / "crm export.csv"
    path.write_text(CSV)
    page.click("text=Import")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('Upload')")

    expect(page.locator("h1")).to_contain_text("Map the columns")
    expect(page.locator(".samples li", has_text="Grace Hopper")).to_be_visible()
    # Two phone columns: both fill the lead's phones, the mobile first.
    assert page.input_value("select[name=column-1]") == "mobile_phone"
    assert page.input_value("select[name=column-3]") == "any_phone"
    # The user's CRM calls its second alternate "Other Phone".
    page.select_option("select[name=column-3]", "alt_phone2")
    page.click("button:has-text('Import')")

    expect(page.locator("#import-progress [data-state]")).to_have_attribute("data-state", "done")
    expect(page.locator("#import-progress progress")).to_have_attribute("value", "100")
    expect(page.locator("[data-count=imported]")).to_have_text("3")
    expect(page.locator("[data-count=invalid]")).to_have_text("1")

    page.click("text=See the leads")
    expect(page).to_have_url(re.compile(r"/leads/$"))
    page.evaluate("window.notReloaded = true")
    expect(page.locator("tbody tr")).to_have_count(3)
    expect(page.locator("tr[data-status=checking]").first).to_be_visible()
    expect(page.locator(".batch progress")).to_be_visible()
    # The page's poll brings each row's answer as it lands on the demo rule's answers, with no reload.
    expect(page.locator("tr:has-text('Ada Lovelace')")).to_have_attribute("data-status", "available")
    expect(page.locator("tr:has-text('Grace Hopper')")).to_have_attribute("data-status", "available")
    expect(page.locator("tr:has-text('Alan Turing')")).to_have_attribute("data-status", "unavailable")
    assert page.evaluate("window.notReloaded") is True


def test_a_vcard_file_and_a_refused_file_through_the_import_page(signed_in, worker_process, tmp_path):
    page = signed_in
    refused, cards = tmp_path / "scan.pdf", tmp_path / "iCloud export"  # no extension: read by content
    refused.write_bytes(b"%PDF-1.7\n\x00\x01binary")
    cards.write_bytes(VCARDS)
    page.click("text=Import")
    page.set_input_files("input[type=file]", str(refused))
    page.click("button:has-text('Upload')")
    expect(page.locator(".flash-error")).to_contain_text("binary file")
    listed = page.locator("tr", has_text="scan.pdf")
    expect(listed).to_contain_text("Failed")
    expect(listed.locator("[data-reason]")).to_contain_text("binary file")

    page.set_input_files("input[type=file]", str(cards))
    page.click("button:has-text('Upload')")
    expect(page.locator("h1")).to_contain_text("Map the columns")
    expect(page.get_by_role("listitem").filter(has_text=re.compile(r"^Appleseed$"))).to_be_visible()
    assert page.input_value("select[name=column-3]") == "phone"  # shown matched: nothing to do
    page.click("button:has-text('Import')")
    expect(page.locator("#import-progress [data-state]")).to_have_attribute("data-state", "done")
    expect(page.locator("[data-count=imported]")).to_have_text("5")
    expect(page.locator("[data-count=invalid]")).to_have_text("1")  # the malformed card


def test_a_wide_file_maps_as_a_list_that_never_scrolls_sideways(signed_in, tmp_path):
    page = signed_in
    headers = [f"Custom field number {i} with a long name" for i in range(14)] + ["Mobile Phone"]
    path = tmp_path / "wide.csv"
    path.write_text(
        ",".join(headers) + "\n" + ",".join(["a value long enough to be cut short " * 3] * 14 + ["2025550142"])
    )
    page.click("text=Import")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('Upload')")
    expect(page.locator(".mapping-row")).to_have_count(15)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
        # Each column's select stays in view, in its own row.
        box = page.locator("select[name=column-14]").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, box)
