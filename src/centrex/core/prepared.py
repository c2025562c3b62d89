"""Statements written once from the models' `_meta` and run many times, for the few statements
every SMS request makes: the bearer-token look-up with its related rows, and the queue's
INSERTs.

Building a statement through the ORM costs Django more than running it: the bearer-token look-up
with its user, customer, extension and sender policy spent ~0.4 ms compiling for ~0.03 ms in
SQLite, a fifth of a `POST /api/v1/sms/messages` (benchmarks/README.md, "the send path's
history"). Here the SQL is written once per process from the documented `_meta` API (tables,
columns, relations) and run through `connection.cursor()`; rows become instances with
`Model.from_db` and related instances are attached by plain assignment, as a caller would do.
Nothing here reaches into Django's query compiler or its private helpers.

- `JoinedLookup`: one model and its to-one relations (forward foreign keys and one-to-ones, and
  reverse one-to-ones: what `select_related` follows), filtered on columns of the model with
  simple comparisons. Values are read back as the ORM reads them: every field's `from_db_value`
  (documented for custom fields: JSON here) and, on SQLite, aware datetimes in UTC; a field type
  whose reading is not known here is refused when the look-up is defined.
- `insert_instances`: multi-row `INSERT … RETURNING` of unsaved instances, each value through
  its field's `pre_save` and `get_db_prep_save` (Django's own steps for an insert).

Measured worth (benchmarks/README.md, "fourth session"): with the ORM instead
(`select_related(…).filter(…)` and `bulk_create`) the web's CPU per SMS on SQLite rose from
1.55 to 2.48 ms (+60 %).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections, models

M = TypeVar("M", bound=models.Model)

# The comparisons a look-up may filter with.
_OPERATORS = frozenset({"=", "<", "<=", ">", ">="})

# Fields read back as the database driver returns them on both backends (Django's own
# converters leave these values alone): anything else must have a `from_db_value` or be a
# DateTimeField, else the look-up is refused when it is defined.
_READ_AS_RETURNED = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.FloatField,
    models.ForeignKey,
)


def concrete_fields(model: type[models.Model]) -> list[Any]:
    """The fields that have a column, in the order `Model.from_db` takes their values (the
    documented `_meta.get_fields()`, `Field.concrete` and `Field.many_to_many`)."""
    return [
        model_field
        for model_field in model._meta.get_fields()
        if model_field.concrete and not model_field.many_to_many
    ]


@dataclass
class _Table:
    """One model of a look-up: where its columns sit in the row and how it joins."""

    path: str  # "" for the looked-up model, else the select_related path
    model: type[models.Model]
    alias: str
    start: int
    names: list[str]  # attnames, in column order
    pk_index: int  # where the primary key sits among them
    converters: list[tuple[int, Any]]  # (index within the model's columns, value → value)
    parent: _Table | None = None
    attach_as: str = ""  # the attribute of the parent the instance is assigned to
    reverse: bool = False  # a reverse one-to-one (the parent may have none)
    children: list[_Table] = field(default_factory=list)


class JoinedRow(Generic[M]):
    """A found instance with its related ones attached, and every related instance by path
    (None where a nullable or reverse relation had no row)."""

    __slots__ = ("obj", "related")

    def __init__(self, obj: M, related: dict[str, models.Model | None]) -> None:
        self.obj = obj
        self.related = related


class JoinedLookup(Generic[M]):
    """`SELECT` of `model` and its to-one relations `related` (select_related paths) where each
    `(field name, operator)` of `where` compares a column of `model` with a value:

        LIVE = JoinedLookup(ApiToken, where=[("token_hash", "="), ("expires_at", ">")],
                            related=["user__customer"])
        rows = LIVE.fetch(token_hash, now)     # the values in `where`'s order

    The statement is written the first time it runs on a database and kept for the process."""

    def __init__(
        self,
        model: type[M],
        *,
        where: Sequence[tuple[str, str]],
        related: Sequence[str] = (),
    ) -> None:
        self.model = model
        self.where: list[tuple[Any, str]] = [
            (model._meta.get_field(name), operator) for name, operator in where
        ]
        for _field, operator in self.where:
            if operator not in _OPERATORS:
                raise ValueError(f"Unsupported comparison {operator!r}.")
        paths: list[str] = []
        for path in related:  # "a__b__c" also selects "a" and "a__b", as select_related does
            parts = path.split("__")
            for end in range(1, len(parts) + 1):
                prefix = "__".join(parts[:end])
                if prefix not in paths:
                    paths.append(prefix)
        self.paths = paths
        self._planned: list[_Table] | None = None
        self._sql: dict[str, str] = {}

    @property
    def _tables(self) -> list[_Table]:
        """The models of the statement, in column order: worked out and checked at the first
        use (a look-up may be defined before every model is loaded)."""
        if self._planned is None:
            self._planned = self._plan()
        return self._planned

    def _plan(self) -> list[_Table]:
        root = self._table("", self.model, 0, 0)
        tables = [root]
        by_path = {"": root}
        for path in self.paths:
            parent_path, _, name = path.rpartition("__")
            parent = by_path[parent_path]
            relation = parent.model._meta.get_field(name)
            if not (relation.many_to_one or relation.one_to_one):
                raise ValueError(f"{path!r} is not a to-one relation.")
            related_model = relation.related_model
            assert isinstance(related_model, type) and issubclass(related_model, models.Model)
            start = sum(len(t.names) for t in tables)
            table = self._table(path, related_model, start, len(tables))
            table.parent = parent
            table.attach_as = name
            table.reverse = not relation.concrete
            parent.children.append(table)
            tables.append(table)
            by_path[path] = table
        return tables

    def _table(self, path: str, model: type[models.Model], start: int, number: int) -> _Table:
        fields = concrete_fields(model)
        converters: list[tuple[int, Any]] = []
        for index, model_field in enumerate(fields):
            if hasattr(model_field, "from_db_value"):
                converters.append((index, _from_db_value(model_field)))
            elif isinstance(model_field, models.DateTimeField):
                converters.append((index, _aware))
            elif not isinstance(model_field, _READ_AS_RETURNED):
                raise ValueError(
                    f"{model.__name__}.{model_field.name}: {type(model_field).__name__} is not "
                    "read by JoinedLookup yet."
                )
        return _Table(
            path=path,
            model=model,
            alias=f"t{number}",
            start=start,
            names=[model_field.attname for model_field in fields],
            pk_index=fields.index(model._meta.pk),
            converters=converters,
        )

    def sql(self, using: str = "default") -> str:
        """The statement, for this database."""
        found = self._sql.get(using)
        if found is None:
            found = self._sql[using] = self._write(using)
        return found

    def _write(self, using: str) -> str:
        connection = connections[using]
        if connection.vendor == "sqlite" and connection.settings_dict.get("TIME_ZONE"):
            raise ValueError("JoinedLookup reads SQLite datetimes as UTC (no TIME_ZONE).")
        quote = connection.ops.quote_name

        def column(table: _Table, model_field: Any) -> str:
            return f"{table.alias}.{quote(model_field.column)}"

        root = self._tables[0]
        selected = ", ".join(
            column(table, model_field)
            for table in self._tables
            for model_field in concrete_fields(table.model)
        )
        joins: list[str] = []
        inner = {"": True}  # a relation joined INNER only below INNER joins, as the ORM does
        for table in self._tables[1:]:
            assert table.parent is not None
            parent = table.parent
            relation: Any = parent.model._meta.get_field(table.attach_as)
            if table.reverse:  # the related model holds the key to the parent's primary key
                keys = (column(table, relation.remote_field), column(parent, parent.model._meta.pk))
                is_inner = False
            else:
                keys = (column(table, table.model._meta.pk), column(parent, relation))
                is_inner = inner[parent.path] and not relation.null
            on = f"{keys[0]} = {keys[1]}"
            inner[table.path] = is_inner
            joins.append(
                f"{'INNER' if is_inner else 'LEFT OUTER'} JOIN "
                f"{quote(table.model._meta.db_table)} {table.alias} ON {on}"
            )
        conditions = " AND ".join(
            f"{column(root, model_field)} {operator} %s" for model_field, operator in self.where
        )
        return (
            f"SELECT {selected} FROM {quote(self.model._meta.db_table)} {root.alias} "  # noqa: S608
            f"{' '.join(joins)} WHERE {conditions}"
        )

    def fetch(self, *values: Any, using: str = "default") -> list[JoinedRow[M]]:
        """The rows whose columns compare so with `values` (in `where`'s order)."""
        connection = connections[using]
        params = [
            model_field.get_db_prep_value(value, connection)
            for (model_field, _operator), value in zip(self.where, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(self.sql(using), params)
            rows = cursor.fetchall()
        return [self._load(row, using) for row in rows]

    def _load(self, row: Sequence[Any], using: str) -> JoinedRow[M]:
        connection = connections[using]
        related: dict[str, models.Model | None] = {}
        made: dict[str, models.Model | None] = {}
        for table in self._tables:
            values = list(row[table.start : table.start + len(table.names)])
            parent = made.get(table.parent.path) if table.parent is not None else None
            if table.parent is not None and parent is None:
                made[table.path] = None  # under a missing row: missing too
                related[table.path] = None
                continue
            if values[table.pk_index] is None:  # no related row
                obj = None
            else:
                for index, convert in table.converters:
                    values[index] = convert(values[index], connection=connection)
                obj = table.model.from_db(using, table.names, values)
            made[table.path] = obj
            if table.parent is not None:
                related[table.path] = obj
                if obj is not None or not table.reverse:
                    setattr(parent, table.attach_as, obj)
        root = made[""]
        assert root is not None
        return JoinedRow(root, related)  # type: ignore[arg-type]


def _from_db_value(model_field: Any) -> Any:
    read = model_field.from_db_value

    def convert(value: Any, *, connection: Any) -> Any:
        return read(value, None, connection)

    return convert


def _aware(value: Any, *, connection: Any) -> Any:
    """A stored datetime as the ORM reads it with USE_TZ: aware, in UTC (PostgreSQL returns
    it so; SQLite's driver a naive datetime, or text)."""
    if value is None or not settings.USE_TZ:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


_INSERT_SQL: dict[tuple[str, type[models.Model], int], str] = {}


def insert_instances(objs: Sequence[models.Model], using: str = "default") -> None:
    """INSERT unsaved instances of one model in as few statements as the database's parameter
    limit allows, setting their primary keys (RETURNING). What `bulk_create` does, with the
    statement written once per model and row count instead of compiled on every call; each
    value goes through its field's `pre_save` and `get_db_prep_save`, as in Django's insert.
    No signals, like `bulk_create`."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[using]
    fields = [field for field in concrete_fields(model) if not field.primary_key]
    limit = connection.features.max_query_params or 65535
    per_statement = max(1, limit // len(fields))
    for start in range(0, len(objs), per_statement):
        chunk = objs[start : start + per_statement]
        key = (connection.vendor, model, len(chunk))
        sql = _INSERT_SQL.get(key)
        if sql is None:
            quote = connection.ops.quote_name
            row = "(" + ", ".join(["%s"] * len(fields)) + ")"
            sql = _INSERT_SQL[key] = (
                f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 (identifiers only)
                f"({', '.join(quote(field.column) for field in fields)}) "
                f"VALUES {', '.join([row] * len(chunk))} "
                f"RETURNING {quote(model._meta.pk.column)}"
            )
        params = [
            field.get_db_prep_save(field.pre_save(obj, True), connection)
            for obj in chunk
            for field in fields
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            ids = [row[0] for row in cursor.fetchall()]
        for obj, pk in zip(chunk, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = using
