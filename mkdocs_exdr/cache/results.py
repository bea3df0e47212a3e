"""Results kept by the hash of everything they were computed from.

The key covers each input file's path and bytes, the package's version and the modification
times of its own files (code and built-in policies), and whatever else the caller names (dates,
options). A result is JSON of plain values, so a cache file cannot run code; one that is
missing, truncated or written for another key is a miss, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import mkdocs_exdr

#: Results kept per cache folder; the oldest beyond this are removed.
KEEP = 16
_PACKAGE = Path(mkdocs_exdr.__file__).parent


def inputs_key(folders: Sequence[Path | None], **extra: object) -> str:
    """A hash of every file under ``folders`` (path and bytes; ``None`` for no folder), of the
    package, and of ``extra``."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps([mkdocs_exdr.__version__, _package_stamp()]).encode())
    digest.update(json.dumps(extra, sort_keys=True, default=str).encode())
    for index, folder in enumerate(folders):  # by place, not path: a revision's copy moves
        digest.update(f"\0folder {index}\0".encode())
        for path in _files(folder):
            data = path.read_bytes()
            name = path.relative_to(folder or ".").as_posix()
            digest.update(f"\0{name}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def _files(folder: Path | None) -> list[Path]:
    if folder is None or not folder.is_dir():
        return []
    found = []
    for root, dirs, names in os.walk(folder, followlinks=True):
        dirs.sort()
        found += [Path(root, name) for name in sorted(names)]
    return [path for path in found if path.is_file()]


def _package_stamp() -> list[tuple[str, int, int]]:
    """Path, size and time of each file of the package: an edited install is another package."""
    stamp = []
    for path in _files(_PACKAGE):
        if "__pycache__" not in path.parts:
            info = path.stat()
            stamp.append((path.relative_to(_PACKAGE).as_posix(), info.st_size, info.st_mtime_ns))
    return stamp


class ResultCache:
    """JSON results by key in ``folder`` (created on first write)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> Any | None:
        """The result stored for ``key``, or ``None``."""
        try:
            stored = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("key") != key or "result" not in stored:
            return None
        return stored["result"]

    def put(self, key: str, result: Any) -> None:
        """Store ``result`` for ``key``; a folder that cannot be written is no cache."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}.tmp"
            temporary.write_text(json.dumps({"key": key, "result": result}), encoding="utf-8")
            temporary.replace(self.folder / f"{key}.json")
            kept = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
            for old in kept[:-KEEP]:
                old.unlink(missing_ok=True)
        except OSError:
            return
