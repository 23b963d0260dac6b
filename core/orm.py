"""A column's identity worked out without `inspect` (issue 16).

Django compares and hashes expressions by their `identity`, a tuple built from the constructor's arguments by
binding them to `inspect.signature(__init__)`. The compiler hashes every selected column of each ordered query
(`SQLCompiler._order_by_pairs`), and columns are made afresh for every query: on the young person's page that was
about 400 signature bindings a request, 8-14 % of the page's Python. `Col` takes three arguments, so its identity
is the same tuple built directly; any subclass, or arguments this does not expect, take Django's own way.
`tests/core/test_orm.py` checks the two agree.
"""

from django.db.models.expressions import Col, Expression
from django.utils.functional import cached_property

_COL_ARGUMENTS = ("alias", "target", "output_field")
_django_identity = Expression.identity.func


def col_identity(col: Col) -> tuple:
    if type(col) is not Col:
        return _django_identity(col)
    args, kwargs = col._constructor_args  # noqa: SLF001  (what @deconstructible recorded, as Django's identity reads)
    if len(args) > len(_COL_ARGUMENTS) or not kwargs.keys() <= set(_COL_ARGUMENTS[len(args):]):
        return _django_identity(col)
    given = dict(zip(_COL_ARGUMENTS, args, strict=False)) | kwargs
    if "target" not in given:
        return _django_identity(col)
    convert = Col._identity  # noqa: SLF001
    return (Col, *((name, convert(given.get(name))) for name in _COL_ARGUMENTS))


def install() -> None:
    """Give `Col` the direct identity (CoreConfig.ready)."""
    identity = cached_property(col_identity)
    identity.__set_name__(Col, "identity")
    Col.identity = identity
