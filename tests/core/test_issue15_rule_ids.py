"""Issue 15, item 3: rule IDs (V1, T3, E2, S5, R3, P2, D3, C1 …) stay out of everyday text. They are kept in
code comments and tests; a page may carry a small "why?" link to the rule's page instead (core.templatetags.rule_links).

Two unit tests over the words the pages are built from: every model's verbose names, help texts and choice labels
(a choice label is what `get_FOO_display` and the forms show), and every project form's declared labels and help
texts as written (before core.forms.PlainErrorsMixin tidies them). The rendered pages are checked in
tests/casework/test_issue15_no_rule_ids_on_pages.py."""

import re

import pytest
from django import forms
from django.apps import apps
from django.db import models

from tests.core.test_issue15_plain_messages import APPS, FORMS

#: A rule ID as a word: "S5", "(R3)", "E1", "rule V3". Not "OC3" (the DfE's table), "YP-1001" or "R-DEMO-1".
RULE_ID = re.compile(r"(?<![\w-])(?:[VTRSEPCDOXA]\d{1,2}[a-z]?)(?![\w-])")


def rule_ids(text) -> list[str]:
    return RULE_ID.findall(str(text or ""))


def _project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in APPS and not m.__name__.startswith("Historical")]


#: Not rule IDs: the DfE's activity and accommodation codes ("P1: Part-time in higher education", "V1: Emergency
#: accommodation"), which staff know by code; a choice whose value is the code is one of them.
DFE_CODES = {"careleavers.ActivityPeriod.code"}


def _model_words() -> list[tuple[str, str]]:
    words = []
    for model in _project_models():
        name = f"{model._meta.app_label}.{model.__name__}"
        words += [(f"{name} verbose_name", model._meta.verbose_name),
                  (f"{name} verbose_name_plural", model._meta.verbose_name_plural)]
        for field in model._meta.get_fields():
            if not hasattr(field, "verbose_name"):
                continue  # a reverse relation
            words += [(f"{name}.{field.name} verbose_name", field.verbose_name),
                      (f"{name}.{field.name} help_text", field.help_text)]
            for value, label in field.flatchoices or ():
                if f"{name}.{field.name}" not in DFE_CODES and not rule_ids(value):
                    words.append((f"{name}.{field.name} choice {value!r}", label))
    return words


def _choice_classes() -> list[type[models.Choices]]:
    """Every Choices class of the project, also those no field names (forms and pages use them too)."""
    found, todo = [], list(models.Choices.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.split(".")[0] in APPS:
            found.append(cls)
    return found


def test_the_checks_find_a_rule_id():
    assert rule_ids("Offer of a keeping-in-touch visit (S5)") == ["S5"]
    assert rule_ids("Cards (T9: from the duty admin); rule V3") == ["T9", "V3"]
    assert rule_ids("SSDA903 table OC3, YP-1001, R-DEMO-1, 21 Dec 2026, 2 E") == []
    assert len(_model_words()) > 200 and len(_choice_classes()) > 20


def test_no_model_verbose_name_help_text_or_choice_label_names_a_rule():
    found = [f"{where}: {text!r}" for where, text in _model_words() if rule_ids(text)]
    for cls in _choice_classes():
        found += [f"{cls.__module__}.{cls.__name__}.{value}: {label!r}" for value, label in cls.choices
                  if rule_ids(label) and not rule_ids(value)]  # "P1": "P1: Part-time …" is a DfE code
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_no_form_field_label_or_help_text_names_a_rule_as_written(cls):
    """The declared fields (base_fields), so a label cannot lean on PlainErrorsMixin moving its ID to a title."""
    found = []
    for name, field in cls.base_fields.items():
        found += [f"{name} {attr}: {getattr(field, attr)!r}" for attr in ("label", "help_text")
                  if rule_ids(getattr(field, attr, ""))]
        choices = field.choices if isinstance(field, forms.ChoiceField) \
            and not isinstance(field, forms.ModelChoiceField) else ()
        for value, label in choices:
            if isinstance(label, str) and rule_ids(label) and not rule_ids(value):  # "V1": "V1: Emergency …", DfE
                found.append(f"{name} choice {value!r}: {label!r}")
    assert found == [], "\n".join(found)


def test_labels_inside_a_sentence_keep_their_acronyms():
    """Issue 15, item 3 (plain words): "Coming up: … PA allocated due 7 Dec 2026", never "pa allocated"."""
    from core.templatetags.words import midsentence

    assert midsentence("PA allocated") == "PA allocated"
    assert midsentence("Pathway plan review") == "pathway plan review"
    assert midsentence("Keeping-in-touch offer") == "keeping-in-touch offer"
    assert midsentence("") == ""


def test_the_why_link_names_the_rule_only_in_its_address(client, db):
    from django.template import Context, Template

    from tests.factories import StaffFactory

    html = Template('{% load rule_links %}{% why "R4, R5" %}|{% why "" %}|{% why "reg 7" %}').render(Context())
    link, empty, law = html.split("|")
    assert link == '<a class="why small" href="/rules/R4,R5/" title="The rules explained">why?</a>'
    assert empty == "" and law == ""
    client.force_login(StaffFactory().user)
    page = client.get("/rules/R4,R5/").content.decode()
    assert "Team Leader approval with a rationale" in page and "Only a Service Leader (not the Head of Service)" in page
    assert "Chain: PA requests" in page  # the reduced-visits section's opening words
    assert "tests/approvals" not in page and "Code:" not in page  # the developers' lines are left out
    assert client.get("/rules/Z9/").status_code == 404
