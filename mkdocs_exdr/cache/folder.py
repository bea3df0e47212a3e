"""The cache folder: one folder the cache owns, marked by its own ``CACHEDIR.TAG``.

The cache writes only into a folder it made itself, or an empty one it then marks, and never
into a folder without its mark (``cache_dir`` pointed at ``docs`` or the project by mistake).
It removes only files it names itself, inside its own subfolders. A folder that cannot be made,
marked or written means no cache: every user of it answers without one.
"""

from __future__ import annotations

import os
import secrets
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
            with path.open("rb") as file:
                key = file.read(KEY_BYTES + 1)
            return key if len(key) == KEY_BYTES else None
        except FileNotFoundError:
            try:
                _create(path, secrets.token_bytes(KEY_BYTES))
            except FileExistsError:
                continue  # another run made it first
            except OSError:
                return None
        except OSError:
            return None
    return None


def _create(path: Path, data: bytes) -> None:
    """Write a new file ``path`` (mode 0600) that must not exist yet; never through a link."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
