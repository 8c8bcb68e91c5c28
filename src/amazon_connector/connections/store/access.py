"""What a repository needs of the store: transactions, the secret box, the clocks, where the store is,
and INSERT in its dialect. A Protocol, so that the repositories and the Store that holds them do not
import each other."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection as DbConnection

from amazon_connector.clock import Clock
from amazon_connector.connections.secretbox import SecretBox

InsertFor = Callable[[Table], postgresql.Insert | sqlite.Insert]


class Database(Protocol):
    """The store as its repositories see it (see Store)."""

    box: SecretBox
    clock: Clock
    clock_of: Callable[[str], Clock]
    location: str
    insert: InsertFor

    def transaction(self) -> AbstractContextManager[DbConnection]: ...
