"""SQL destinations (SQLite, PostgreSQL): one table per record set, created with its primary key when missing.

Everything is written in one transaction, committed by ``commit``. ``upsert`` and ``replace`` insert with
the dialect's ``INSERT … ON CONFLICT DO UPDATE`` in batches (``replace`` first deletes the table's rows,
inside the same transaction); ``append``, and a record set without a primary key, insert. A table whose columns differ from the record set's is
refused before anything is written. On SQLite decimals are stored as text (SQLite would round them to
floating point) and times as UTC text; on PostgreSQL as NUMERIC(38, scale), TIMESTAMPTZ and JSONB.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from amazon_connector.data.records import ColumnType, Record, RecordSet, column_differences
from amazon_connector.data.staging import require_writable
from amazon_connector.data.targets import DestinationError, SchemaMismatchError, Target
from amazon_connector.data.writer import Destination, WriteMode
from amazon_connector.extras import install_command


def _types() -> Any:
    """SQLAlchemy types for each column type and dialect (built on first use: SQLAlchemy is imported lazily)."""
    from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Numeric, String, Text
    from sqlalchemy.dialects.postgresql import JSONB
    from sqlalchemy.types import TypeDecorator

    class DecimalText(TypeDecorator[Decimal]):
        """A decimal kept exactly as text (SQLite has no exact decimal type)."""

        impl = String
        cache_ok = True

        def process_bind_param(self, value: Decimal | None, dialect: Any) -> str | None:
            return None if value is None else format(value, "f")

        def process_result_value(self, value: Any, dialect: Any) -> Decimal | None:
            return None if value is None else Decimal(str(value))

    class UtcDateTime(TypeDecorator[datetime]):
        """A timestamp stored in UTC and read back timezone-aware."""

        impl = DateTime
        cache_ok = True

        def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
            if value is None or dialect.name == "postgresql":
                return value
            return value.astimezone(UTC).replace(tzinfo=None)

        def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
            if value is None:
                return None
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def column_type(column_type: ColumnType, scale: int, dialect: str) -> Any:
        postgres = dialect == "postgresql"
        return {
            ColumnType.STRING: Text(),
            ColumnType.INTEGER: BigInteger(),
            ColumnType.DECIMAL: Numeric(38, scale, asdecimal=True) if postgres else DecimalText(),
            ColumnType.BOOLEAN: Boolean(),
            ColumnType.TIMESTAMP: UtcDateTime(timezone=True),
            ColumnType.DATE: Date(),
            ColumnType.JSON: JSONB() if postgres else JSON(),
        }[column_type]

    return column_type


def _family(sql_type: Any) -> str:
    """A coarse kind of an SQL type, to compare a table's columns with a record set's."""
    from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Numeric, String
    from sqlalchemy.types import TypeDecorator

    if isinstance(sql_type, TypeDecorator):
        sql_type = sql_type.impl_instance
    for family, kind in (
        ("boolean", Boolean),
        ("integer", Integer),
        ("float", Float),
        ("decimal", Numeric),
        ("timestamp", DateTime),
        ("date", Date),
        ("json", JSON),
        ("text", String),
    ):
        if isinstance(sql_type, kind):
            return family
    return type(sql_type).__name__.lower()


class SqlDestination(Destination):
    def __init__(self, target: Target, record_sets: Sequence[RecordSet], mode: WriteMode) -> None:
        super().__init__(target, record_sets, mode)
        from sqlalchemy import MetaData

        self.engine = make_engine(target)
        self.dialect = self.engine.dialect.name
        self.metadata = MetaData()
        self.tables: dict[str, Any] = {}
        self.connection: Any = None
        try:
            with database_errors(target):
                self.connection = self.engine.connect()
                self.connection.begin()
                for s in record_sets:
                    self.tables[s.name] = self._prepare(s)
        except BaseException:
            self._abort()
            raise

    def _prepare(self, record_set: RecordSet) -> Any:
        from sqlalchemy import delete, inspect

        name = self.target.table_name(record_set)
        table = sql_table(self.metadata, record_set, name, self.dialect)
        inspector = inspect(self.connection)
        if inspector.has_table(name):
            self._check_table(record_set, table, inspector)
            if self.mode is WriteMode.REPLACE:
                self.connection.execute(delete(table))
        else:
            table.create(self.connection)
        return table

    def _check_table(self, record_set: RecordSet, table: Any, inspector: Any) -> None:
        found = {c["name"]: c for c in inspector.get_columns(table.name)}
        differences = column_differences(record_set, list(found))
        if not differences:
            for column in table.columns:
                expected, actual = _family(column.type), _family(found[column.name]["type"])
                if expected != actual:
                    differences.append(f"column {column.name} is {actual}, the record set's is {expected}")
            key = inspector.get_pk_constraint(table.name).get("constrained_columns") or []
            if list(key) != list(record_set.primary_key):
                differences.append(
                    f"its primary key is ({', '.join(key)}), the record set's ({', '.join(record_set.primary_key)})"
                )
        if differences:
            raise SchemaMismatchError(
                f"The table {table.name} in {self.target.shown} has other columns than record set "
                f"{record_set.name}: {'; '.join(differences)}. Nothing was written.",
                destination=self.target.shown,
                differences=differences,
                hint=(
                    "Write to another table (add ?table_prefix=NAME_ to the destination), or migrate the table "
                    f"to the record set's columns, or drop it (DROP TABLE {table.name}) to have it created anew."
                ),
            )

    def _write_records(self, record_set: RecordSet, records: list[Record]) -> None:
        from sqlalchemy import insert

        table = self.tables[record_set.name]
        if self.mode is WriteMode.APPEND or not record_set.primary_key:  # no key to merge by: added
            statement = insert(table)
        else:
            statement = self._upsert(record_set, table)
            records = _last_of_each_key(record_set, records)
        with database_errors(self.target):
            self.connection.execute(statement, records)

    def _upsert(self, record_set: RecordSet, table: Any) -> Any:
        from sqlalchemy.dialects import postgresql, sqlite

        statement = (postgresql if self.dialect == "postgresql" else sqlite).insert(table)
        updated = {
            c: statement.excluded[c] for c in record_set.column_names if c not in record_set.primary_key
        }
        if not updated:
            return statement.on_conflict_do_nothing(index_elements=list(record_set.primary_key))
        return statement.on_conflict_do_update(index_elements=list(record_set.primary_key), set_=updated)

    def _commit(self) -> None:
        with database_errors(self.target):
            self.connection.commit()
        self.connection.close()
        self.engine.dispose()

    def _abort(self) -> None:
        if self.connection is not None:
            with suppress(Exception):  # a connection that broke has nothing left to roll back
                self.connection.rollback()
            with suppress(Exception):
                self.connection.close()
        self.engine.dispose()


def _last_of_each_key(record_set: RecordSet, records: list[Record]) -> list[Record]:
    """The records with a key seen again in the batch dropped but for the last (one statement may not touch
    a row twice)."""
    by_key = {record_set.key_of(r): r for r in records}
    return records if len(by_key) == len(records) else list(by_key.values())


def make_engine(target: Target) -> Any:
    """An engine for the target's URL: on SQLite, transactions that take the write lock when they begin."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import ArgumentError

    assert target.url is not None
    if target.path is not None:
        require_writable(target.path.parent, [target.path], target.shown)
        engine = create_engine(target.url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # transactions begin with our BEGIN IMMEDIATE

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    try:
        return create_engine(target.url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    except ImportError as exc:
        raise DestinationError(
            f"The database driver for {target.shown} is not installed ({exc.name or exc}).",
            destination=target.shown,
            hint=f"Run: {install_command('postgres')}",
        ) from None
    except ArgumentError as exc:
        raise DestinationError(
            f"Cannot use the database {target.shown}: {exc}.",
            destination=target.shown,
            hint="Use sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE.",
        ) from None


def sql_table(metadata: Any, record_set: RecordSet, name: str, dialect: str) -> Any:
    """The SQLAlchemy table of a record set."""
    from sqlalchemy import Column, PrimaryKeyConstraint, Table

    column_type = _types()
    return Table(
        name,
        metadata,
        *(
            Column(c.name, column_type(c.type, c.scale, dialect), nullable=c.nullable, comment=c.doc or None)
            for c in record_set.columns
        ),
        *([PrimaryKeyConstraint(*record_set.primary_key)] if record_set.primary_key else []),
        comment=record_set.doc or None,
    )


@contextmanager
def database_errors(target: Target) -> Iterator[None]:
    """Database errors as DestinationErrors that name the destination and what to check."""
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

    try:
        yield
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        if isinstance(exc, IntegrityError):
            hint = "A record's primary key is in the table already: write with --mode upsert to replace it."
        elif isinstance(exc, OperationalError):
            hint = (
                "Check that the database is running and reachable, that the URL, user and password are "
                "right, and that its disk has space."
            )
        else:
            hint = None
        raise DestinationError(
            f"Cannot write to {target.shown}: {reason}. Nothing was written; its previous content is unchanged.",
            destination=target.shown,
            hint=hint,
        ) from None


def read_table(target: Target, record_set: RecordSet) -> Iterator[list[Record]]:
    """The records of a record set's table, ordered by primary key, in batches."""
    from sqlalchemy import MetaData, select

    engine = make_engine(target)
    table = sql_table(MetaData(), record_set, target.table_name(record_set), engine.dialect.name)
    try:
        with database_errors(target), engine.connect() as connection:
            result = connection.execution_options(yield_per=10_000).execute(
                select(table).order_by(*(table.c[k] for k in record_set.primary_key))
            )
            for rows in result.partitions():
                yield [record_set.coerce(dict(row._mapping)) for row in rows]
    finally:
        engine.dispose()
