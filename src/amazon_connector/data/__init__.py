"""Data out: typed record sets, and one writer interface for every destination.

Files (CSV, JSON Lines, Parquet, XML with its XSD) are staged beside the target and renamed into place at
commit; SQL tables (SQLite, PostgreSQL) are written in one transaction. See ``targets`` for the target
syntax and ``writer`` for the commit rules.
"""

from amazon_connector.data.arrow import arrow_schema
from amazon_connector.data.destinations import open_destination, read_records
from amazon_connector.data.records import Column, ColumnType, Record, RecordError, RecordSet
from amazon_connector.data.targets import (
    DestinationBusyError,
    DestinationError,
    Format,
    SchemaMismatchError,
    Target,
    parse_target,
)
from amazon_connector.data.writer import Destination, WriteMode
from amazon_connector.data.xml_format import xsd_text
from amazon_connector.errors import MissingExtraError

__all__ = [
    "Column",
    "ColumnType",
    "Destination",
    "DestinationBusyError",
    "DestinationError",
    "Format",
    "MissingExtraError",
    "Record",
    "RecordError",
    "RecordSet",
    "SchemaMismatchError",
    "Target",
    "WriteMode",
    "arrow_schema",
    "open_destination",
    "parse_target",
    "read_records",
    "xsd_text",
]
