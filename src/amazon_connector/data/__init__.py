"""Data out and in: typed record sets, one writer interface for every destination, input records read
from files and databases with their line numbers, and one result per record sent to Amazon.

Files (CSV, JSON Lines, Parquet, XML with its XSD) are staged beside the target and renamed into place at
commit; SQL tables (SQLite, PostgreSQL) are written in one transaction. See ``targets`` for the target
syntax, ``writer`` for the commit rules, ``sources`` for inputs and ``results`` for results and errors.
"""

from amazon_connector.data.arrow import arrow_schema
from amazon_connector.data.destinations import open_destination, read_records
from amazon_connector.data.records import Column, ColumnType, Record, RecordError, RecordSet
from amazon_connector.data.results import (
    ERRORS,
    RESULTS,
    Issue,
    Outcome,
    RecordResult,
    ResultFiles,
    write_results,
)
from amazon_connector.data.sources import InputRecord, Source, SourceError, open_source
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
    "ERRORS",
    "RESULTS",
    "Column",
    "ColumnType",
    "Destination",
    "DestinationBusyError",
    "DestinationError",
    "Format",
    "InputRecord",
    "Issue",
    "MissingExtraError",
    "Outcome",
    "Record",
    "RecordError",
    "RecordResult",
    "RecordSet",
    "ResultFiles",
    "SchemaMismatchError",
    "Source",
    "SourceError",
    "Target",
    "WriteMode",
    "arrow_schema",
    "open_destination",
    "open_source",
    "parse_target",
    "read_records",
    "write_results",
    "xsd_text",
]
