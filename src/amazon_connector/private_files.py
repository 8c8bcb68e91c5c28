"""Files only their owner may read: created with mode 0600 (directories 0700), never readable by
others, not even briefly. Keys, stores, certificates and downloaded documents are written this way."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO


def open_private_file(path: Path, *, parents: bool = True) -> BinaryIO:
    """Create ``path`` with mode 0600 (never readable by others, not even briefly; FileExistsError if it
    exists) and open it for writing; with ``parents``, missing directories are made (0700)."""
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")


def write_private_file(path: Path, data: bytes, *, parents: bool = True) -> None:
    """Create ``path`` (see open_private_file) holding ``data``."""
    with open_private_file(path, parents=parents) as f:
        f.write(data)


def write_whole_private_file(path: Path, data: bytes) -> None:
    """Like write_private_file (raising FileExistsError), but the file appears whole or not at all:
    it is written beside ``path`` and then linked into place, so no reader sees it half written."""
    staging = path.with_name(f".{path.name}.{os.urandom(6).hex()}.new")
    write_private_file(staging, data, parents=False)
    try:
        os.link(staging, path)
    finally:
        staging.unlink(missing_ok=True)
