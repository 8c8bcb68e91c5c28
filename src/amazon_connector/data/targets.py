"""Where records go, from one target string; and the errors of destinations that cannot be written.

Target syntax:

* ``-`` or ``table``: a table on the terminal (plain tab-separated lines when stdout is not a terminal);
* a file path ending ``.csv``, ``.jsonl`` (or ``.ndjson``), ``.parquet``, ``.xml``: that format;
  ``FORMAT:PATH`` (``csv:out.txt``) names the format of a path with any other ending;
* a path ending ``.db``, ``.sqlite`` or ``.sqlite3``, or a ``sqlite:///PATH`` URL: an SQLite database;
* ``postgresql://…`` or ``postgresql+psycopg://…``: PostgreSQL (SQLAlchemy URL; the ``[postgres]`` extra).

SQL targets take ``?table_prefix=P``: each record set ``S`` goes to table ``PS``. File targets hold several
record sets as several files: the first set goes to the path itself, each further set ``S`` beside it with
``.S`` before the extension (``orders.csv`` and ``orders.order_items.csv``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from amazon_connector.data.records import NAME, RecordSet
from amazon_connector.errors import ConfigurationError


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"
    XML = "xml"
    SQL = "sql"


FILE_SUFFIXES = {
    ".csv": Format.CSV,
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".parquet": Format.PARQUET,
    ".xml": Format.XML,
}
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
SQL_SCHEMES = ("sqlite", "postgresql")
TARGET_HELP = (
    "Give - (a table on the terminal), a file ending .csv, .jsonl, .parquet or .xml (or FORMAT:PATH), "
    "an SQLite file (.db, .sqlite) or URL (sqlite:///PATH), or a PostgreSQL URL (postgresql+psycopg://…)."
)


class DestinationError(ConfigurationError):
    """A destination cannot be written (or read). ``destination`` is the target as shown to the user."""

    def __init__(self, message: str, *, destination: str = "", hint: str | None = None) -> None:
        super().__init__(message, field="destination", hint=hint)
        self.destination = destination


class DestinationBusyError(DestinationError):
    """Another writer holds the destination."""


class SchemaMismatchError(DestinationError):
    """The destination holds records of other columns than the record set's; ``differences`` says which."""

    def __init__(self, message: str, *, destination: str, differences: Sequence[str], hint: str) -> None:
        super().__init__(message, destination=destination, hint=hint)
        self.differences = list(differences)


@dataclass(frozen=True)
class Target:
    """A parsed target: a format and a path (files, SQLite) or a URL (SQL)."""

    text: str
    format: Format
    path: Path | None = None
    url: str | None = None
    table_prefix: str = ""

    def __str__(self) -> str:
        return self.shown

    @property
    def shown(self) -> str:
        """The target as shown in messages: a URL's password hidden."""
        if self.url is None:
            return str(self.path) if self.path is not None else self.text
        from sqlalchemy.engine import make_url

        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def key(self) -> str:
        """A stable identity of the destination (format, absolute path or URL without password, table
        prefix), for callers that remember per destination how far they got."""
        return f"{self.format}:{self.shown}" + (f"#{self.table_prefix}" if self.table_prefix else "")

    def file_paths(self, record_sets: Sequence[RecordSet]) -> dict[str, Path]:
        """The file of each record set: the first at the path, the others with ``.NAME`` before the suffix."""
        assert self.path is not None, "only file targets have file paths"
        path = self.path
        return {
            s.name: path if i == 0 else path.with_name(f"{path.stem}.{s.name}{path.suffix}")
            for i, s in enumerate(record_sets)
        }

    def table_name(self, record_set: RecordSet) -> str:
        return f"{self.table_prefix}{record_set.name}"


def parse_target(text: str, *, table_prefix: str | None = None) -> Target:
    """The target that ``text`` names, or a DestinationError that shows the syntax."""
    text = text.strip()
    if text in ("-", "table"):
        return Target(text, Format.TABLE)
    if not text:
        raise DestinationError("No destination was given.", hint=TARGET_HELP)
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme:
        return _sql_target(text, scheme.group(1).lower(), table_prefix)
    explicit = re.match(r"([A-Za-z]+):(?!\\)(.+)\Z", text)
    if explicit and explicit.group(1).lower() in (f.value for f in FILE_SUFFIXES.values()):
        return Target(text, Format(explicit.group(1).lower()), path=_absolute(explicit.group(2)))
    path = _absolute(text)
    suffix = path.suffix.lower()
    if suffix in FILE_SUFFIXES:
        return Target(text, FILE_SUFFIXES[suffix], path=path)
    if suffix in SQLITE_SUFFIXES:
        return _with_prefix(Target(text, Format.SQL, path=path, url=f"sqlite:///{path}"), table_prefix)
    raise DestinationError(
        f"Cannot tell the format of the destination {text!r} from its name.",
        destination=text,
        hint=TARGET_HELP,
    )


def _absolute(path: str) -> Path:
    return Path(path).expanduser().absolute()


def _sql_target(text: str, scheme: str, table_prefix: str | None) -> Target:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if scheme.split("+", maxsplit=1)[0] not in SQL_SCHEMES:
        raise DestinationError(
            f"The destination URL's scheme {scheme!r} is not supported.",
            destination=text.split("://", maxsplit=1)[0] + "://…",
            hint="Use sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE.",
        )
    try:
        url = make_url(text)
    except ArgumentError:
        raise DestinationError(
            "The destination URL is not valid.",
            destination=scheme + "://…",
            hint="Use sqlite:///PATH or postgresql+psycopg://USER@HOST/DATABASE.",
        ) from None
    prefix = url.query.get("table_prefix")
    url = url.difference_update_query(["table_prefix"])
    path = None
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DestinationError(
                "An SQLite destination needs a file.", destination=text, hint="Use sqlite:///PATH/TO/FILE.db."
            )
        path = _absolute(url.database)
        url = url.set(database=str(path))
    target = Target(text, Format.SQL, path=path, url=url.render_as_string(hide_password=False))
    return _with_prefix(target, table_prefix if table_prefix is not None else _one(prefix))


def _one(value: str | tuple[str, ...] | None) -> str | None:
    return value[-1] if isinstance(value, tuple) else value


def _with_prefix(target: Target, prefix: str | None) -> Target:
    if not prefix:
        return target
    if not NAME.match(prefix):
        raise DestinationError(
            f"The table prefix {prefix!r} is not a letter or _ followed by letters, digits or _.",
            destination=target.shown,
        )
    return Target(target.text, target.format, target.path, target.url, prefix)
