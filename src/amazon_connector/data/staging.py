"""Crash-safe file publication: write beside, fsync, rename into place; a journal completes a crashed commit.

A writer holds an exclusive lock (``.NAME.lock`` beside the target's main file) while it works. Each file
is written as a temporary sibling (``.NAME~TOKEN~N.tmp``) and published with ``os.replace``, which is
atomic per file: a reader sees the old file or the new one, never a mix. Several files are published
together through a journal (``.NAME.commit``), written and fsynced before the first rename: if the process
dies between two renames, the next writer of the same target completes the remaining renames before doing
anything else. Temporary files of a writer that died before its journal was written are deleted.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import secrets
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from amazon_connector.data.targets import DestinationBusyError, DestinationError

FILE_MODE = 0o600  # new files may hold buyer data; a replaced file keeps its own mode

_FIXES = {
    errno.ENOSPC: "Free some space on that disk, or choose a destination on another one.",
    errno.EDQUOT: "Free some space within your disk quota, or choose a destination on another disk.",
    errno.EROFS: "The file system is read-only: choose a destination on a writable one.",
    errno.EACCES: "Choose a destination you may write to, or change its permissions.",
    errno.EPERM: "Choose a destination you may write to, or change its permissions.",
    errno.ENOENT: "Create the directory first, or choose a path in an existing one.",
    errno.ENOTDIR: "Part of the path is a file, not a directory: choose another path.",
}


def os_failure(exc: OSError, what: str, destination: str) -> DestinationError:
    """An OSError as a DestinationError that names the destination and the fix."""
    reason = exc.strerror or str(exc)
    return DestinationError(
        f"Cannot {what} {destination}: {reason}. Nothing was written; its previous content is unchanged.",
        destination=destination,
        hint=_FIXES.get(exc.errno or 0),
    )


class Staging:
    """The staged files of one writer of one target; ``publish`` puts them all in place.

    ``main`` is the target's main file: the lock, the journal and the temporary names derive from it."""

    def __init__(self, main: Path, finals: Sequence[Path]) -> None:
        self.main = main
        self.finals = list(finals)
        self.shown = str(main)
        self._lock_file: IO[bytes] | None = None
        self._token = secrets.token_hex(8)
        self.staged: dict[Path, Path] = {}
        self._created = 0
        self._decided = False

    # --- opening: lock, recover, check ---------------------------------------------------

    def open(self) -> None:
        require_writable(self.main.parent, self.finals, self.shown)
        self._lock()
        try:
            self._recover()
        except BaseException:
            self.release()
            raise

    def _lock(self) -> None:
        path = self._sibling("lock")
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
        except OSError as exc:
            raise os_failure(exc, "write to", self.shown) from None
        lock_file = os.fdopen(fd, "r+b")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            raise DestinationBusyError(
                f"Another process is writing to {self.shown}.",
                destination=self.shown,
                hint="Wait for it to finish, or write to another destination.",
            ) from None
        self._lock_file = lock_file

    def _recover(self) -> None:
        """Complete a commit whose journal was written, then delete every other leftover temporary file."""
        journal = self._sibling("commit")
        if journal.exists():
            try:
                pairs = json.loads(journal.read_text("utf-8"))
            except ValueError:
                pairs = []  # a journal is renamed into place whole, so this one was never complete
            for staged, final in pairs:
                if Path(staged).exists():
                    os.replace(staged, final)
            _fsync_path(self.main.parent)
            journal.unlink()
        pattern = re.compile(re.escape(f".{self.main.name}~") + r"[0-9a-f]{16}~([0-9]+|journal)\.tmp\Z")
        for leftover in self.main.parent.iterdir():
            if pattern.match(leftover.name):
                leftover.unlink(missing_ok=True)

    # --- writing ---------------------------------------------------------------------------

    def create(self, final: Path) -> tuple[Path, IO[bytes]]:
        """A new temporary file (its path and the file) that ``publish`` will rename to ``final``."""
        self._created += 1
        staged = self._temporary(str(self._created))
        mode = stat.S_IMODE(final.stat().st_mode) if final.exists() else FILE_MODE
        try:
            fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            os.fchmod(fd, mode)  # the umask does not narrow a replaced file's mode
        except OSError as exc:
            raise os_failure(exc, "write to", self.shown) from None
        self.staged[staged] = final
        return staged, os.fdopen(fd, "wb")

    def drop(self, staged: Path) -> None:
        """Delete a staged file and leave it out of the publication."""
        del self.staged[staged]
        staged.unlink(missing_ok=True)

    def publish(self) -> None:
        """Put every staged file in place (each atomically), durable once this returns."""
        journal = self._sibling("commit")
        try:
            for staged in self.staged:
                _fsync_path(staged)
            if len(self.staged) > 1:  # one rename is atomic by itself
                journal_staged = self._temporary("journal")
                with open(journal_staged, "w", encoding="utf-8") as out:
                    json.dump([[str(s), str(f)] for s, f in self.staged.items()], out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(journal_staged, journal)
                _fsync_path(self.main.parent)
        except OSError as exc:
            raise os_failure(exc, "write to", self.shown) from None
        # From here on the commit is decided: if a rename fails or the process dies, the next writer of
        # this target completes the journal (see _recover); the staged files are kept for it.
        self._decided = True
        try:
            for staged, final in self.staged.items():
                os.replace(staged, final)
            _fsync_path(self.main.parent)
            journal.unlink(missing_ok=True)
        except OSError as exc:
            raise DestinationError(
                f"The commit to {self.shown} could not be completed: {exc.strerror or exc}. "
                "The next write to it completes it.",
                destination=self.shown,
                hint=_FIXES.get(exc.errno or 0),
            ) from None
        self.staged.clear()

    def discard(self) -> None:
        """Delete the staged files, unless the commit was decided (then the journal needs them)."""
        if self._decided:
            return
        for staged in self.staged:
            staged.unlink(missing_ok=True)
        self.staged.clear()

    def release(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing the descriptor releases the lock
            self._lock_file = None

    def _temporary(self, part: str) -> Path:
        return self.main.with_name(f".{self.main.name}~{self._token}~{part}.tmp")

    def _sibling(self, kind: str) -> Path:
        return self.main.with_name(f".{self.main.name}.{kind}")


def require_writable(directory: Path, files: Sequence[Path], shown: str) -> None:
    """A DestinationError unless ``directory`` exists and it and those of ``files`` that exist are writable."""
    if not directory.is_dir():
        raise DestinationError(
            f"The directory {directory} of {shown} does not exist.",
            destination=shown,
            hint=f"Create it first (mkdir -p {directory}), or choose a path in an existing directory.",
        )
    for path in (directory, *[f for f in files if f.exists()]):
        if not writable(path):
            raise DestinationError(
                f"{path} is read-only, so {shown} cannot be written.",
                destination=shown,
                hint="Make it writable (chmod u+w), or choose another destination.",
            )


def writable(path: Path) -> bool:
    """Writable for us, and not marked read-only for everyone (which root would otherwise ignore)."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def reading(path: Path, shown: str) -> Iterator[IO[bytes]]:
    """A file opened for reading, its OSError a DestinationError."""
    try:
        f = open(path, "rb")  # noqa: SIM115  (closed below)
    except OSError as exc:
        raise os_failure(exc, "read", shown) from None
    with f:
        yield f
