"""Results kept by the hash of everything they were computed from.

The key covers the bytes of each input file (named by the caller, who reads exactly what the
loader reads), the package's version and the size and time of its own files (code and built-in
policies), and whatever else the caller names (dates, options). A result is JSON of plain
values, so a cache file cannot run code. Each entry carries an HMAC under the key file of the
cache folder (mode 0600): an entry that is missing, truncated, written for another key or under
another cache folder's key (a CI cache restored from elsewhere) is a miss, never trusted.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import mkdocs_exdr
from mkdocs_exdr.cache.folder import own, read_own, replace_with, secret_key, subfolder

#: Results kept per cache folder; the oldest beyond this are removed.
KEEP = 16
#: Largest result file read back (a report of many findings; anything bigger is no cache).
RESULT_LIMIT = 64 * 1024 * 1024
SUBFOLDER = "results"
#: The name of every file a result is stored in: nothing else is ever removed.
_RESULT_NAME = re.compile(r"[0-9a-f]{40}\.json")
_PACKAGE = Path(mkdocs_exdr.__file__).parent


def inputs_key(groups: Sequence[Iterable[tuple[str, bytes]]], **extra: object) -> str:
    """A hash of every group of files (name inside its folder, and bytes), of the package, and
    of ``extra``. Groups are hashed by place, not path: a revision's scratch copy hits."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps([mkdocs_exdr.__version__, _package_stamp()]).encode())
    digest.update(json.dumps(extra, sort_keys=True, default=str).encode())
    for index, files in enumerate(groups):
        digest.update(f"\0folder {index}\0".encode())
        for name, data in files:
            digest.update(f"\0{name}\0{len(data)}\0".encode())
            digest.update(data)
    return digest.hexdigest()


def _package_stamp() -> list[tuple[str, int, int]]:
    """Path, size and time of each file of the package: an edited install is another package."""
    stamp = []
    for top, dirs, names in os.walk(_PACKAGE):  # links not followed
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            info = Path(top, name).stat()
            stamp.append(
                (Path(top, name).relative_to(_PACKAGE).as_posix(), info.st_size, info.st_mtime_ns)
            )
    return stamp


class ResultCache:
    """JSON results by key in ``root/results``, ``root`` being the folder the cache owns."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _mac(self, secret: bytes, key: str, result: Any) -> str:
        text = json.dumps([key, result], sort_keys=True, separators=(",", ":"))
        return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()

    def get(self, key: str) -> Any | None:
        """The result stored for ``key`` under this folder's HMAC key, or ``None``."""
        if not _RESULT_NAME.fullmatch(f"{key}.json") or not (self.root / SUBFOLDER).is_dir():
            return None
        secret = secret_key(self.root) if own(self.root) else None
        if secret is None:
            return None
        try:
            raw = read_own(self.root / SUBFOLDER / f"{key}.json", RESULT_LIMIT)
            stored = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(stored, dict) or stored.get("key") != key or "result" not in stored:
            return None
        mac = stored.get("mac")
        expected = self._mac(secret, key, stored["result"])
        if not isinstance(mac, str) or not hmac.compare_digest(mac, expected):
            return None
        return stored["result"]

    def put(self, key: str, result: Any) -> None:
        """Store ``result`` for ``key``; a folder that is not the cache's or cannot be written
        is no cache. Only result files beyond the newest ``KEEP`` are removed."""
        if not _RESULT_NAME.fullmatch(f"{key}.json") or own(self.root) is None:
            return
        folder = subfolder(self.root, SUBFOLDER)
        secret = secret_key(self.root)
        if folder is None or secret is None:
            return
        entry = {"key": key, "result": result, "mac": self._mac(secret, key, result)}
        try:
            replace_with(folder / f"{key}.json", json.dumps(entry).encode("utf-8"))
            ours = [p for p in folder.iterdir() if _RESULT_NAME.fullmatch(p.name)]
            ours = [p for p in ours if p.is_file() and not p.is_symlink()]
            for old in sorted(ours, key=lambda p: p.stat().st_mtime_ns)[:-KEEP]:
                old.unlink(missing_ok=True)
        except OSError:
            return
