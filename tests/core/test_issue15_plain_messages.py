"""issue 15, item 3: every form in the project says what to do for a missing required field, never Django's
"This field is required.", and keeps rule IDs ("(R3)", "(S5)", "(T4)") out of labels and help texts (they go
to the input's `title`)."""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms

from approvals.models import StepBackItem
from careleavers.models import Staff, Team
from core.forms import _RULE_IDS, PlainErrorsMixin
from tests.factories import SignedOffPlanFactory, YoungPersonFactory

APPS = ["accounts", "approvals", "careleavers", "casework", "compliance", "contacts", "core", "interface",
        "oversight", "pathway", "returns"]
DEFAULT = str(forms.Field.default_error_messages["required"])


def _project_forms() -> list[type[forms.BaseForm]]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)
    found, todo = [], list(forms.BaseForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        meta = getattr(cls, "_meta", None)
        abstract = issubclass(cls, forms.BaseModelForm) and getattr(meta, "model", None) is None  # PlainModelForm
        if cls.__module__.split(".")[0] in APPS and not cls.__name__.startswith("_") and not abstract \
                and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__name__}")


FORMS = _project_forms()


def _kwargs(cls) -> dict:
    """The keyword arguments each form's __init__ insists on; a new one must be added here."""
    young_person = YoungPersonFactory()
    known = {
        "teams": Team.objects.all(), "advisers": Staff.objects.all(), "missing": [StepBackItem.values[0]],
        "pack_intervals": {}, "supervision_notes": None, "rows": [], "kinds": ["general"], "people": [young_person],
        "plan": SignedOffPlanFactory(young_person=young_person), "young_person": young_person,
        "today": dt.date(2026, 12, 1), "team": Team.objects.first(),
    }
    needed = {}
    for name, param in inspect.signature(cls.__init__).parameters.items():
        if param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            assert name in known, f"{cls.__name__} needs {name}=: add a value for it to this test"
            needed[name] = known[name]
    return needed


def test_every_project_form_is_found():
    names = {cls.__name__ for cls in FORMS}
    assert {"ContactForm", "DecisionForm", "PlanForm", "RegisterForm", "DetailsForm", "NoteForm", "SignInForm",
            "InTouchCheckForm", "SupervisionForm", "ReducedVisitsForm"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("cls", FORMS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_no_required_field_keeps_djangos_default_message(cls, rf):
    assert issubclass(cls, PlainErrorsMixin), f"{cls.__name__} should be a core.forms.PlainForm / PlainModelForm"
    kwargs = _kwargs(cls)
    if cls.__name__ == "SignInForm":
        kwargs["request"] = rf.post("/")
    form = cls(data={}, files={}, **kwargs)
    form.is_valid()
    for name, field in form.fields.items():
        if field.required:
            assert str(field.error_messages["required"]) != DEFAULT, f"{cls.__name__}.{name}"
        for attr in ("label", "help_text"):
            assert not _RULE_IDS.search(str(getattr(field, attr) or "")), f"{cls.__name__}.{name} {attr}: rule ID"
    for name, errors in form.errors.items():
        assert DEFAULT not in [str(e) for e in errors], f"{cls.__name__}.{name}"


def test_the_important_forms_have_their_own_words(db):
    from approvals.forms import DecisionForm
    from casework.case_forms import RegisterForm
    from contacts.forms import ContactForm

    assert ContactForm(data={}).errors["method"] == ["Choose how the contact was made."]
    assert RegisterForm(data={}, teams=Team.objects.all()).errors["date_of_birth"] == ["Give the date of birth."]
    assert DecisionForm(data={}).errors["rationale"][0].startswith("Write your rationale")


def test_rule_ids_move_from_labels_to_the_title():
    """The labels are written without IDs (tests/core/test_issue15_rule_ids.py); one written with an ID still
    reaches the page without it."""
    from approvals.forms import ReducedVisitsForm
    from core.forms import PlainForm

    assert ReducedVisitsForm().fields["keeping_in_touch"].label == "Keeping-in-touch frequency and method"

    class Written(PlainForm):
        how = forms.CharField(label="Keeping-in-touch frequency and method (R3)")

    field = Written().fields["how"]
    assert field.label == "Keeping-in-touch frequency and method"
    assert field.widget.attrs["title"] == "Rule R3"
