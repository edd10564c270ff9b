"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server.

Screenshots go to test-artifacts/ (git-ignored) so that people can look at them.
"""

import os
import threading
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import sync_playwright

from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# between page actions are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), f"Install Debian's chromium: {CHROMIUM} is missing"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """new_page(viewport=...) gives a fresh, isolated browser tab (its own cookies)."""
    contexts = []

    def make(viewport=DESKTOP, **options):
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def log_in(live_server):
    """log_in(page, user) signs a user in through the real login form."""

    def do(page, user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return do


def screenshot(page, name: str, **options) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path


@pytest.fixture
def one_request_at_a_time_on_sqlite(live_server):
    """Polling windows make concurrent requests, and in-memory SQLite shares one connection
    between the live server's threads: serve one request at a time there."""
    if connection.vendor != "sqlite":
        yield
        return
    server = live_server.thread.httpd
    app, lock = server.get_app(), threading.Lock()

    def serialised(environ, start_response):
        with lock:
            return app(environ, start_response)

    server.set_app(serialised)
    yield
    server.set_app(app)
