"""Issue 15, item 3: rule IDs (V1, T3, E2, S5, R3, P2, D3, C1 …) stay out of the words on every page; a small
"why?" link to the rule explained (core.templatetags.rule_links) is the one place a page names a rule, and only in
its address.

On the demo (seed_demo, smaller than `make run`'s, so it has arrangements of every kind, escalation steps, plans,
supervision, alerts and returns), each persona's pages are walked from their start page through every link in the
menu and the page, as far as the walk goes, each kind of page (its URL with the numbers taken out) a few times and
every young person's page they can see; then a few refused forms, so the refusals' words are read too. The visible
text is the page with its tags, scripts and "why?" links taken out (a `title` is not text on the page); the DfE's
own codes ("V1: Emergency accommodation", "P1" in a return's column) are not rule IDs."""

import html
import re
from collections import deque

import pytest
from django.test import Client

from careleavers.codes import ACCOMMODATION_TYPES, ACTIVITY
from careleavers.models import Staff
from tests.core.test_issue15_rule_ids import RULE_ID
from tests.seeded import persona_demo

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("persona-demo")]  # one worker seeds it (tests/seeded.py)

PERSONAS = ["pa-north-1", "tl-north", "service-leader", "head-of-service", "duty-admin"]
#: Pages of one kind visited (after the first few, the same template with other data).
PER_KIND = 4
#: The walk stops here; no persona of the demo comes near it.
MAX_PAGES = 400
#: Links that download a file, act, or are the rules explained (the "why?" pages are the docs).
NOT_A_PAGE = re.compile(r"\.(csv|xlsx|pdf|json)(\?|$)|/export|subject-access|logout|/letter/|/rules/|/admin/|"
                        r"/download|/print|/login")

DFE_CODES = set(ACTIVITY) | {f"{letter}{n}" for letter in ACCOMMODATION_TYPES for n in (1, 2)}
_HREF = re.compile(r'<a\b[^>]*\bhref="([^"#]+)')
_WHY = re.compile(r'<a\b[^>]*\bclass="why[^"]*"[^>]*>.*?</a>', re.S)
_INVISIBLE = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
#: A DfE code with its label ("E1: Supported lodgings (suitable)"), or alone in a cell of a return.
_DFE_WITH_LABEL = re.compile(r"(?<![\w-])(" + "|".join(sorted(DFE_CODES)) + r"):\s")


def visible_text(body: str) -> list[str]:
    """The page's text nodes, as a reader (or a screen reader) meets them, without the "why?" links."""
    body = _WHY.sub(" ", _INVISIBLE.sub(" ", body))
    nodes = [html.unescape(node).strip() for node in _TAG.split(body)]
    return [_DFE_WITH_LABEL.sub(" ", node) for node in nodes if node and node not in DFE_CODES]


def rule_ids_on(body: str) -> list[str]:
    return [f"{RULE_ID.search(node).group(0)} in {node[:140]!r}" for node in visible_text(body) if RULE_ID.search(node)]


#: Template syntax that reached the page (a `{# … #}` comment over two lines is not a comment in Django).
_TEMPLATE_LEAK = re.compile(r"\{[#%{]|[#%}]\}")


def problems_on(body: str) -> list[str]:
    leaks = [f"template text in {node[:140]!r}" for node in visible_text(body) if _TEMPLATE_LEAK.search(node)]
    return rule_ids_on(body) + leaks


def kind_of(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?", 1)[0])


def walk(client: Client) -> dict[str, list[str]]:
    """{url: rule IDs found} for every page reached from the start page."""
    found: dict[str, list[str]] = {}
    seen_kinds: dict[str, int] = {}
    todo, queued = deque(["/"]), {"/"}
    while todo and len(found) < MAX_PAGES:
        url = todo.popleft()
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        found[url] = problems_on(body)
        for link in dict.fromkeys(_HREF.findall(body)):
            href = html.unescape(link)
            if not href.startswith("/") or href in queued or NOT_A_PAGE.search(href):
                continue
            kind = kind_of(href)
            if kind != "/young-people/N/" and seen_kinds.get(kind, 0) >= PER_KIND:
                continue
            seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
            queued.add(href)
            todo.append(href)
    return found


#: Forms posted empty (or nearly), so their refusals and field messages are read too: (persona, url builder).
REFUSALS = [
    ("pa-north-1", lambda yp: f"/young-people/{yp.pk}/arrangements/new/reduced_visits/"),
    ("pa-north-1", lambda yp: f"/young-people/{yp.pk}/arrangements/new/step_back/"),
    ("pa-north-1", lambda yp: f"/young-people/{yp.pk}/arrangements/new/different_needs/"),
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo for the module's tests (it takes a while to build), rolled back at the end."""
    from django.conf import settings

    with django_db_blocker.unblock():
        from django.db import transaction

        media = settings.MEDIA_ROOT
        settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            persona_demo()  # seeded once per process, written back for a later module that asks (tests/seeded.py)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            settings.MEDIA_ROOT = media


def signed_in(username: str) -> Client:
    client = Client()
    client.force_login(Staff.objects.get(ref=username).user)
    return client


def test_the_check_sees_a_rule_id_and_not_a_why_link_or_a_dfe_code():
    assert rule_ids_on("<p>Keeping-in-touch offers declined in a row (S5).</p>") == [
        "S5 in 'Keeping-in-touch offers declined in a row (S5).'"]
    assert rule_ids_on('<p>Declined in a row. <a class="why small" href="/rules/S5/" title="S5">why?</a></p>') == []
    assert rule_ids_on("<td>E1</td><td>V1: Emergency accommodation (suitable)</td><p title='Rule R1'>Ok</p>") == []
    assert rule_ids_on("<script>const r = 'V1';</script><!-- T3 -->") == []
    assert problems_on("<p>{# The ledger's latest night\n #}</p>") == [
        "template text in \"{# The ledger's latest night\\n #}\""]


@pytest.mark.parametrize("username", PERSONAS)
def test_no_page_a_persona_reaches_shows_a_rule_id(demo, username):
    found = walk(signed_in(username))
    assert len(found) > (3 if username == "duty-admin" else 20), f"{username}: only {sorted(found)}"
    problems = [f"{url}: {ids}" for url, ids in found.items() if ids]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("username, url_for", REFUSALS)
def test_refused_forms_say_why_without_a_rule_id(demo, username, url_for):
    from careleavers.models import YoungPerson

    client = signed_in(username)
    young_person = YoungPerson.objects.filter(pa__ref=username).order_by("date_of_birth").last()  # the youngest
    response = client.post(url_for(young_person), {"wish_and_reasons": "Fewer visits."})
    assert response.status_code in (200, 400)
    assert "is-invalid" in response.content.decode() or "alert" in response.content.decode()
    assert problems_on(response.content.decode()) == []
