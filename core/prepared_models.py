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

from django.db import connections
from django.db.models import prefetch_related_objects
from django.db.models.query import ModelIterable, get_related_populators

from .prepared import Prepared, _stand_ins


class PreparedModels(Prepared):
    """`objects(**values)`: the instances `list(build(**values))` gives; `known={"field": instance}` sets a
    foreign key's object on every instance (as a related manager's queryset sets the object it belongs to)."""

    def objects(self, using: str = "default", *, known: dict | None = None, **values) -> list:
        connection = connections[using]
        if connection.vendor != "postgresql" or None in values.values():
            found = list(self.build(**values))
        else:
            found = self._instances(using, values)
        for name, instance in (known or {}).items():
            for obj in found:
                setattr(obj, name, instance)
        return found

    def _instances(self, using: str, values: dict) -> list:
        sql, slots, (compiler, converters, width) = self._compile(using)
        queryset = self._prototype(using)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, self._params(slots, values))
            rows = cursor.fetchall()
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
