"""Generated pages written to a cache folder, a file touched only when its text changed.

``mkdocs serve --dirty`` (and ProperDocs') rebuilds a page when its source is newer than its
HTML (``File.is_modified``): a page whose text is the same keeps its modification time, and is
not built again.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

#: Written into the cache folder so that git leaves it alone wherever it is.
IGNORE_ALL = "# written by mkdocs-exdr: a cache, safe to delete\n*\n"


def prepare(root: Path) -> None:
    """Create the cache folder ``root``, ignored by git."""
    root.mkdir(parents=True, exist_ok=True)
    ignore = root / ".gitignore"
    if not ignore.is_file():
        ignore.write_text(IGNORE_ALL, encoding="utf-8")


def write_pages(folder: Path, pages: dict[str, str]) -> dict[str, Path]:
    """Write ``pages`` (text by URI) under ``folder``; return each page's file.

    A file already holding the same text is not written again; files of pages that are gone
    are removed.
    """
    prepare(folder.parent)
    written: dict[str, Path] = {}
    for uri, text in pages.items():
        if posixpath.isabs(uri) or ".." in uri.split("/"):
            raise ValueError(f"page path {uri!r} leaves the cache folder")
        path = folder.joinpath(*uri.split("/"))
        data = text.encode("utf-8")
        try:
            same = path.stat().st_size == len(data) and path.read_bytes() == data
        except OSError:
            same = False
        if not same:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.tmp")
            temporary.write_bytes(data)
            temporary.replace(path)
        written[uri] = path
    _remove_others(folder, set(written.values()))
    return written


def _remove_others(folder: Path, keep: set[Path]) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and path not in keep:
            path.unlink(missing_ok=True)
