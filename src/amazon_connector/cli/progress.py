"""Progress of long commands on stderr: a progress bar on a terminal, plain lines otherwise, nothing
with ``--quiet``."""

from __future__ import annotations

from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from amazon_connector.cli.context import err_console
from amazon_connector.data.progress import SILENT
from amazon_connector.data.progress import Progress as Reports


class TerminalProgress(Reports):
    """Notes as lines; each task a bar on a terminal, or a line when it starts and ends."""

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._label = ""
        self._done = 0

    def note(self, message: str) -> None:
        err_console.print(escape(message), soft_wrap=True)

    def start(self, label: str, total: int) -> None:
        self.finish()
        self._label, self._done = label, 0
        if err_console.is_terminal:
            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err_console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(label, total=total)
        else:
            err_console.print(f"{escape(label)}: {total} …", soft_wrap=True)

    def advance(self, steps: int = 1) -> None:
        self._done += steps
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, steps)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar, self._task = None, None
        if self._label:
            err_console.print(f"{escape(self._label)}: {self._done} done.", soft_wrap=True)
            self._label = ""


def progress(quiet: bool) -> Reports:
    return SILENT if quiet else TerminalProgress()
