"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

`playwright install` cannot download here, so the launch names /usr/bin/chromium. Without
Chromium the tests skip, except under CI=true, where they fail (tests.services.require).
"""

import contextlib
import os
import urllib.request

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

from tests.services import chromium_path, require

# pytest-django's live_server runs Django in a thread while Playwright's sync API runs an event
# loop in this one; Django's async-safety check would refuse ORM calls from the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# One request at a time: the test database is SQLite in memory, one connection shared by the server's threads, and a
# page now makes a second request as it loads (the unread badge, htmx: issue 15, item 6). Two requests at once would
# interleave their ATOMIC_REQUESTS savepoints on that one connection. Django closes each connection of a server that
# is not threaded, so the browser's requests simply queue.
class SerialWSGIServer(WSGIServer):
    """Django's server, not threaded. LiveServerThread.run() already hands the server's thread the test's connection,
    so the per-thread `connections_override` of the threaded server has nothing to do here."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = SerialWSGIServer

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    require(path is not None, "Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
    _wait_for_the_server(live_server.url)


def _wait_for_the_server(url: str) -> None:
    """Return once the live server has answered every request the closed page had already sent.

    A page can still have a request in flight when the test ends (the unread badge is fetched after the page loads).
    That request's transaction and pytest-django's flush of the database after the test then take their table locks in
    different orders, and PostgreSQL ends one of them as a deadlock: when it was the flush, the next test failed with
    "couldn't be flushed". The server answers one request at a time, in the order the connections came, so once it
    has answered one more request of ours it is idle."""
    with contextlib.suppress(OSError):  # a server that is gone has nothing in flight
        urllib.request.urlopen(f"{url}/login/", timeout=30).close()  # noqa: S310  (the test's own live server)


@pytest.fixture
def sign_in(page):
    """Sign in through the real login form, as a person would."""

    def _sign_in(staff, password: str = "correct horse battery"):
        page.context.clear_cookies()
        page.goto("/login/")
        page.get_by_label("Username").fill(staff.user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return _sign_in
