"""Issue 15: every persona's pages as they would meet them, in a real browser, on the demo service (seed_demo).

For each persona: every page their navigation offers, then a young person's page and its sub-pages, at 375 px
(a phone; WCAG 2.2 1.4.10 reflow) and 1280 px: the page as a whole never scrolls sideways
(document.scrollingElement.scrollWidth <= innerWidth) and axe-core finds no WCAG 2.2 A/AA violation. Also the date
defaults the browser shows (an <input type="date"> shows a value only when it is ISO). One demo per test, made
smaller than `make run`'s so the tests stay quick, seeded once per process and written back for each test
(tests/seeded.py); one browser for the session (conftest)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from careleavers.models import YoungPerson
from demo.management.commands.seed_demo import DEMO_PASSWORD
from tests.seeded import persona_demo

from .test_accessibility import violations

# The live server reads what the test committed; one worker seeds the persona demo (tests/seeded.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("persona-demo")]

WIDTHS = (375, 1280)
#: Sub-pages of the young person's page visited (forms, history, plans, arrangements), enough to cover each kind.
SUB_PAGES = 14
#: Links that download a file or act (not pages to look at).
NOT_A_PAGE = re.compile(r"\.(csv|xlsx|pdf|json)$|/export|subject-access|logout|/letter/")


#: What sticks out: the outermost elements wider than the window, for the failure message.
WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1
    && e.parentElement.getBoundingClientRect().right <= innerWidth + 1).slice(0, 3)
    .map(e => e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 60)).join(' | ')"""


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo's documents (demo/seed_documents.py)
    persona_demo()


def sign_in_as(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def links(page, selector: str) -> list[str]:
    found = page.eval_on_selector_all(selector, "els => els.map(e => e.getAttribute('href'))")
    return [h.split("#")[0] for h in dict.fromkeys(found) if h and h.startswith("/") and not NOT_A_PAGE.search(h)]


def check(page, url: str, problems: list[str]) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(url)
        if response is None or response.status >= 400:
            problems.append(f"{url} at {width}px: HTTP {response.status if response else '?'}")
            continue
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        if scroll > width:
            problems.append(f"{url} at {width}px scrolls sideways ({scroll}px wide): {page.evaluate(WIDEST)}")
        found = violations(page)
        if found:
            problems.append(f"{url} at {width}px: {found}")


def visit_everything(page, username: str) -> list[str]:
    sign_in_as(page, username)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    menu = links(page, "#nav a.nav-link")
    assert menu, f"{username} has no navigation"
    pages = ["/", *menu]
    # The young person's page, reached from the first page the persona meets, and its sub-pages.
    page.goto("/")
    people = links(page, "main a[href^='/young-people/']")
    if people:
        record = re.match(r"/young-people/\d+/", people[0]).group(0)
        page.goto(record)
        pages.append(record)
        subs = [h for h in links(page, "main a[href]") if h not in pages]
        pages += subs[:SUB_PAGES]
    problems: list[str] = []
    for url in dict.fromkeys(pages):
        check(page, url, problems)
    return problems


@pytest.mark.parametrize("username", ["pa-north-1", "tl-north", "service-leader", "head-of-service", "duty-admin"])
def test_every_page_of_the_persona_reflows_and_has_no_accessibility_violations(page, demo, username):
    problems = visit_everything(page, username)
    assert problems == [], "\n".join(problems)


def test_date_defaults_show_in_the_browser(page, demo):
    """Issue 15, item 2: the in-touch check opens on today; the date of the contact cannot be in the future."""
    yp = YoungPerson.objects.filter(pa__ref="pa-north-1").first()
    sign_in_as(page, "pa-north-1")
    today = timezone.localdate().isoformat()
    page.goto(reverse("returns:record_check", args=[yp.pk]))
    assert page.get_by_label("Date of the check").input_value() == today
    page.goto(reverse("contacts:log", args=[yp.pk]))
    field = page.get_by_label("Date of the contact")
    assert field.input_value() == today and field.get_attribute("max") == today
    assert dt.date.fromisoformat(field.input_value()) == timezone.localdate()
