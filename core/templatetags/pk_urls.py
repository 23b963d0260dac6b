"""`{% pk_url 'name' pk ... %}`: `{% url 'name' pk ... %}` for whole-number ids, at the cost of one `reverse` per URL
name and process (issue 16: the young person's page links its records some forty times, each `{% url %}` a
`reverse` of about a hundred Python calls).

The URL is reversed once with placeholder numbers in the ids' places and the ids are put in their place after; a
URL whose converters do not write a number as its digits (checked once, against `reverse` with other numbers) and any
argument that is not a whole number take `reverse` itself. The script prefix and the URL configuration in force are
part of what is kept, so a request under another prefix gets its own.
"""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

#: Numbers no id reaches, reversed in the ids' places and then replaced (one per argument).
_SLOTS = (987654321987, 987654321988, 987654321989)
#: (name, arguments, prefix, URL configuration) -> the URL's pieces between the ids, or None: reverse each time.
_PIECES: dict[tuple, list[str] | None] = {}


def _pieces(name: str, count: int) -> list[str] | None:
    slots = _SLOTS[:count]
    url = reverse(name, args=slots)
    pieces: list[str] = []
    for slot in slots:
        head, found, url = url.partition(str(slot))
        if not found:
            return None
        pieces.append(head)
    pieces.append(url)
    checks = [(1, 22, 333)[:count], (4444, 5, 66)[:count]]
    if any(_join(pieces, check) != reverse(name, args=check) for check in checks):
        return None
    return pieces


def _join(pieces: list[str], pks) -> str:
    out = [pieces[0]]
    for pk, piece in zip(pks, pieces[1:], strict=True):
        out.append(str(pk))
        out.append(piece)
    return "".join(out)


def pk_url_for(name: str, *pks) -> str:
    """reverse(name, args=pks), kept per name when every argument is a whole number."""
    if not 1 <= len(pks) <= len(_SLOTS) or any(type(pk) is not int for pk in pks):
        return reverse(name, args=pks)
    key = (name, len(pks), get_script_prefix(), get_urlconf())
    if key not in _PIECES:
        _PIECES[key] = _pieces(name, len(pks))
    pieces = _PIECES[key]
    return reverse(name, args=pks) if pieces is None else _join(pieces, pks)


@register.simple_tag
def pk_url(name: str, *pks) -> str:
    return pk_url_for(name, *pks)
