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


#: The identity of a column of a model's field under an alias, by (alias, the field's id, its output field's id): the
#: same few hundred columns are made afresh for every query, so each is worked out once per process (issue 16). Only
#: model fields are kept (long-lived, and held here beside their identity, so an id is never reused).
_KNOWN: dict[tuple, tuple] = {}


def col_identity(col: Col) -> tuple:
    if type(col) is not Col:
        return _django_identity(col)
    args, kwargs = col._constructor_args  # noqa: SLF001  (what @deconstructible recorded, as Django's identity reads)
    if not kwargs and len(_COL_ARGUMENTS) - 1 <= len(args) <= len(_COL_ARGUMENTS):  # get_col: Col(alias, field[, field])
        target = args[1]
        output_field = args[2] if len(args) == len(_COL_ARGUMENTS) else None
        key = (args[0], id(target), id(output_field))  # an output field given is part of the identity
        known = _KNOWN.get(key)
        if known is not None:
            return known[0]
        if getattr(target, "model", None) is not None and (output_field is None
                                                           or getattr(output_field, "model", None) is not None):
            identity = _identity_of(args, kwargs)
            _KNOWN[key] = (identity, target, output_field)
            return identity
    return _identity_of(args, kwargs, col)


def _identity_of(args, kwargs, col: Col | None = None) -> tuple:
    if col is not None and (len(args) > len(_COL_ARGUMENTS) or not kwargs.keys() <= set(_COL_ARGUMENTS[len(args):])):
        return _django_identity(col)
    given = dict(zip(_COL_ARGUMENTS, args, strict=False)) | kwargs
    if col is not None and "target" not in given:
        return _django_identity(col)
    convert = Col._identity  # noqa: SLF001
    return (Col, *((name, convert(given.get(name))) for name in _COL_ARGUMENTS))


def install() -> None:
    """Give `Col` the direct identity (CoreConfig.ready)."""
    identity = cached_property(col_identity)
    identity.__set_name__(Col, "identity")
    Col.identity = identity
