"""Model instances from a query compiled once per process (issue 16).

`core.prepared.Prepared` gives a query's rows as tuples. The young person's page also reads records that its
timeline, rules and templates use as model instances (contacts with their visit checklist, plans with who signed
them off, the requirements with their status): building and compiling those querysets was about a third of the
page's Python. `PreparedModels` compiles them once, as Prepared does (the same stand-in checks), and builds each
row's instance as Django's `ModelIterable` does: the model's fields from the row, each `select_related` object,
each annotation as an attribute. The instances are the same as the queryset's (tests/core/test_prepared_models.py
compares every field, related object and annotation). `prefetch_related` lookups of the built queryset are run on
the instances afterwards, as the queryset would.

Elsewhere than PostgreSQL, or when a value is None, the queryset is built and run as it is, as in Prepared."""

import datetime as dt
import json

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import prefetch_related_objects
from django.db.models.functions import JSONArray
from django.db.models.query import ModelIterable, get_related_populators

from .prepared import Prepared, _stand_ins, execute


def with_known(found: list, known: dict | None) -> list:
    """`found`, each instance given the objects of `known` (`{"field": instance}`), as `objects(known=...)` sets them."""
    for name, instance in (known or {}).items():
        for obj in found:
            setattr(obj, name, instance)
    return found


class PreparedModels(Prepared):
    """`objects(**values)`: the instances `list(build(**values))` gives; `known={"field": instance}` sets a
    foreign key's object on every instance (as a related manager's queryset sets the object it belongs to)."""

    def objects(self, using: str = "default", *, known: dict | None = None, **values) -> list:
        connection = connections[using]
        if connection.vendor != "postgresql" or None in values.values():
            found = list(self.build(**values))
        else:
            found = self._instances(using, values)
        return with_known(found, known)

    def _instances(self, using: str, values: dict) -> list:
        sql, slots, _ = self._compile(using)
        rows = execute(connections[using], sql, self._params(slots, values), bigint=self._bigint(slots, len(slots)))
        return self.from_rows(rows, using)

    def from_rows(self, rows: list, using: str = "default") -> list:
        """The instances of rows this query's SQL (`sql()`) gave, fetched elsewhere (core.batch)."""
        _sql, _slots, (compiler, converters, width) = self._compile(using)
        queryset = self._prototype(using)
        if width is not None:
            rows = [row[:width] for row in rows]
        if converters:
            rows = compiler.apply_converters(rows, converters)
        klass_info, select, annotations = compiler.klass_info, compiler.select, compiler.annotation_col_map
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        attnames = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        found = []
        for row in rows:
            obj = model.from_db(using, attnames, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            found.append(obj)
        if queryset._prefetch_related_lookups:  # noqa: SLF001  (the lookups the queryset itself would run)
            prefetch_related_objects(found, *queryset._prefetch_related_lookups)  # noqa: SLF001
        return found

    def _prototype(self, using: str):
        """The queryset built once with stand-ins (after _compile): what kind of iterable and prefetches it has."""
        queryset = self.__dict__.get("_queryset")
        if queryset is None:
            queryset = self.__dict__["_queryset"] = self.build(**_stand_ins(self.kinds, 1)[0])
            if queryset._iterable_class is not ModelIterable or queryset._known_related_objects:  # noqa: SLF001
                raise TypeError("PreparedModels builds model instances: use Prepared.rows for values_list, and "
                                "known= for the object a related manager would set.")
        return queryset


_FROM_JSON = {
    "DateField": dt.date.fromisoformat,
    "DateTimeField": dt.datetime.fromisoformat,
}
#: Column types that JSON gives back as Python gives them (text, whole numbers, true/false, null).
_AS_JSON = {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "ForeignKey",
            "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField", "TextField"}


class Together:
    """Several values_list reads of one young person (each a `Prepared`) sent as one query: `SELECT ARRAY(<first>),
    ARRAY(<second>), ...`, each read's columns as one JSON array a row, so its own ORDER BY and LIMIT keep their
    meaning (ARRAY keeps the order of its subquery). Dates come back from their ISO text; a column of another type
    than the few JSON gives back unchanged raises rather than guess. `rows(reads)` gives each read's rows as
    `Prepared.rows` would (the same tuples: tests/core/test_prepared_models.py). Elsewhere than PostgreSQL, or with
    a None value, each read is run on its own."""

    def __init__(self, *prepared: Prepared):
        self.prepared = prepared
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str):
        compiled = self._compiled.get(using)
        if compiled is not None:
            return compiled
        parts, decoders = [], []
        for one in self.prepared:
            _sql, _slots, (compiler, converters, width) = one._compile(using)  # noqa: SLF001  (the same stand-ins)
            fields = compiler.query.values_select + tuple(compiler.query.annotation_select)
            if width is not None or len(fields) != compiler.col_count:
                raise ImproperlyConfigured("Together reads values_list queries (no columns added for the ordering).")
            decoders.append(([self._decoder(column[0].output_field) for column in compiler.select[:compiler.col_count]],
                             compiler, converters))
            as_json = Prepared(lambda build=one.build, names=fields, **values: build(**values).values_list(
                JSONArray(*names)), **one.kinds)
            parts.append(as_json)
        compiled = self._compiled[using] = (parts, decoders)
        return compiled

    @staticmethod
    def _decoder(field):
        kind = field.get_internal_type()
        if kind in _FROM_JSON:
            return _FROM_JSON[kind]
        if kind in _AS_JSON:
            return None
        raise ImproperlyConfigured(f"Together cannot read a {kind} column back from JSON.")

    def named(self, names: tuple[str, ...], reads: list[dict], using: str = "default") -> dict[str, list[tuple]]:
        """Each read's rows by its name. Where they cannot be read together, each read runs when first asked for, so
        a page that uses only some of them sends only those queries."""
        if connections[using].vendor != "postgresql" or any(None in values.values() for values in reads):
            by_name = dict(zip(names, zip(self.prepared, reads, strict=True), strict=True))
            return _OnAsk(lambda name: by_name[name][0].rows(using, **by_name[name][1]))
        return dict(zip(names, self.rows(reads, using), strict=True))

    def rows(self, reads: list[dict], using: str = "default") -> list[list[tuple]]:
        """`reads`: each Prepared's values, in the order given to Together."""
        if connections[using].vendor != "postgresql" or any(None in values.values() for values in reads):
            return [one.rows(using, **values) for one, values in zip(self.prepared, reads, strict=True)]
        parts, decoders = self._compile(using)
        selects, params, bigint = [], [], []
        for part, values in zip(parts, reads, strict=True):
            sql, slots, _ = part._compile(using)  # noqa: SLF001  (as part.sql, and where its ids are)
            selects.append(f"ARRAY({sql})")
            bigint += [len(params) + position for position in part._bigint(slots, len(slots))]  # noqa: SLF001
            params += part._params(slots, values)  # noqa: SLF001
        arrays = execute(connections[using], f"SELECT {', '.join(selects)}", params, bigint=bigint, one=True)
        found = []
        for array, (decode, compiler, converters) in zip(arrays, decoders, strict=True):
            rows = [tuple(value if f is None or value is None else f(value) for value, f in zip(row, decode, strict=True))
                    for row in (json.loads(item) if isinstance(item, str) else item for item in array)]
            if converters:  # as Prepared.rows: the fields' own converters (e.g. a subquery's count to int)
                rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
            found.append(rows)
        return found


class _OnAsk(dict):
    """A read's rows read the first time they are asked for (Together.named, elsewhere than PostgreSQL)."""

    def __init__(self, read):
        super().__init__()
        self.read = read

    def __missing__(self, name: str):
        value = self[name] = self.read(name)
        return value
