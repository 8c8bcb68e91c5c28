"""Where long work (thousands of records, a feed being processed) says how far it got. This base says
nothing; the command line shows a progress bar on a terminal and plain lines otherwise."""

from __future__ import annotations


class Progress:
    """Reports of long work: notes, and counted steps of one task at a time."""

    def note(self, message: str) -> None:
        """One thing that happened (a choice made, a feed submitted)."""

    def start(self, label: str, total: int) -> None:
        """A task of ``total`` steps begins."""

    def advance(self, steps: int = 1) -> None:
        """Steps of the current task are done."""

    def finish(self) -> None:
        """The current task is over."""


SILENT = Progress()
