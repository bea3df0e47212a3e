"""Reading a file people point us at: only a regular file, and never more than a limit.

Used for every file the project reads that someone else may have placed: inventory and policy
YAML, ``mkdocs.yml``, Exchange exports and the inventory files ``import`` rewrites.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_FILE_TYPES = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _refuse_unless_regular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _FILE_TYPES if test(mode)), "a special file")
        raise ValueError(f"not a regular file but {kind}; only regular files are read")


def _size(count: int) -> str:
    return f"{count // (1024 * 1024)} MB" if count >= 1024 * 1024 else f"{count:,} bytes"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, which must be a regular file (symlinks followed) of at most
    ``limit`` bytes; raise ``ValueError`` saying why not (or ``OSError``). The type is checked
    before opening, and again on what was opened, which never waits for a pipe's writer; then at
    most ``limit + 1`` bytes are read, whatever the size on disk says (files in /proc say 0)."""
    _refuse_unless_regular(path.stat().st_mode)
    descriptor = os.open(
        path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    )
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(descriptor)
        _refuse_unless_regular(status.st_mode)
        if status.st_size > limit:
            raise ValueError(f"file is {status.st_size:,} bytes; at most {_size(limit)}")
        raw = file.read(limit + 1)
    if len(raw) > limit:
        raise ValueError(f"file is over {_size(limit)}; at most {_size(limit)} are read")
    return raw
