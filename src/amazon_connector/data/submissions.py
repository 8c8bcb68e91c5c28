"""What a bulk submission to Amazon has done so far, kept in the connection store so that a rerun
after a crash (or a kill) continues it and never sends anything twice.

A **run** is one input submitted on one connection (``kind``: what it submits; ``digest``: the input
and how it is sent). Starting a run looks at the connection's latest run of that kind; when it has the
same digest it is the run of this input again: continued when unfinished, and when finished, a rerun
that sends nothing (every record's answer is kept: the results are reported again from the store, the
same as the first time). Anything else starts afresh: another input, ``again`` (the input sent again
on purpose), or a finished run of an input that only reads. An unfinished run that a newer run followed
is abandoned, so that an old input never overrides a newer one, and an input sent after another is
sent again (it puts back what it says). A run records the **feeds** it created (the document, then
the feed ID once createFeed answered) and Amazon's **answers** to its records.

Times are the connection's clock (an emulator's own, for a connection to one): a feed's ``creating_at``
is compared with the ``createdTime`` Amazon gives its feeds.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, insert, select, update

from amazon_connector.connections.store.schema import (
    submission_answers_table as answers_table,
)
from amazon_connector.connections.store.schema import (
    submission_feeds_table as feeds_table,
)
from amazon_connector.connections.store.schema import (
    submission_runs_table as runs_table,
)
from amazon_connector.connections.store.times import utc

if TYPE_CHECKING:
    from amazon_connector.clock import Clock
    from amazon_connector.connections.store import Store


@dataclass(frozen=True, slots=True)
class Run:
    id: int
    kind: str
    via: str
    created_at: datetime
    resumed: bool
    """Whether this run was started before (by a process that did not finish it, or finished)."""
    finished_at: datetime | None = None
    """When the run had finished: a rerun of an input already sent, which sends nothing again."""

    @property
    def note(self) -> str | None:
        """What to tell of a run started before (None for a new one)."""
        begun = f"run {self.id}, begun at {self.created_at:%Y-%m-%d %H:%M:%S} UTC"
        if self.finished_at is not None:
            return (
                f"This input was sent already: {begun}, finished at {self.finished_at:%Y-%m-%d %H:%M:%S} "
                "UTC. Nothing is sent again; its results are reported again. To send it again on "
                "purpose, use --again."
            )
        if self.resumed:
            return f"Continuing the unfinished run of this input: {begun}. Nothing it sent is sent again."
        return None


@dataclass(frozen=True, slots=True)
class FeedPart:
    """One feed of a run: ``feed_id`` is None while createFeed has been sent but has not answered."""

    run_id: int
    part: int
    feed_document_id: str
    records: dict[str, Any]
    creating_at: datetime
    feed_id: str | None
    status: str | None
    result_document_id: str | None


def _part(row: Any) -> FeedPart:
    return FeedPart(
        row.run_id,
        row.part,
        row.feed_document_id,
        json.loads(row.records),
        utc(row.creating_at),
        row.feed_id,
        row.status,
        row.result_document_id,
    )


class Submissions:
    """The ``submission_runs``, ``submission_feeds`` and ``submission_answers`` tables, stamped with
    ``clock`` (the connection's)."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def start(
        self,
        connection_id: int,
        kind: str,
        digest: str,
        via: str,
        *,
        again: bool = False,
        reads_only: bool = False,
    ) -> Run:
        """The run of this input: the latest one of the connection and kind if it is for the same
        input, unless ``again`` or (for an input that only reads, ``reads_only``) it finished; else a
        new one."""
        now = self.clock.now()
        with self.store.transaction() as conn:
            latest = conn.execute(
                select(runs_table)
                .where(and_(runs_table.c.connection_id == connection_id, runs_table.c.kind == kind))
                .order_by(runs_table.c.id.desc())
                .limit(1)
            ).first()
            if latest is not None and latest.digest == digest and not again:
                begun = utc(latest.created_at)
                if not latest.finished:
                    return Run(latest.id, kind, latest.via, begun, resumed=True)
                if not reads_only:
                    return Run(latest.id, kind, latest.via, begun, True, utc(latest.updated_at))
            inserted = conn.execute(
                insert(runs_table).values(
                    connection_id=connection_id,
                    kind=kind,
                    digest=digest,
                    via=via,
                    finished=False,
                    created_at=now,
                    updated_at=now,
                )
            ).inserted_primary_key
        assert inserted is not None
        return Run(int(inserted[0]), kind, via, now, resumed=False)

    def finish(self, run_id: int, answers: Mapping[int, dict[str, Any]] | None = None) -> None:
        """The run is done; ``answers`` (by input line) are kept with it, so that a rerun reports them
        (those kept already, as a run that sends records one by one keeps them, stay)."""
        with self.store.transaction() as conn:
            kept = {
                r.line
                for r in conn.execute(select(answers_table.c.line).where(answers_table.c.run_id == run_id))
            }
            if fresh := [(line, a) for line, a in (answers or {}).items() if line not in kept]:
                conn.execute(
                    insert(answers_table),
                    [
                        {"run_id": run_id, "line": line, "answer": json.dumps(a, separators=(",", ":"))}
                        for line, a in fresh
                    ],
                )
            conn.execute(
                update(runs_table)
                .where(runs_table.c.id == run_id)
                .values(finished=True, updated_at=self.clock.now())
            )

    # --- feeds -----------------------------------------------------------------------------------

    def feeds(self, run_id: int) -> dict[int, FeedPart]:
        """The run's feeds by part."""
        with self.store.transaction() as conn:
            rows = conn.execute(select(feeds_table).where(feeds_table.c.run_id == run_id)).all()
        return {row.part: _part(row) for row in rows}

    def creating_feed(
        self, run_id: int, part: int, feed_document_id: str, records: dict[str, Any]
    ) -> FeedPart:
        """Record, before createFeed is sent, the document it names and the records the feed carries."""
        now = self.clock.now()
        with self.store.transaction() as conn:
            conn.execute(
                insert(feeds_table).values(
                    run_id=run_id,
                    part=part,
                    feed_document_id=feed_document_id,
                    records=json.dumps(records, separators=(",", ":")),
                    creating_at=now,
                )
            )
        return FeedPart(run_id, part, feed_document_id, records, now, None, None, None)

    def feed_created(self, run_id: int, part: int, feed_id: str) -> None:
        self._update_feed(run_id, part, feed_id=feed_id)

    def feed_status(self, run_id: int, part: int, status: str, result_document_id: str | None) -> None:
        self._update_feed(run_id, part, status=status, result_document_id=result_document_id)

    def _update_feed(self, run_id: int, part: int, **values: Any) -> None:
        with self.store.transaction() as conn:
            conn.execute(
                update(feeds_table)
                .where(and_(feeds_table.c.run_id == run_id, feeds_table.c.part == part))
                .values(**values)
            )

    def claimed_feeds(self, connection_id: int) -> set[str]:
        """Every feed ID the connection's runs recorded."""
        with self.store.transaction() as conn:
            rows = conn.execute(
                select(feeds_table.c.feed_id)
                .join(runs_table, runs_table.c.id == feeds_table.c.run_id)
                .where(and_(runs_table.c.connection_id == connection_id, feeds_table.c.feed_id.is_not(None)))
            ).all()
        return {row.feed_id for row in rows}

    def find_feed(self, connection_id: int, feed_id: str) -> FeedPart | None:
        """The connection's recorded feed with that ID (to join its report to the input)."""
        with self.store.transaction() as conn:
            row = conn.execute(
                select(feeds_table)
                .join(runs_table, runs_table.c.id == feeds_table.c.run_id)
                .where(and_(runs_table.c.connection_id == connection_id, feeds_table.c.feed_id == feed_id))
            ).first()
        return None if row is None else _part(row)

    # --- answers ---------------------------------------------------------------------------------

    def answers(self, run_id: int) -> dict[int, dict[str, Any]]:
        """Amazon's answers to the run's records, by input line."""
        with self.store.transaction() as conn:
            rows = conn.execute(select(answers_table).where(answers_table.c.run_id == run_id)).all()
        return {row.line: json.loads(row.answer) for row in rows}

    def answered(self, run_id: int, line: int, answer: dict[str, Any]) -> None:
        """Keep the answer to a record (replacing what was kept of it before: that it was being sent)."""
        with self.store.transaction() as conn:
            conn.execute(
                answers_table.delete().where(
                    and_(answers_table.c.run_id == run_id, answers_table.c.line == line)
                )
            )
            conn.execute(
                insert(answers_table).values(
                    run_id=run_id, line=line, answer=json.dumps(answer, separators=(",", ":"))
                )
            )
