"""A queryset compiled once per shape, then run again with other parameter values.

Building and compiling a queryset with subqueries costs hundreds of expression compilations
per request (the candidates ranking: ~330). When only the values change, the SQL does not:

    RANKING = PreparedQuery(Worker, build_ranking)          # build(shape, values) -> queryset
    workers = RANKING.run(shape, {"trade": 7, "day": date, "counties": [11, 12]})

The first `run` of a shape builds the queryset with stand-in values (unique integers, strings,
UUIDs, dates, times and datetimes no real row has), compiles it, and records which SQL
parameter is which value. Later runs of the shape bind the real values to those places and
execute the same SQL. A stand-in
that does not come back as a parameter unchanged (a value the build wrote into the SQL text,
changed — `startswith` sends "value%" — or did not use) is refused when the shape is prepared:
the template would silently keep it. Such lookups stay with the ordinary ORM.

`shape` is whatever changes the SQL besides the values: which branches the build adds, a
slice's bounds; list values count by their length. The database alias is part of the shape.
Results are model instances as the queryset would give them: select_related objects and
annotations included (no `_known_related_objects`, no `values()` / `defer()` shapes).
"""

import copy
import datetime
import itertools
import uuid

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models.query import get_related_populators

# Stand-ins start far above any primary key or count a build could hold as a constant.
_FIRST_STAND_IN = 2_000_000_000
_EMPTY = object()


class _Slot:
    """Where one value goes: its name and, for a list, its index."""

    __slots__ = ("index", "name")

    def __init__(self, name, index=None):
        self.name, self.index = name, index

    def value(self, values):
        value = values[self.name]
        return value if self.index is None else value[self.index]


def _adapt(connection, value):
    """The value as the backend's compiler passes it for a field of its type."""
    ops = connection.ops
    if isinstance(value, uuid.UUID):  # as UUIDField.get_db_prep_value
        return value if connection.features.has_native_uuid_field else value.hex
    if isinstance(value, datetime.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return ops.adapt_datefield_value(value)
    if isinstance(value, datetime.time):
        return ops.adapt_timefield_value(value)
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise TypeError(f"PreparedQuery takes integers, strings, UUIDs, dates and times, not {type(value).__name__}")


def _stand_in(n, like):
    if isinstance(like, uuid.UUID):
        return uuid.UUID(int=_FIRST_STAND_IN + n)
    if isinstance(like, datetime.datetime):
        return datetime.datetime(1001, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n, microseconds=1)
    if isinstance(like, datetime.date):
        return datetime.date(1001, 1, 1) + datetime.timedelta(days=n)
    if isinstance(like, datetime.time):
        return datetime.time(0, n // 60 % 60, n % 60, 1 + n // 3600)
    if isinstance(like, str):
        return f"\x00stand-in {n}"  # NUL: no stored text holds one (gigmarket.core.security)
    return _FIRST_STAND_IN + n


class _Template:
    def __init__(self, compiler, sql, params, slots):
        self.compiler, self.sql, self.params, self.slots = compiler, sql, params, slots

    def bind(self, connection, values):
        return tuple(
            param if slot is None else _adapt(connection, slot.value(values))
            for param, slot in zip(self.params, self.slots, strict=True)
        )


class PreparedQuery:
    def __init__(self, model, build):
        self.model = model
        self._build = build
        self._templates = {}  # (alias, shape, names and list lengths) -> _Template; bounded by the shapes

    def run(self, shape, values):
        alias = router.db_for_read(self.model)
        key = (
            alias,
            shape,
            tuple(sorted((name, len(v) if isinstance(v, list | tuple) else None) for name, v in values.items())),
        )
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = self._prepare(alias, shape, values)
        if template is _EMPTY:
            return []
        connection = connections[alias]
        compiler = copy.copy(template.compiler)
        compiler.connection = connection
        bound = (template.sql, template.bind(connection, values))
        compiler.as_sql = lambda *args, **kwargs: bound
        return list(_instances(compiler, alias))

    def _prepare(self, alias, shape, values):
        counter = itertools.count()
        stand_ins, slot_of = {}, {}
        connection = connections[alias]
        for name, value in values.items():
            if isinstance(value, list | tuple):
                stand_ins[name] = [_stand_in(next(counter), v) for v in value]
                slots = [(s, _Slot(name, i)) for i, s in enumerate(stand_ins[name])]
            else:
                stand_ins[name] = _stand_in(next(counter), value)
                slots = [(stand_ins[name], _Slot(name))]
            for stand_in, slot in slots:
                adapted = _adapt(connection, stand_in)
                slot_of[(type(adapted), adapted)] = slot
        queryset = self._build(shape, stand_ins)
        compiler = queryset.query.get_compiler(using=alias)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _EMPTY
        slots = [slot_of.get((type(p), p)) for p in params]
        unused = set(slot_of.values()) - set(slots)
        if unused:
            names = sorted({slot.name for slot in unused})
            raise ValueError(f"values {names} are not SQL parameters of the prepared query (shape {shape!r})")
        return _Template(compiler, sql, tuple(params), slots)


def _instances(compiler, db):
    """Model instances from a compiled query's rows, as Django's ModelIterable builds them."""
    results = compiler.execute_sql()
    select, klass_info, annotation_col_map = compiler.select, compiler.klass_info, compiler.annotation_col_map
    model_cls = klass_info["model"]
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    related_populators = get_related_populators(klass_info, select, db)
    for row in compiler.results_iter(results):
        obj = model_cls.from_db(db, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        for attr_name, col_pos in annotation_col_map.items():
            setattr(obj, attr_name, row[col_pos])
        yield obj
