"""Row reads and writes for the hottest path, without the ORM compiling SQL on every call.

An order webhook reads and writes five or six rows, and its stage update has a budget
of 5 ms at p99 (``bench/stages.py``). ``Model.save()`` and ``QuerySet.create()`` compile
their statement on every call, several tenths of a millisecond of Python each, more than
PostgreSQL takes to run it. These helpers build each statement once per model and field
list, and prepare values with the fields' own ``pre_save`` and ``get_db_prep_save``, so
the row written is the one ``save()`` would write (``auto_now`` included), on PostgreSQL
and SQLite alike. No signals are sent: models here have no ``pre_save``/``post_save``
receivers. Reads apply the fields' converters, as a queryset does.
"""

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import Model


def _db():
    # The connection itself: ``django.db.connection`` is a proxy that looks the
    # thread's connection up on every attribute, dozens of times per row written.
    return connections[DEFAULT_DB_ALIAS]


def _names(fields: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(fields) if fields is not None else None


@cache
def _fields(model: type[Model], names: tuple[str, ...] | None) -> tuple:
    meta = model._meta
    if names is None:
        return tuple(field for field in meta.concrete_fields if not field.primary_key)
    return tuple(meta.get_field(name) for name in names)


@cache
def _insert_sql(model: type[Model], names: tuple[str, ...] | None, rows: int, vendor: str) -> str:
    quote = _db().ops.quote_name
    row = "(" + ", ".join(["%s"] * len(_fields(model, names))) + ")"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({columns(model, names)})"
        f" VALUES {', '.join([row] * rows)} RETURNING {quote(model._meta.pk.column)}"
    )


@cache
def _update_sql(model: type[Model], names: tuple[str, ...], vendor: str) -> str:
    quote = _db().ops.quote_name
    return f"UPDATE {quote(model._meta.db_table)} SET {assignments(model, names)} WHERE {quote(model._meta.pk.column)} = %s"


def assignments(model: type[Model], fields: Sequence[str]) -> str:
    """``column = %s, ...`` for these fields (an UPDATE's SET list)."""
    quote = _db().ops.quote_name
    return ", ".join(f"{quote(field.column)} = %s" for field in _fields(model, tuple(fields)))


@cache
def _select(model: type[Model], vendor: str) -> tuple[str, str, list]:
    db = _db()
    quote = db.ops.quote_name
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    converters = [
        (index, column, functions)
        for index, column in enumerate(field.get_col(table) for field in fields)
        if (functions := [*db.ops.get_db_converters(column), *column.get_db_converters(db)])
    ]
    return ", ".join(quote(field.column) for field in fields), quote(table), converters


def columns(model: type[Model], fields: Sequence[str] | None = None) -> str:
    """The quoted column names of these fields (every concrete one but the primary key)."""
    quote = _db().ops.quote_name
    return ", ".join(quote(field.column) for field in _fields(model, _names(fields)))


def typed_row(model: type[Model], fields: Sequence[str] | None = None) -> str:
    """``(CAST(%s AS type), ...)`` for these fields: a VALUES row whose types PostgreSQL
    knows outside an INSERT's own VALUES (in ``INSERT ... SELECT`` from a CTE, say)."""
    db = _db()
    return "(" + ", ".join(
        f"CAST(%s AS {field.db_type(db)})" for field in _fields(model, _names(fields))
    ) + ")"


#: Field classes whose ``get_db_prep_save`` returns a value of these exact types unchanged
#: on PostgreSQL (psycopg adapts them itself; integers only get the wrapper naming their
#: column's size), as it returns None: such values skip Django's preparation, most of the
#: Python time an order webhook spends writing its rows. Anything else (other types, naive
#: datetimes, non-finite decimals, JSON, ``auto_now``) goes through the field.
_AS_IS_ON_POSTGRESQL = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.BigAutoField: (int,),
    models.FloatField: (float,),
    models.DecimalField: (Decimal,),
    models.DateTimeField: (datetime,),
}
_UNSET = object()


def _as_is_types(field, vendor: str) -> tuple[type, ...]:
    """The value types this field writes unchanged on this database (none: always prepare)."""
    if vendor != "postgresql" or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return ()
    return _AS_IS_ON_POSTGRESQL.get(type(field.target_field if field.many_to_one else field), ())


@cache
def _preparers(model: type[Model], names: tuple[str, ...] | None, vendor: str) -> tuple:
    """(field, attname, types written as they are, the wrapper Django gives such an integer)."""
    wrappers = getattr(_db().ops, "integerfield_type_map", {})  # psycopg's Int2/Int4/Int8
    return tuple(
        (field, field.attname, types, wrappers.get(field.get_internal_type()) if int in types else None)
        for field in _fields(model, names)
        for types in [_as_is_types(field, vendor)]
    )


def _as_is(value, types: tuple[type, ...]) -> bool:
    if value is None:
        return True
    kind = type(value)
    if kind not in types:
        return False
    if kind is datetime:
        return value.tzinfo is not None
    if kind is Decimal:
        return value.is_finite()
    return True


def record_columns(model: type[Model], fields: Sequence[str] | None = None) -> str:
    """``column type, ...`` for these fields: the column list of ``jsonb_to_recordset(...) AS
    v(...)``, whose rows :func:`records` writes (PostgreSQL)."""
    db = _db()
    return ", ".join(
        f"{db.ops.quote_name(field.column)} {field.db_type(db)}" for field in _fields(model, _names(fields))
    )


def records(instances: Sequence[Model], fields: Sequence[str], *, add: bool) -> str:
    """These fields of the instances as one JSON parameter, an object per instance keyed by
    column, for ``jsonb_to_recordset``: any number of rows in one parameter and one
    statement (PostgreSQL). Decimals go as strings, so they arrive exact."""
    columns = [field.column for field in _fields(type(instances[0]), _names(fields))] if instances else []
    return json.dumps(
        [dict(zip(columns, values(instance, fields, add=add))) for instance in instances], default=str
    )


def values(instance: Model, fields: Sequence[str] | None = None, *, add: bool) -> list:
    """The parameters that write these fields of the instance, as ``insert``/``update`` do."""
    db = _db()
    params = []
    for field, attname, types, wrap in _preparers(type(instance), _names(fields), db.vendor):
        value = instance.__dict__.get(attname, _UNSET) if types else _UNSET
        if value is _UNSET or not _as_is(value, types):
            value = field.get_db_prep_save(field.pre_save(instance, add), db)
        elif wrap is not None and value is not None:
            value = wrap(value)
        params.append(value)
    return params


def insert(instances: Sequence[Model], fields: Sequence[str] | None = None) -> None:
    """INSERT the instances (all of one model) in one statement and set their primary keys.

    ``fields``: the columns to write, every concrete one but the primary key by default.
    """
    if not instances:
        return
    db = _db()
    model = type(instances[0])
    names = _names(fields)
    params = [value for instance in instances for value in values(instance, names, add=True)]
    with db.cursor() as cursor:
        cursor.execute(_insert_sql(model, names, len(instances), db.vendor), params)
        # PostgreSQL and SQLite return the rows of a multi-row VALUES in order (Django's
        # bulk_create relies on the same).
        for instance, (pk,) in zip(instances, cursor.fetchall(), strict=True):
            instance.pk = pk
            instance._state.adding = False


def update(instance: Model, fields: Sequence[str]) -> int:
    """UPDATE these fields of the instance's row (``auto_now`` ones are refreshed); rows changed."""
    db = _db()
    names = tuple(fields)
    with db.cursor() as cursor:
        cursor.execute(_update_sql(type(instance), names, db.vendor), [*values(instance, names, add=False), instance.pk])
        return cursor.rowcount


def select(
    model: type[Model],
    condition: str,
    params: Sequence = (),
    *,
    lock: bool = False,
    extra: dict[str, str] | None = None,
    extra_params: Sequence = (),
) -> list[Model]:
    """The model's rows matching an SQL ``condition`` (``ORDER BY`` may follow it), as instances.

    ``lock``: ``FOR UPDATE`` where the database locks rows. ``extra``: more expressions
    to select, by the attribute each instance gets (``QuerySet.extra(select=...)``); their
    parameters, ``extra_params``, come before ``params``.
    """
    db = _db()
    selected, table, converters = _select(model, db.vendor)
    extra = extra or {}
    more = "".join(f", {expression}" for expression in extra.values())
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT {selected}{more} FROM {table} WHERE {condition}{for_update() if lock else ''}",
            [*extra_params, *params],
        )
        found = cursor.fetchall()
    instances = []
    width = len(model._meta.concrete_fields)
    for row in found:
        row = list(row)
        for index, column, functions in converters:
            for function in functions:
                row[index] = function(row[index], column, db)
        instance = model.from_db(db.alias, None, row[:width])
        for name, value in zip(extra, row[width:]):
            setattr(instance, name, value)
        instances.append(instance)
    return instances


def for_update() -> str:
    """`` FOR UPDATE`` where the database locks rows (SQLite's transactions lock the file)."""
    return " FOR UPDATE" if _db().features.has_select_for_update else ""
