"""Browser fixtures: the real app served over HTTP, a real worker process, Debian's Chromium."""

import os
import re
import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from support import PASSWORD, start_flask, wait_for

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture
def live_server(app):
    """The app (with CSRF on, as in production) on a loopback port, in a background thread."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture
def worker_process(app, tmp_path):
    """A long-running `flask worker`, as in production, for the length of the test: ready (registered
    in Redis) before the test goes on, so a page's wait is for the check, not for Python starting up
    on a busy machine (CI runs two suites at once)."""
    from rq import Worker

    from extensions import redis_connection

    proc = start_flask("worker", log=tmp_path / "worker.log")
    assert wait_for(lambda: Worker.count(connection=redis_connection(app)) > 0, 60), "the worker never started"
    yield proc
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # This machine has no network: keep Chromium from reaching for Google's services.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = context.new_page()
    # Like the machines this runs on (and many customer networks), no CDN: htmx must load from
    # the app's own static copy.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def signed_in(page, live_server, user):
    """The page, logged in as the test user and on the leads table."""
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "ada@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/leads/$"))
    page.wait_for_load_state()
    return page
