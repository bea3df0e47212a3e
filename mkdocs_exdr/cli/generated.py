"""How ``mkdocs-exdr generate`` writes: only inside ``-o``, only over files it wrote itself.

Every file written carries the generate mark (``plugin.mark_generated``). Before anything is
written, each target is checked: a file without the mark is a person's page, a symbolic link or
a folder at a target is not a page of ours, and a path that resolves outside the output folder
(through a linked folder) is refused. One refusal and nothing is written, so a run either
writes every page or leaves the folder as it was found.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.importer.files import replace_file
from mkdocs_exdr.plugin.plugin import GENERATED_KEY, is_generated, mark_generated

#: Enough of a file to see its mark (on the second line) without reading a large file whole.
_HEAD_BYTES = 4096


def write_generated(output: Path, prefix: str, pages: dict[str, str], shown: str) -> Path:
    """Write ``pages`` (by path under ``prefix``) into ``output``, marked; return the folder
    they went to. ``shown`` is ``output`` as messages name it.

    Raises ``InvalidInput`` listing every target that is not exdr's to replace; then nothing is
    written.
    """
    root = output / prefix
    targets = {root / path: mark_generated(path, content) for path, content in pages.items()}
    problems = [
        problem
        for target in targets
        if (problem := _refusal(output, target, _shown(output, target, shown))) is not None
    ]
    if problems:
        raise InvalidInput(problems)
    for target, content in targets.items():
        # A new file renamed over the old one: a hard link to a file outside the output
        # folder is replaced, not written through, and a page is never half-written.
        replace_file(target, content.encode("utf-8"))
    return root


def _shown(output: Path, target: Path, shown: str) -> str:
    return f"{shown.rstrip('/')}/{target.relative_to(output).as_posix()}"


def _refusal(output: Path, target: Path, shown: str) -> Problem | None:
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
    if is_generated(head):
        return None
    return Problem(
        where,
        "",
        f"not written by mkdocs-exdr generate (no {GENERATED_KEY} mark on its second line), "
        "so it is someone's page: not replaced. Move it, or keep your notes under another "
        "name, and run generate again",
    )
