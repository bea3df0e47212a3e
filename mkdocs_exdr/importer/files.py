"""How import touches the inventory on disk: whole files only, one import at a time.

A file is written to a temporary file in its own folder, flushed, synced and renamed over the
original, so a kill, a full disk or a file-size limit leaves the old file or the new one, never
a truncated one. The inventory folder is locked while an import reads and rewrites it, so two
imports at once cannot lose each other's changes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem

LOCK_NAME = ".mkdocs-exdr-import.lock"


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: the old file stays until the new one is whole.

    The new file keeps the old one's permission bits; a new file gets the usual ones (0666 less
    the umask). A temporary file left by a killed run starts with a dot and ends in ``.tmp``, so
    the inventory loader never reads it.
    """
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_folder(folder)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no folder handles to sync)."""
    if sys.platform == "win32":
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


@contextlib.contextmanager
def inventory_lock(folder: Path, shown: str) -> Iterator[Path]:
    """Hold the import lock of ``folder`` (created when missing), or fail at once.

    The lock is ``fcntl.flock`` (``msvcrt.locking`` on Windows) on ``.mkdocs-exdr-import.lock``
    in the folder: the system releases it when the process ends, even by kill -9, so a stale
    lock never blocks the next run. The file is removed on the way out. ``shown`` is the folder
    as messages name it. Raises ``InvalidInput`` naming the lock file when another run holds it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOCK_NAME
    while True:
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        if not _try_lock(handle):
            os.close(handle)
            raise InvalidInput(
                [
                    Problem(
                        Location(f"{shown}/{LOCK_NAME}"),
                        "",
                        "another mkdocs-exdr import is writing this inventory and holds this "
                        "lock; nothing was written. Run again when it has finished",
                    )
                ]
            )
        # The holder before us may have removed the file after we opened it: lock the file
        # that is at the path now, or a third run could create and lock a new one beside us.
        try:
            same = os.path.samestat(os.fstat(handle), path.stat())
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(handle)
    try:
        yield path
    finally:
        if sys.platform != "win32":  # Windows cannot remove an open file
            path.unlink(missing_ok=True)
        os.close(handle)  # closing releases the lock
        if sys.platform == "win32":
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


def _try_lock(handle: int) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
