"""Form pieces every app uses: date and time inputs, and the one way a view shows a refusal."""

import re

from django import forms
from django.utils import timezone

from .errors import ServiceError


class DateInput(forms.DateInput):
    """<input type="date">, whose value must be ISO (YYYY-MM-DD) or the browser shows it blank (issue 15,
    item 2). `past=True`: a date that cannot be in the future, so the picker stops at today (`max`, read when
    the form is drawn, not when the module was loaded)."""

    input_type = "date"

    def __init__(self, *, past: bool = False, **kwargs):
        kwargs.pop("format", None)
        super().__init__(format="%Y-%m-%d", **kwargs)
        self.past = past

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.past and "max" not in context["widget"]["attrs"]:
            context["widget"]["attrs"]["max"] = timezone.localdate().isoformat()
        return context


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


_ARTICLES = ("the ", "your ", "a ", "an ", "what ", "who ", "how ", "why ", "when ", "which ")


def _say_what_to_do(field: forms.Field, name: str) -> str:
    """issue 15, item 3: "Choose how the contact was made", not "This field is required."."""
    label = str(field.label or name.replace("_", " ")).rstrip(" :")
    lower = label[:1].lower() + label[1:]
    if lower.endswith("?"):
        return f"Answer this: {label}"
    thing = lower if lower.startswith(_ARTICLES) else f"the {lower}"
    if isinstance(field, forms.BooleanField):
        return "Tick this box to go on."
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return f"Choose {thing}."
    return f"Enter {thing}."


class PlainErrorsMixin:
    """issue 15, item 3: every required field says what to do when it is left empty, and a date that is not one
    says so with an example. A form sets `required_messages = {field: message}` for better words than the
    generic ones. Rule IDs ("(R3)", "(S5)", "(T4)") leave labels and help texts for the input's `title`.
    Every form in the project has it: `PlainForm` / `PlainModelForm` (or `OnceFormMixin`)."""

    required_messages: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plain_fields()

    def full_clean(self):
        self.plain_fields()  # fields a subclass added after __init__ get plain words too
        super().full_clean()  # type: ignore[misc]

    def plain_fields(self) -> None:
        default = str(forms.Field.default_error_messages["required"])
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if name in self.required_messages:
                field.error_messages["required"] = self.required_messages[name]
            elif str(field.error_messages.get("required")) == default:
                field.error_messages["required"] = _say_what_to_do(field, name)
            if isinstance(field, forms.DateField) and "invalid" in field.error_messages:
                field.error_messages["invalid"] = "Enter a real date, for example 1 Dec 2026."
            _rule_ids_to_title(field)


def _rule_ids_to_title(field: forms.Field) -> None:
    """issue 15, item 3: "Keeping-in-touch frequency and method (R3)" reads "Keeping-in-touch frequency and
    method"; the ID stays in the input's `title` ("Rule R3") for whoever wants to look it up in docs/rules.md."""
    ids: list[str] = []
    for attr in ("label", "help_text"):
        text = getattr(field, attr, None)
        if not text:
            continue
        text = str(text)
        found = _RULE_IDS.findall(text)
        if found:
            ids += [m.strip(" ()").removeprefix("rules ").removeprefix("rule ") for m in found]
            setattr(field, attr, _RULE_IDS.sub("", text).strip())
    if ids:
        title = "Rule " + ", ".join(dict.fromkeys(ids))
        old = field.widget.attrs.get("title")
        field.widget.attrs["title"] = f"{old}; {title}" if old and title not in old else (old or title)


class PlainForm(PlainErrorsMixin, forms.Form):
    """issue 15, item 3: the project's plain form (required fields say what to do)."""


class PlainModelForm(PlainErrorsMixin, forms.ModelForm):
    """issue 15, item 3: the project's plain model form."""


#: "(R1)", "(rule E3)", "(R1, D1)": a rule ID in brackets at the end of a sentence.
_RULE_IDS = re.compile(r"\s*\((?:rules? )?[A-Z]\d+(?:\s*(?:,|/|and)\s*[A-Z]?\d+)*\)")


def plain_reason(reason: str) -> str:
    """issue 15, item 3: a refusal for everyday text: the rule ID stays in code, tests and `title`s, not the sentence."""
    text = _RULE_IDS.sub("", reason).strip()
    return text[:1].upper() + text[1:]


def add_service_error(form, exc: ServiceError) -> None:
    """Put a service's refusal once, next to the field it is about or at the top of the form; a refusal
    with several reasons (R1, D1) lists every one of them."""
    field = exc.field if exc.field in form.fields else None
    if not exc.reasons:
        form.add_error(field, str(exc))
        return
    form.add_error(field, f"{exc.lead or 'This cannot be done'}:")
    for reason in exc.reasons:
        form.add_error(field, plain_reason(reason).rstrip(".") + ".")
