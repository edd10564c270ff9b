"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server
(WSGI), or asgi_server (uvicorn) for pages that need push streams.

Screenshots go to test-artifacts/ (git-ignored) so that people can look at them.
"""

import os
import re
import socket
import threading
import types
from pathlib import Path

import pytest
import uvicorn
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from django.db import connection, connections
from playwright.sync_api import expect, sync_playwright

from accounts.asgi import RequestsAtOnce
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


def post_note(phone, text: str, *, anonymous: bool, timeout: int = 5_000) -> None:
    """Post a note from a participant's phone and wait until the phone's board shows it (the
    "Posted" line may already be gone under the next poll; the note stays). Typing starts once
    the board has no fetch in flight nor a swap settling: a board landing mid-typing would
    replace the form under the typist."""
    board = phone.locator("#participant-board")
    expect(board).not_to_have_class(re.compile(r"htmx-(request|swapping|settling)"))
    phone.get_by_label("Your note").fill(text)
    expect(phone.get_by_label("Your note")).to_have_value(text)
    switch = phone.get_by_label("Post anonymously")
    if switch.is_checked() != anonymous:
        switch.click()
    phone.get_by_role("button", name="Post note").click()
    expect(phone.locator(".board-note").filter(has_text=text)).to_be_visible(timeout=timeout)


def screenshot(page, name: str, **options) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), **options)
    return path


# More than the live server's threads ever answer at once.
MOST_AT_ONCE = 64


@pytest.fixture
def one_request_at_a_time_on_sqlite(live_server):
    """Polling windows make concurrent requests, and in-memory SQLite shares one connection
    between the live server's threads: serve one request at a time there. On every database,
    the test's end waits for the requests still being answered (a poll that left as the browser
    closed), so that emptying the database never races a request's transaction."""
    server = live_server.thread.httpd
    app, lock = server.get_app(), threading.Lock()
    answering = threading.Semaphore(MOST_AT_ONCE)
    serialise = connection.vendor == "sqlite"

    def counted(environ, start_response):
        with answering:
            if serialise:
                with lock:
                    return app(environ, start_response)
            return app(environ, start_response)

    server.set_app(counted)
    yield
    # Every slot free again: no request is being answered.
    taken = [answering.acquire(timeout=10) for _ in range(MOST_AT_ONCE)]
    server.set_app(app)
    assert all(taken), "the live server was still answering requests 10 s after the test ended"
    for _ in range(MOST_AT_ONCE):
        answering.release()


@pytest.fixture(autouse=True)
def _one_request_at_a_time_wherever_the_live_server_runs(request):
    """Every page now loads something after itself (the home page's "while you were away", the
    live screens' polls), so any browser test on in-memory SQLite makes concurrent requests."""
    if "live_server" in request.fixturenames:
        request.getfixturevalue("one_request_at_a_time_on_sqlite")


@pytest.fixture
def asgi_server(transactional_db):
    """The app under uvicorn (ASGI) in a thread, for pages that hold a push stream open, which
    the WSGI live_server cannot serve. Its `url` is the base URL. On in-memory SQLite every
    thread uses the test's connection and requests take turns until their response starts (a
    stream then waits without the database)."""
    app = ASGIStaticFilesHandler(get_asgi_application())
    shared = connection.vendor == "sqlite"
    if shared:
        saved, test_connection = connections._connections, connections["default"]
        connections._connections = types.SimpleNamespace(default=test_connection)
        test_connection.inc_thread_sharing()
        app = RequestsAtOnce(app, limit=1)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)
        assert thread.is_alive(), "uvicorn did not start"
    yield types.SimpleNamespace(url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(10)
    if shared:
        test_connection.dec_thread_sharing()
        connections._connections = saved
