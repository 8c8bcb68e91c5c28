"""Consistent copies of an SQLite store while other processes use it (SQLite's online backup)."""

from __future__ import annotations

import itertools
import sqlite3
from pathlib import Path

from amazon_connector.private_files import write_private_file


def free_name(path: Path, label: str) -> Path:
    """``path``.``label``.bak beside ``path``, numbered when that exists already."""
    names = (f"{path.name}.{label}{f'.{n}' if n else ''}.bak" for n in itertools.count())
    return next(p for p in (path.with_name(n) for n in names) if not p.exists())


def backup_file(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` (which must exist) to the new file ``target`` (0600) in one
    step: the copy is the database as one moment saw it, whoever writes meanwhile."""
    if not source.is_file():
        raise FileNotFoundError(source)
    write_private_file(target, b"", parents=False)
    origin = sqlite3.connect(source, timeout=30)
    try:
        copy = sqlite3.connect(target)
        try:
            origin.backup(copy)
        finally:
            copy.close()
    finally:
        origin.close()


def integrity_problems(path: Path, limit: int = 10) -> list[str]:
    """What SQLite's integrity check finds wrong in the file (nothing: an empty list)."""
    if not path.is_file():
        raise FileNotFoundError(path)
    db = sqlite3.connect(path, timeout=30)
    try:
        rows = db.execute(f"PRAGMA integrity_check({int(limit)})").fetchall()
    finally:
        db.close()
    return [] if rows == [("ok",)] else [str(r[0]) for r in rows]
