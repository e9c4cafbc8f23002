"""Bulk inserts for the ingest path.

Django's ``bulk_create`` on PostgreSQL sends one ``INSERT … SELECT * FROM UNNEST(…)`` whose
arrays psycopg quotes in Python, element by element; at thousands of messages per poll that
quoting and Django's per-value preparation cost more than the database does. ``COPY`` streams the
rows instead, with the primary keys drawn from the table's sequence first so that callers can
link rows to each other as they do after ``bulk_create``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

# Fields whose database value is the Python value itself when that is a plain str/int/bool/None;
# psycopg dumps those directly, so Django's per-value preparation can be skipped for them.
_PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField)
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def bulk_insert(objs: Sequence[Model], *, using: str = "default") -> None:
    """Insert new model instances and set their primary keys; no signals, like ``bulk_create``."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.db_manager(using).bulk_create(objs)
        return
    opts = model._meta
    pk = opts.pk
    quote = connection.ops.quote_name
    fields = list(opts.concrete_fields)
    values = [_value_getter(field, connection) for field in fields]
    with connection.cursor() as cursor:
        unnumbered = [obj for obj in objs if obj.pk is None]
        if unnumbered:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, len(unnumbered)],
            )
            for obj, (number,) in zip(unnumbered, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, number)
        statement = f"COPY {quote(opts.db_table)} ({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([value(obj) for value in values])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def _value_getter(field: models.Field, connection: BaseDatabaseWrapper) -> Callable[[Model], Any]:
    prepare = field.get_db_prep_save
    attname = field.attname
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, _PLAIN_FIELDS):

        def plain(obj: Model) -> Any:
            value = getattr(obj, attname)
            return value if type(value) in _PLAIN_TYPES else prepare(value, connection)

        return plain
    if isinstance(field, models.DateTimeField):

        def moment(obj: Model) -> Any:
            value = field.pre_save(obj, True)
            if type(value) is dt.datetime and value.tzinfo is not None:
                return value
            return prepare(value, connection)

        return moment
    return lambda obj: prepare(field.pre_save(obj, True), connection)
