"""Generated pages written to the cache folder, a file touched only when its text changed.

``mkdocs serve --dirty`` (and ProperDocs') rebuilds a page when its source is newer than its
HTML (``File.is_modified``): a page whose text is the same keeps its modification time, and is
not built again. The pages live in ``pages/`` of the folder the cache owns (``folder.own``);
only files there that are no longer generated are removed.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

from mkdocs_exdr.cache.folder import inside, own, read_own, replace_with, subfolder

SUBFOLDER = "pages"


def write_pages(root: Path, pages: dict[str, str]) -> dict[str, Path] | None:
    """Write ``pages`` (text by URI) under ``root/pages``; return each page's file, or ``None``
    when ``root`` is not the cache's or cannot be written.
    """
    if own(root) is None or (folder := subfolder(root, SUBFOLDER)) is None:
        return None
    written: dict[str, Path] = {}
    try:
        for uri, text in pages.items():
            parts = uri.split("/")
            if posixpath.isabs(uri) or {"..", ".", ""} & set(parts):
                raise ValueError(f"page path {uri!r} leaves the cache folder or is not a page")
            path = folder.joinpath(*parts)
            if not inside(folder, path):
                raise OSError(f"a link in the cache's pages folder leads {uri!r} elsewhere")
            data = text.encode("utf-8")
            try:
                same = read_own(path, len(data)) == data
            except (OSError, ValueError):
                same = False
            if not same:
                path.parent.mkdir(parents=True, exist_ok=True)
                if not inside(folder, path):
                    raise OSError(f"a link in the cache's pages folder leads {uri!r} elsewhere")
                replace_with(path, data)
            written[uri] = path
        _remove_others(folder, set(written.values()))
    except OSError:
        return None
    return written


def _remove_others(folder: Path, keep: set[Path]) -> None:
    """Remove the files under ``folder`` (the cache's own) no longer generated, never
    following a link out of it."""
    for top, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(top, name)
            if path not in keep and not path.is_symlink():
                path.unlink(missing_ok=True)
