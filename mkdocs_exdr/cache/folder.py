"""The cache folder: one folder the cache owns, marked by its own ``CACHEDIR.TAG``.

The cache writes only into a folder it made itself, or an empty one it then marks, and never
into a folder without its mark (``cache_dir`` pointed at ``docs`` or the project by mistake).
It removes only files it names itself, inside its own subfolders. A folder that cannot be made,
marked or written means no cache: every user of it answers without one.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

#: The cache-directory tag (https://bford.info/cachedir/): backup tools skip the folder.
TAG_NAME = "CACHEDIR.TAG"
TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by mkdocs-exdr.\n"
    "# Everything in this folder is a cache, safe to delete.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
#: Written into the owned folder (and only there) so that git leaves it alone.
IGNORE_ALL_NAME = ".gitignore"
IGNORE_ALL = "# written by mkdocs-exdr: a cache, safe to delete\n*\n"
#: The key of the results' HMAC, made with mode 0600 on first use.
KEY_NAME = "key"
KEY_BYTES = 32


def is_owned(root: Path) -> bool:
    """Whether ``root`` is a real folder (not a link) holding the cache's own tag."""
    try:
        if root.is_symlink() or not root.is_dir():
            return False
        tag = root / TAG_NAME
        return not tag.is_symlink() and tag.read_text(encoding="utf-8", errors="replace") == TAG
    except OSError:
        return False


def own(root: Path) -> Path | None:
    """``root``, made and marked when it is missing or empty; ``None`` when it is not the
    cache's (a folder of other files, a file, a link) or cannot be written."""
    if is_owned(root):
        return root
    try:
        if root.is_symlink() or (root.exists() and not _empty(root)):
            return None
        root.mkdir(parents=True, exist_ok=True)
        if not (root / IGNORE_ALL_NAME).exists():
            _create(root / IGNORE_ALL_NAME, IGNORE_ALL.encode())
        _create(root / TAG_NAME, TAG.encode())  # last: the mark means "fully set up"
    except OSError:
        return None
    return root if is_owned(root) else None


def _empty(root: Path) -> bool:
    """Whether ``root`` is a folder holding nothing, or only the ``.gitignore`` this module
    writes first (a set-up cut short)."""
    if not root.is_dir():
        return False
    names = [entry.name for entry in root.iterdir()]
    if names == [IGNORE_ALL_NAME]:
        ignore = root / IGNORE_ALL_NAME
        text = ignore.read_text(encoding="utf-8", errors="replace")
        return not ignore.is_symlink() and text == IGNORE_ALL
    return not names


def subfolder(root: Path, name: str) -> Path | None:
    """``root/name`` made inside the owned ``root`` (a real folder, not a link), or ``None``."""
    folder = root / name
    try:
        if not is_owned(root) or folder.is_symlink():
            return None
        folder.mkdir(exist_ok=True)
        return folder if folder.is_dir() and not folder.is_symlink() else None
    except OSError:
        return None


def secret_key(root: Path) -> bytes | None:
    """The HMAC key of the owned ``root``, made (mode 0600) on first use; ``None`` when it
    cannot be read or made."""
    path = root / KEY_NAME
    for _ in range(2):
        try:
            if path.is_symlink():
                return None
            key = read_own(path, KEY_BYTES)
            return key if len(key) == KEY_BYTES else None
        except FileNotFoundError:
            try:
                _create(path, secrets.token_bytes(KEY_BYTES))
            except FileExistsError:
                continue  # another run made it first
            except OSError:
                return None
        except (OSError, ValueError):
            return None
    return None


def read_own(path: Path, limit: int) -> bytes:
    """The bytes of the cache's file ``path``: a regular file, not a link, of at most ``limit``
    bytes, read without waiting (a named pipe planted in the cache cannot hang a run); raise
    ``ValueError`` or ``OSError`` when it is anything else."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            raise ValueError(f"{path.name} is not a cache file of at most {limit:,} bytes")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{path.name} is over {limit:,} bytes")
    return data


def inside(folder: Path, path: Path) -> bool:
    """Whether ``path`` lies under ``folder`` with no link on the way (itself included): a link
    planted in the cache must not lead a write out of it."""
    try:
        relative = path.relative_to(folder)
    except ValueError:
        return False
    current = folder
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            return False
    return True


def replace_with(path: Path, data: bytes) -> None:
    """Put ``data`` at ``path`` by writing a new temporary file beside it (never through a link
    planted at its name) and renaming it over ``path``."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    _create(temporary, data)
    temporary.replace(path)


def _create(path: Path, data: bytes) -> None:
    """Write a new file ``path`` (mode 0600) that must not exist yet; never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
