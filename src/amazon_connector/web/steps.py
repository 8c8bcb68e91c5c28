"""The Steps section: the step files of one folder, each shown with its settings, its mapping and the
problems ``check_step`` finds; Run runs it in the background (one run per step file at a time), its
progress followed live, then its counts and the first records of OutputData and ErrorData."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse

from amazon_connector.data import ERRORS, RecordSet, parse_target, read_records
from amazon_connector.data.step import (
    OUTPUT,
    Problem,
    Step,
    StepField,
    StepFileError,
    StepRunResult,
    check_step,
    load_step,
    output_targets,
    read_step,
    run_step,
    step_fields,
)
from amazon_connector.errors import AmazonConnectorError
from amazon_connector.web.runs import BackgroundRun, Event, Runs, StillRunning, run_events

if TYPE_CHECKING:
    from starlette.responses import RedirectResponse

    from amazon_connector.connections import Connections

STEP_SUFFIXES = (".toml", ".yaml", ".yml")
T = TypeVar("T")
PREVIEW_RECORDS = 20
"""Records of OutputData and of ErrorData shown after a run."""
PREVIEW_CELL = 400
"""Characters of one value shown in those records (the files hold them whole)."""


def default_steps_folder(connections: Connections) -> Path:
    """The Steps section's folder when none is given: ``steps`` in the data directory."""
    return connections.home / "steps"


class StepFileNotFound(AmazonConnectorError):
    """A name that is not a step file of the Steps folder."""


@dataclass(frozen=True)
class StepFolder:
    """The folder whose step files the page lists and runs; nothing outside it is ever read."""

    path: Path

    def names(self) -> list[str]:
        """The step files in the folder (not in its subfolders), by name."""
        if not self.path.is_dir():
            return []
        found = []
        for entry in self.path.iterdir():
            try:
                self.file(entry.name)
            except StepFileNotFound:
                continue
            found.append(entry.name)
        return sorted(found, key=str.casefold)

    def file(self, name: str) -> Path:
        """The step file ``name`` of the folder: a .toml, .yaml or .yml file directly in it (through a
        symbolic link only to a step file in it), else StepFileNotFound."""
        if (
            not name
            or name != Path(name).name
            or name.startswith(".")
            or Path(name).suffix.lower() not in STEP_SUFFIXES
        ):
            raise StepFileNotFound(f"{name!r} is not the name of a step file (.toml, .yaml or .yml).")
        folder = self.path.resolve()
        real = (folder / name).resolve()
        if not real.is_relative_to(folder) or real.suffix.lower() not in STEP_SUFFIXES or not real.is_file():
            raise StepFileNotFound(f"There is no step file {name} in {self.path}.")
        return folder / name


def shown_target(text: str) -> str:
    """A file or database as the page shows it: a URL's password hidden."""
    if "://" not in text:
        return text
    try:
        return parse_target(text).shown
    except AmazonConnectorError:
        return text.split("://", 1)[0] + "://…"


def source_text(step: Step) -> str:
    """Where the step's records come from, in words."""
    spec = step.source
    if spec is None:
        return "None: one record (fixed values and variables only)"
    if spec.step is not None:
        text = f"The OutputData of step {spec.step}"
    elif spec.path == "-":
        text = f"Standard input ({spec.format})"
    else:
        assert spec.path is not None
        text = shown_target(spec.path if "://" in spec.path else str(step.folder / spec.path))
        if spec.query:
            text += f", query: {spec.query}"
    if spec.shape is not None:
        text += f"; rows grouped by {', '.join(spec.shape.key)}"
        if spec.shape.children:
            text += f" into {', '.join(spec.shape.children)}"
    return text


def unmapped_required(fields: list[StepField]) -> set[str]:
    """Required fields nothing fills, where they are required: parameters and the body's own fields
    always, a field inside an object or list only when something fills that object or list."""
    mapped = [f.target for f in fields if f.mapped_from is not None]

    def in_use(parent: str) -> bool:
        return any(m == parent or m.startswith((f"{parent}.", f"{parent}[")) for m in mapped)

    found = set()
    for f in fields:
        if not f.required or f.mapped_from is not None or in_use(f.target):
            continue
        parent = _parent(f.target)
        if parent in (None, "body") or in_use(parent):
            found.add(f.target)
    return found


def _parent(target: str) -> str | None:
    cut = max(target.rfind("."), target.rfind("["))
    return target[:cut] if cut > 0 else None


@dataclass(frozen=True, slots=True)
class Preview:
    """The first records of one output, as text; ``problem`` when it cannot be read back."""

    target: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    more: bool = False
    problem: str | None = None


def _cell(value: Any) -> str:
    text = (
        ""
        if value is None
        else json.dumps(value, default=str)
        if isinstance(value, dict | list)
        else str(value)
    )
    return text if len(text) <= PREVIEW_CELL else text[: PREVIEW_CELL - 1] + "…"


def preview(target: str, record_set: RecordSet) -> Preview:
    """The first records an output holds (read back through the shared destinations)."""
    shown = shown_target(target)
    try:
        records = list(islice(read_records(target, record_set), PREVIEW_RECORDS + 1))
    except (AmazonConnectorError, OSError) as exc:
        return Preview(shown, problem=f"It cannot be read back: {exc}")
    columns = tuple(c.name for c in record_set.columns)
    rows = tuple(tuple(_cell(r.get(c)) for c in columns) for r in records[:PREVIEW_RECORDS])
    return Preview(shown, columns, rows, len(records) > PREVIEW_RECORDS)


@dataclass(frozen=True, slots=True)
class Progress:
    done: int = 0
    total: int | None = None
    answered: int = 0
    failed: int = 0


@dataclass(frozen=True, slots=True)
class StepRunView:
    """A step's run as it stood at one moment."""

    id: str
    again: bool
    finished: bool
    ticks: int
    progress: Progress
    result: StepRunResult | None
    problems: tuple[Problem, ...]
    output: Preview | None
    errors: Preview | None
    summary: str

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.exit_status == 0


@dataclass
class StepRun(BackgroundRun):
    """One Run of a step file: its progress, then its result and the first records of its outputs, or
    the problems (or error) that stopped it before anything was sent."""

    file: str
    again: bool = False
    """Send Again: an input sent already is sent again on purpose."""
    progress: Progress = field(default_factory=Progress)
    ticks: int = 0
    result: StepRunResult | None = None
    problems: tuple[Problem, ...] = ()
    output: Preview | None = None
    errors: Preview | None = None

    @property
    def owner(self) -> str:
        return self.file

    def tell(self, done: int, total: int | None, answered: int, failed: int) -> None:
        """The runner's progress callback (a record finished)."""
        self.progress = Progress(done, total, answered, failed)
        self.ticks += 1

    def work(self, step: Step, connections: Connections) -> None:
        try:
            result = run_step(step, connections, progress=self.tell, again=self.again)
        except StepFileError as exc:
            self.problems = tuple(exc.problems)
            self.error = f"The step has {len(exc.problems)} problem(s); nothing was sent."
            return
        self.output = preview(result.output, OUTPUT)
        self.errors = preview(result.errors, ERRORS)
        self.result = result

    @property
    def summary(self) -> str:
        if self.error is not None:
            return self.error
        return f"{self.result}." if self.result is not None else "running…"

    def view(self) -> StepRunView:
        """The run now, consistent: ``finished`` read first, its result set before it finished."""
        finished = self.done.is_set()
        return StepRunView(
            self.id,
            self.again,
            finished,
            self.ticks,
            self.progress,
            self.result,
            self.problems,
            self.output,
            self.errors,
            self.summary,
        )

    def events_after(self, position: int) -> tuple[int, list[Event]]:
        ticks = self.ticks
        if ticks <= position:
            return position, []
        progress = self.progress
        data = {
            "done": progress.done,
            "total": progress.total,
            "answered": progress.answered,
            "failed": progress.failed,
        }
        return ticks, [("progress", data)]

    def outcome(self) -> dict[str, Any]:
        return {"ok": self.view().ok, "summary": self.summary}


def stdin_problem(step: Step) -> Problem | None:
    """A step that reads standard input runs on the command line only."""
    if step.source is not None and step.source.path == "-":
        return Problem(
            step.place("source", "path"),
            "standard input cannot be given on this page: run it with amazon-connector step run FILE < input",
        )
    return None


class Page(Protocol):
    """What the Steps section uses of the page (``app.WebApp``): its plumbing, runs and connections."""

    connections: Connections
    runs: Runs

    def render(
        self, request: Request, template: str, status: int = 200, *, forms: bool = True, **context: Any
    ) -> Response: ...

    async def form(self, request: Request) -> dict[str, str]: ...

    @staticmethod
    async def call(function: Callable[..., T], *args: Any, **kwargs: Any) -> T: ...

    def problem(
        self, request: Request, title: str, message: str, *, status: int, hint: str | None = None
    ) -> Response: ...

    @staticmethod
    def see(url: str) -> RedirectResponse: ...

    @staticmethod
    def stream_start(request: Request) -> int | None: ...


class StepPages:
    """The Steps section's routes, on the page's plumbing (render, form, runs)."""

    def __init__(self, web: Page, folder: StepFolder) -> None:
        self.web = web
        self.folder = folder

    def _file(self, request: Request) -> tuple[str, Path]:
        name = request.path_params["file"]
        return name, self.folder.file(name)

    async def list_page(self, request: Request) -> Response:
        def rows() -> list[dict[str, Any]]:
            found = []
            for name in self.folder.names():
                try:
                    found.append({"file": name, "step": load_step(self.folder.file(name)), "problems": 0})
                except StepFileError as exc:
                    found.append({"file": name, "step": None, "problems": len(exc.problems)})
            return found

        return self.web.render(
            request,
            "steps.html",
            folder=self.folder.path,
            exists=self.folder.path.is_dir(),
            rows=await self.web.call(rows),
        )

    async def step(self, request: Request, *, status: int = 200, running: StepRun | None = None) -> Response:
        name, path = self._file(request)

        def examine() -> dict[str, Any]:
            try:
                step, problems = read_step(path)
            except StepFileError as exc:
                step, problems = None, exc.problems
            if step is None:
                return {"step": None, "problems": problems, "fields": [], "flagged": set()}
            refused = stdin_problem(step)
            problems += [refused] if refused else check_step(step, connections=self.web.connections)
            fields = step_fields(step)
            output, errors = output_targets(step)
            return {
                "step": step,
                "problems": problems,
                "fields": fields,
                "flagged": unmapped_required(fields),
                "source": source_text(step),
                "output": shown_target(output),
                "errors": shown_target(errors),
            }

        context = await self.web.call(examine)
        if running is None:
            running = self.web.runs.running(StepRun, name)
        return self.web.render(request, "step.html", status, file=name, running=running, **context)

    async def run(self, request: Request) -> Response:
        """Run: a rerun of an input sent already sends nothing and reports the earlier results."""
        return await self._start(request, again=False)

    async def send_again(self, request: Request) -> Response:
        """Send Again: the input is sent again on purpose, as a new run."""
        return await self._start(request, again=True)

    async def _start(self, request: Request, *, again: bool) -> Response:
        name, path = self._file(request)
        await self.web.form(request)
        try:
            step = await self.web.call(load_step, path)
        except StepFileError:
            return await self.step(request, status=400)
        if stdin_problem(step) is not None:
            return await self.step(request, status=400)
        run = StepRun(name, again)
        try:
            self.web.runs.start(run, lambda: run.work(step, self.web.connections), alone=True)
        except StillRunning as exc:
            running = exc.run if isinstance(exc.run, StepRun) else None
            return await self.step(request, status=409, running=running)
        return self.web.see(f"/steps/{quote(name)}/runs/{run.id}")

    def _run(self, request: Request) -> StepRun | None:
        return self.web.runs.get(StepRun, request.path_params["file"], request.path_params["run"])

    async def run_page(self, request: Request) -> Response:
        name, _ = self._file(request)
        run = self._run(request)
        if run is None:
            return self.web.problem(
                request, "Not found", "That run of the step is not known (any more).", status=404
            )
        return self.web.render(request, "step_run.html", file=name, run=run.view())

    async def run_events(self, request: Request) -> Response:
        """Server-sent events: ``progress`` (done, total, answered, failed) as records finish, then ``done``."""
        self._file(request)
        run = self._run(request)
        if run is None:
            return Response(status_code=404)
        start = self.web.stream_start(request)
        if start is None:
            return PlainTextResponse(
                "The from parameter is the number of progress reports already shown: 0 or more.",
                status_code=400,
            )
        return StreamingResponse(run_events(run, start), media_type="text/event-stream")
