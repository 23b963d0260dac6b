"""core.templatetags.pk_urls (issue 16): `{% pk_url %}` is `{% url %}` for whole-number ids, reversed once per name."""

import pytest
from django.template import engines
from django.urls import clear_script_prefix, reverse, set_script_prefix

from core.templatetags import pk_urls
from core.templatetags.pk_urls import pk_url_for


@pytest.mark.parametrize(("name", "args"), [
    ("young_person", (7,)), ("young_person", (123456,)), ("case_note", (3, 41)), ("pathway:detail", (9,)),
    ("document_download", (1, 2)),
])
def test_it_is_reverse(name, args):
    assert pk_url_for(name, *args) == reverse(name, args=args)
    assert pk_url_for(name, *args) == reverse(name, args=args)  # from what was kept
    assert (name, len(args)) in {key[:2] for key in pk_urls._PIECES}  # noqa: SLF001


def test_anything_but_whole_numbers_is_reversed_as_given():
    assert pk_url_for("subject_access", 5, "pdf") == reverse("subject_access", args=[5, "pdf"])
    assert pk_url_for("young_person", "12") == reverse("young_person", args=["12"])


def test_another_script_prefix_gets_its_own():
    plain = pk_url_for("young_person", 5)
    set_script_prefix("/council/")
    try:
        assert pk_url_for("young_person", 5) == reverse("young_person", args=[5]) == "/council" + plain
    finally:
        clear_script_prefix()
    assert pk_url_for("young_person", 5) == plain


def test_the_tag_writes_what_url_wrote():
    template = engines["django"].from_string(
        "{% load pk_urls %}<a href=\"{% pk_url 'case_note' yp.pk note.pk %}\">|{% url 'case_note' yp.pk note.pk %}")
    html = template.render({"yp": {"pk": 3}, "note": {"pk": 8}})
    first, second = html.split("|")
    assert first == f'<a href="{second}">' and second == reverse("case_note", args=[3, 8])
