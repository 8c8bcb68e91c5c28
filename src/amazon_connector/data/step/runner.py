"""Running a step: every record mapped, then sent on its connection (many in flight; the runtime paces
them to the usage plan), each answer kept in the connection store as it comes, then OutputData and
ErrorData written. A 2xx answer that refuses the record (the catalog's ``refusal`` rule for the
operation: a listing submission INVALID) puts it in ErrorData with Amazon's issues.

Resume: a run of the same step, input and mapping (the same digest) continues the connection's
latest run of it (``submissions``): records already answered are not sent again; after a finished
run none is (their answers are written again), unless ``again`` or the operation only reads (then the
step simply runs again). A record of an operation that is not safe to repeat is marked as being sent
before the call; if a run stops between the call and keeping its answer, the next run does not send
it again but reports it in ErrorData (it may have been carried out), unless it carries an idempotency
key kept with the mark (then it is sent again with the same key, and Amazon does it once).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from amazon_connector.data.calls import Unanswered, answer_issues, answered, for_each_limited
from amazon_connector.data.results import Issue
from amazon_connector.data.step.check import static_problems
from amazon_connector.data.step.inputs import step_records
from amazon_connector.data.step.mapping import MappedRecord, Refusal, compile_mapping, map_record
from amazon_connector.data.step.model import Step, StepFileError
from amazon_connector.data.step.outputs import Answered, Failed, StepOutputs, output_targets
from amazon_connector.data.submissions import Run, Submissions
from amazon_connector.errors import AmazonConnectorError, ConfigurationError
from amazon_connector.exit_codes import DONE, SOME_FAILED
from amazon_connector.runtime.decisions import may_have_happened

if TYPE_CHECKING:
    from amazon_connector.api.catalog import Operation
    from amazon_connector.connections import Connection, Connections

ProgressCallback = Callable[[int, int | None, int, int], None]
"""Told (done, total, answered, failed) after each record."""


@dataclass(frozen=True, slots=True)
class StepRunResult:
    """How a run went: counts, where OutputData and ErrorData went, and the exit status it means."""

    records: int
    answered: int
    failed: int
    resumed_skipped: int
    """Records answered by an earlier run of the same input, not sent again."""
    not_sent: int
    """Records left unsent because the step stopped at an error (``on_error = "stop"``)."""
    output: str
    errors: str
    notes: tuple[str, ...] = ()
    """What to tell of the runs continued or found finished (``Run.note``), one per connection."""
    sent_already: bool = False
    """The input had been sent by a finished run: nothing was sent again (``again=True`` sends it)."""

    @property
    def exit_status(self) -> int:
        """0 every record answered; 3 some failed or were not sent (ErrorData names them)."""
        return DONE if not self.failed and not self.not_sent else SOME_FAILED

    def __str__(self) -> str:
        text = f"{self.records} record(s): {self.answered} answered, {self.failed} failed"
        if self.resumed_skipped:
            text += f" ({self.resumed_skipped} answered by an earlier run, not sent again)"
        if self.not_sent:
            text += f", {self.not_sent} not sent (the step stopped at an error)"
        return text


@dataclass
class _Connected:
    """A connection the step's records use, with its run."""

    connection: Connection
    run: Run
    kept: dict[int, dict[str, Any]]
    unsettled: int = 0


@dataclass
class _Tally:
    """The run's counts; each record's result handed to the outputs as it comes."""

    total: int
    progress: ProgressCallback | None
    outputs: StepOutputs
    answered: int = 0
    failed: int = 0
    resumed: int = 0
    not_sent: int = 0
    stopped: bool = False

    def done(self, index: int, result: Answered | Failed | None, *, stop_on_error: bool = False) -> None:
        """Record ``index`` answered, failed, or (None) not sent."""
        if isinstance(result, Answered):
            self.answered += 1
        elif isinstance(result, Failed):
            self.failed += 1
            self.stopped = self.stopped or stop_on_error
        else:
            self.not_sent += 1
        self.outputs.done(index, result)
        if self.progress is not None:
            self.progress(self.answered + self.failed + self.not_sent, self.total, self.answered, self.failed)


def run_step(
    step: Step,
    connections: Connections,
    *,
    variables: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    output: str | None = None,
    errors: str | None = None,
    stdin: IO[bytes] | None = None,
    again: bool = False,
) -> StepRunResult:
    """Run ``step`` (see ``arun_step``)."""
    return asyncio.run(
        arun_step(
            step,
            connections,
            variables=variables,
            progress=progress,
            output=output,
            errors=errors,
            stdin=stdin,
            again=again,
        )
    )


async def arun_step(
    step: Step,
    connections: Connections,
    *,
    variables: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    output: str | None = None,
    errors: str | None = None,
    stdin: IO[bytes] | None = None,
    again: bool = False,
) -> StepRunResult:
    """Run ``step`` on ``connections``: the step is checked first (StepFileError: nothing sent, nothing
    written), then every record is sent; OutputData and ErrorData go to ``output`` and ``errors``
    (default: the step's options, else beside the step file); ``again``: an input sent already is
    sent again."""
    given = dict(variables or {})
    mapping, problems = compile_mapping(step)
    source, more = await asyncio.to_thread(static_problems, step, mapping, connections, given, stdin)
    problems += more
    if problems or mapping is None or source is False:
        raise StepFileError(problems, hint="Nothing was sent. `amazon-connector step check FILE` lists them.")
    targets = output_targets(step, output, errors)
    op = mapping.operation
    outputs = StepOutputs(*targets, op.operation_id)

    def mapped() -> Iterator[MappedRecord | Refusal]:
        return (map_record(mapping, r, step.connection, given) for r in step_records(step, source))

    try:
        survey = await asyncio.to_thread(_survey, op, step, mapped())
        tally = _Tally(survey.records, progress, outputs)
        connected = await asyncio.to_thread(_connect, step, op, connections, survey, again)
        await for_each_limited(
            enumerate(mapped()),
            lambda numbered: _one(numbered, op, step, connected, tally),
            step.options.concurrency,
        )
        for use in connected.values():
            if isinstance(use, _Connected) and not use.unsettled and not tally.stopped:
                await asyncio.to_thread(_submissions(use.connection).finish, use.run.id)
        outputs.commit()
    except BaseException:
        outputs.abort()
        raise
    runs = [use for use in connected.values() if isinstance(use, _Connected)]
    return StepRunResult(
        survey.records,
        tally.answered,
        tally.failed,
        tally.resumed,
        tally.not_sent,
        *targets,
        tuple(note for use in runs if (note := use.run.note)),
        any(use.run.finished_at is not None for use in runs),
    )


def _submissions(connection: Connection) -> Submissions:
    return Submissions(connection.store, connection.clock)


@dataclass(frozen=True, slots=True)
class _Survey:
    """What a first pass over the records finds: how many, the run's digest, the connections named."""

    records: int
    digest: str
    connections: tuple[str, ...]


def _survey(op: Operation, step: Step, records: Iterator[MappedRecord | Refusal]) -> _Survey:
    """Read every record once, keeping none: their count, the digest of the run (the operation, the
    pagination and each mapped record) and the connections they name."""
    digest = hashlib.sha256(json.dumps([op.qualified_name, step.options.paginate]).encode())
    count = 0
    names: dict[str, None] = {}
    for record in records:
        count += 1
        if isinstance(record, MappedRecord):
            names[record.connection] = None
            entry = [record.line, record.connection, record.params]
            digest.update(json.dumps(entry, default=str, separators=(",", ":")).encode() + b"\n")
    return _Survey(count, digest.hexdigest(), tuple(names))


def _connect(
    step: Step, op: Operation, connections: Connections, survey: _Survey, again: bool
) -> dict[str, _Connected | Issue]:
    """Each connection the records name, with its run (see the module's doc), or why it cannot be
    used."""
    kind = "step:" + hashlib.sha256(step.name.encode()).hexdigest()[:27]
    found: dict[str, _Connected | Issue] = {}
    for name in survey.connections:
        try:
            connection = connections.get(name)
        except ConfigurationError as exc:
            found[name] = Issue("CONNECTION_NOT_FOUND", exc.message)
            continue
        missing = connection.settings.missing()
        if missing:
            found[name] = Issue(
                "CONFIGURATION_INCOMPLETE",
                f"Connection {name!r} is Configuration Incomplete: missing {', '.join(missing)}.",
            )
            continue
        submissions = _submissions(connection)
        run = submissions.start(
            connection.record.id,
            kind,
            survey.digest,
            op.operation_id[:16],
            again=again,
            reads_only=op.reads_only,
        )
        found[name] = _Connected(connection, run, submissions.answers(run.id) if run.resumed else {})
    return found


async def _one(
    numbered: tuple[int, MappedRecord | Refusal],
    op: Operation,
    step: Step,
    connected: dict[str, _Connected | Issue],
    tally: _Tally,
) -> None:
    index, record = numbered
    stop = step.options.on_error == "stop"
    if tally.stopped:
        tally.done(index, None)
        return
    if isinstance(record, Refusal):
        failed = Failed(record.line, (Issue(record.code, record.message),), record.input_data)
        tally.done(index, failed, stop_on_error=stop)
        return
    use = connected[record.connection]
    if isinstance(use, Issue):
        tally.done(index, Failed(record.line, (use,), record.input_data, _key(record)), stop_on_error=stop)
        return
    kept = use.kept.get(record.line)
    params = dict(record.params)
    if kept is not None and "sending" not in kept:
        tally.resumed += 1
        _settle(tally, step, index, record, kept)
        return
    if kept is not None and not op.idempotent and not kept.get("idempotency_key"):
        error = may_have_happened(
            AmazonConnectorError(
                f"Line {record.line} was being sent when an earlier run of this step stopped."
            ),
            op,
        )
        answer = {"issues": [Issue("MAY_HAVE_BEEN_SENT", str(error)).as_json()], "request_id": None}
        await asyncio.to_thread(_submissions(use.connection).answered, use.run.id, record.line, answer)
        _settle(tally, step, index, record, answer)
        return
    submissions = _submissions(use.connection)
    if op.idempotency_key:
        params[op.idempotency_key] = (kept or {}).get("idempotency_key") or str(uuid.uuid4())
    if not op.idempotent and kept is None:
        mark = {"sending": True, "idempotency_key": params.get(op.idempotency_key or "")}
        await asyncio.to_thread(submissions.answered, use.run.id, record.line, mark)
    answer = await _send(use.connection, op, step, params)
    if answer.get("settled", True):
        answer.pop("settled", None)
        await asyncio.to_thread(submissions.answered, use.run.id, record.line, answer)
    else:
        use.unsettled += 1
    _settle(tally, step, index, record, answer)


async def _send(connection: Connection, op: Operation, step: Step, params: dict[str, Any]) -> dict[str, Any]:
    """Amazon's answer to one record as kept in the store (``settled`` False: not to be kept)."""
    paginate = step.options.paginate
    if paginate is None:
        paginate = connection.settings.advanced.pagination

    async def call() -> tuple[Any, Any]:
        answer = await connection.acall(op.qualified_name, paginate=paginate, **params)
        data = await answer.amerged() if paginate and op.pagination is not None else answer.data
        return answer, data

    try:
        got = await answered(call())
    except ConfigurationError as exc:  # refused before sending: a parameter the runtime cannot send
        return {"issues": [Issue("INVALID_INPUT", str(exc)).as_json()], "request_id": None}
    if isinstance(got, Unanswered):
        return {
            "issues": [i.as_json() for i in got.issues],
            "request_id": got.request_id,
            "settled": got.settled,
        }
    response, data = got
    issues = answer_issues(op, data)
    if any(i.severity == "ERROR" for i in issues):  # a 2xx answer that refuses the record
        return {"issues": [i.as_json() for i in issues], "request_id": response.request_id}
    return {"status": response.status, "request_id": response.request_id, "data": data}


def _key(record: MappedRecord) -> str | None:
    return ", ".join(f"{k}={v}" for k, v in record.keys.items() if not isinstance(v, dict | list)) or None


def _settle(tally: _Tally, step: Step, index: int, record: MappedRecord, answer: Mapping[str, Any]) -> None:
    if "issues" in answer:
        issues = tuple(Issue.from_json(i) for i in answer["issues"])
        failed = Failed(record.line, issues, record.input_data, _key(record), answer.get("request_id"))
        tally.done(index, failed, stop_on_error=step.options.on_error == "stop")
        return
    answered_record = Answered(
        record.line,
        record.connection,
        answer["status"],
        answer.get("request_id"),
        record.keys,
        record.references,
        answer.get("data"),
    )
    tally.done(index, answered_record)
