"""How ``mkdocs-exdr generate`` writes: only inside ``-o``, only over files it wrote itself.

Every file written carries the generate mark: pages and plan.json on their second line
(``plugin.mark_generated``), the browser assets (CSS, scripts, their licences) as a first line
``/* exdr_generated: … */``. Before anything is written, each target is checked: a file without
the mark is a person's, a symbolic link or a folder at a target is not a file of ours, and a
path that resolves outside the output folder (through a linked folder) is refused. One refusal
and nothing is written, so a run either writes every file or leaves the folder as it was found.
After a successful write, the run records what it wrote in ``MANIFEST`` (at the top of the
output folder: each file's path and sha256). A file the previous run listed there and this run
did not write (the page of a server since renamed, or every page of a ``path`` since changed) is
removed only if it still carries the mark and is byte for byte what that run wrote; one that was
edited, and a marked file the manifest does not list (a person's copy of a page), is left in
place and named, with the reason. Unmarked files and symbolic links stay, a listed path under a
linked folder is not followed, and nothing outside the output folder is touched.

The assets go where the plugin puts them in a site (``assets/exdr/…`` beside the pages' folder),
so the pages find them under either route; ``route_settings`` is the configuration a site
generator that runs no plugin (Zensical) needs for them.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.importer.files import replace_file
from mkdocs_exdr.offline.bundle import SITE_FOLDER
from mkdocs_exdr.plugin.assets import FILTER, MERMAID, SITE_FILES
from mkdocs_exdr.plugin.plugin import (
    GENERATED_KEY,
    GENERATED_NOTE,
    SECTION_TITLE,
    is_generated,
    mark_generated,
)
from mkdocs_exdr.render.pages import NAV_PAGES

#: Enough of a file to see its mark (on the second line) without reading a large file whole.
_HEAD_BYTES = 4096
#: The first line of every asset generate writes: a comment in CSS and JavaScript.
ASSET_MARK = f"/* {GENERATED_KEY}: {GENERATED_NOTE} */\n"
#: What a run wrote (paths relative to the output folder, with their sha256), for the next run.
MANIFEST = ".exdr-generated.json"


def is_generated_asset(head: str) -> bool:
    """Whether an asset's text starts with ``ASSET_MARK``."""
    return head.lstrip("\ufeff").startswith(ASSET_MARK)


@dataclass(frozen=True)
class Written:
    """What ``write_generated`` did: the pages' folder, the stale files it removed, and the
    stale files it left in place with the reason (as messages name them)."""

    root: Path
    removed: tuple[str, ...]
    kept: tuple[tuple[str, str], ...] = ()


def write_generated(output: Path, prefix: str, pages: dict[str, str], shown: str) -> Written:
    """Write ``pages`` (by path under ``prefix``) and the site's assets (``SITE_FILES``) into
    ``output``, marked, then remove the marked files there that this run did not write.
    ``shown`` is ``output`` as messages name it.

    Raises ``InvalidInput`` listing every target that is not exdr's to replace; then nothing is
    written or removed.
    """
    root = output / prefix
    targets: dict[Path, tuple[bytes, Callable[[str], bool]]] = {
        root / path: (mark_generated(path, content).encode("utf-8"), is_generated)
        for path, content in pages.items()
    }
    for uri, source in SITE_FILES.items():
        data = ASSET_MARK.encode("utf-8") + source.read_bytes()
        targets[output / uri] = (data, is_generated_asset)
    listed = {
        target.relative_to(output).as_posix(): hashlib.sha256(data).hexdigest()
        for target, (data, _) in targets.items()
    }
    manifest = json.dumps({GENERATED_KEY: GENERATED_NOTE, "files": listed}, indent=2) + "\n"
    targets[output / MANIFEST] = (manifest.encode("utf-8"), is_generated)
    problems = [
        problem
        for target, (_, marked) in targets.items()
        if (problem := _refusal(output, target, _shown(output, target, shown), marked)) is not None
    ]
    if problems:
        raise InvalidInput(problems)
    previous = _previous(output)
    for target, (data, _) in targets.items():
        # A new file renamed over the old one: a hard link to a file outside the output
        # folder is replaced, not written through, and a page is never half-written.
        replace_file(target, data)
    written = set(targets)
    removed: list[Path] = []
    kept: dict[Path, str] = {}
    for rel, digest in sorted(previous.items()):
        path = output / rel
        if path in written or not _plain_file(output, path):
            continue
        head, whole = _contents(path)
        if not (is_generated(head) or is_generated_asset(head)):
            continue  # someone's file now: not ours to remove, nor to mention
        if hashlib.sha256(whole).hexdigest() != digest:
            kept[path] = "changed since the earlier generate wrote it"
            continue
        path.unlink()
        removed.append(path)
    listed_before = {output / rel for rel in previous}
    for path in _stale(output, [root, output / SITE_FOLDER], written | listed_before):
        kept[path] = f"marked, but not in {MANIFEST} of the earlier generate (a copy?)"
    _remove_emptied(removed, output)
    return Written(
        root,
        tuple(_shown(output, path, shown) for path in removed),
        tuple((_shown(output, path, shown), why) for path, why in sorted(kept.items())),
    )


def with_banner(content: str, banner: str) -> str:
    """A page with the banner (HTML, escaped) after its front matter, where the plugin would put
    it: before the first heading."""
    if content.startswith("---\n") and (end := content.find("\n---\n", 4)) >= 0:
        head, body = content[: end + 5], content[end + 5 :]
        return f"{head}{banner}\n\n{body}"
    return f"{banner}\n\n{content}"


def route_settings(prefix: str) -> str:
    """The mkdocs.yml settings the generated pages need where the exdr plugin does not run
    (Zensical reads them from mkdocs.yml too): the Markdown extensions the plugin would add, the
    assets, no web fonts, the server, site and role pages out of the navigation, and the nav
    entry for a site with an explicit ``nav``."""
    nav = "\n".join(f"      - {posixpath.join(prefix, page)}" for page in NAV_PAGES)
    return f"""\
markdown_extensions:
  - admonition
  - attr_list
  - tables
  - toc
  - pymdownx.details
  - pymdownx.superfences:
      custom_fences:
        - {{name: mermaid, class: mermaid}}
extra_css:
  - assets/exdr/exdr.css
extra_javascript:
  - {FILTER}
extra:
  polyfills:
    - {MERMAID}
theme:
  font: false
not_in_nav: |
  /{prefix}/servers/
  /{prefix}/sites/*.md
  !/{prefix}/sites/index.md
  /{prefix}/roles/*.md
  !/{prefix}/roles/index.md
  /{prefix}/print/
# with an explicit nav:, add this entry to it
nav:
  - {SECTION_TITLE}:
{nav}
"""


def _stale(output: Path, folders: list[Path], written: set[Path]) -> list[Path]:
    """The regular files under ``folders`` with a generate mark that are not in ``written``.

    A folder that is a symbolic link, or that resolves outside ``output``, is not searched, and
    ``os.walk`` does not enter linked folders below it; a linked file is never one of ours.
    """
    inside = output.resolve()
    found: set[Path] = set()
    for folder in folders:
        if folder.is_symlink() or not folder.is_dir():
            continue
        if not folder.resolve().is_relative_to(inside):
            continue
        for top, _, names in os.walk(folder):
            for name in names:
                path = Path(top) / name
                if path in written or path.is_symlink() or not path.is_file():
                    continue
                with path.open("rb") as stream:
                    head = stream.read(_HEAD_BYTES).decode("utf-8", errors="replace")
                if is_generated(head) or is_generated_asset(head):
                    found.add(path)
    return sorted(found)


def _previous(output: Path) -> dict[str, str]:
    """The files the previous run listed in ``MANIFEST`` (relative path → sha256): none when
    there is no manifest, or it is a link, unmarked or unreadable; an entry that is absolute or
    climbs out with ``..`` is dropped."""
    path = output / MANIFEST
    if not _plain_file(output, path):
        return {}
    head, whole = _contents(path)
    if not is_generated(head):
        return {}
    try:
        files = json.loads(whole.decode("utf-8")).get("files")
    except (UnicodeDecodeError, ValueError, AttributeError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {
        rel: digest
        for rel, digest in files.items()
        if isinstance(rel, str)
        and isinstance(digest, str)
        and rel
        and not posixpath.isabs(rel)
        and "\\" not in rel
        and ".." not in rel.split("/")
    }


def _plain_file(output: Path, path: Path) -> bool:
    """Whether ``path`` is a regular file reached from ``output`` through no symbolic link."""
    current = output
    for part in path.relative_to(output).parts:
        current = current / part
        if current.is_symlink():
            return False
    return path.is_file()


def _contents(path: Path) -> tuple[str, bytes]:
    """The head of ``path`` as text (where the mark is) and its bytes."""
    whole = path.read_bytes()
    return whole[:_HEAD_BYTES].decode("utf-8", errors="replace"), whole


def _remove_emptied(removed: list[Path], output: Path) -> None:
    """Remove the folders that ``removed`` left empty, deepest first, up to (not including)
    the output folder; a folder with anything left in it stays."""
    emptied: set[Path] = set()
    for path in removed:
        parent = path.parent
        while parent != output and parent.is_relative_to(output):
            emptied.add(parent)
            parent = parent.parent
    for folder in sorted(emptied, key=lambda f: len(f.parts), reverse=True):
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            folder.rmdir()


def _shown(output: Path, target: Path, shown: str) -> str:
    return f"{shown.rstrip('/')}/{target.relative_to(output).as_posix()}"


def _refusal(
    output: Path, target: Path, shown: str, marked: Callable[[str], bool]
) -> Problem | None:
    """Why ``target`` must not be written, or ``None``."""
    where = Location(shown)
    inside = output.resolve()
    if not target.resolve().is_relative_to(inside):
        return Problem(
            where,
            "",
            f"resolves to {target.resolve()}, outside the output folder {inside} (through a "
            "symbolic link); not written",
        )
    if target.is_symlink():
        return Problem(where, "", "a symbolic link, not a page mkdocs-exdr wrote; not replaced")
    if not target.exists():
        return None
    if not target.is_file():
        return Problem(where, "", "not a regular file; not replaced")
    with target.open("rb") as stream:
        head = stream.read(_HEAD_BYTES).decode("utf-8", errors="replace")
    if marked(head):
        return None
    line = "first" if marked is is_generated_asset else "second"
    return Problem(
        where,
        "",
        f"not written by mkdocs-exdr generate (no {GENERATED_KEY} mark on its {line} line), "
        "so it is someone's file: not replaced. Move it, or keep your notes under another "
        "name, and run generate again",
    )
