"""Characters no inventory value may hold: controls, line breaks and bidirectional overrides.

Names and paths land in page titles, commands, file names and the terminal, where a newline
starts a new command and U+202E reverses what a reader sees ("Trojan Source"). Free text
(notes, descriptions, reasons) may keep its line breaks and tabs, nothing else of the set.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mkdocs_exdr.common.characters import UNSAFE_CHARACTERS
from mkdocs_exdr.common.problems import Problem
from mkdocs_exdr.load.documents import Document, Path_
from mkdocs_exdr.load.reader import field_path

#: C0 and C1 controls, line and paragraph separators, bidirectional embeddings, overrides and
#: isolates.
FORBIDDEN = UNSAFE_CHARACTERS
#: Keys of free text, which may hold these two of the set.
FREE_TEXT = frozenset({"notes", "description", "reason"})
_FREE_TEXT_ALLOWS = "\n\t"
#: The character each backslash escape of a double-quoted YAML string becomes: ``"E:\new\Logs"``
#: holds a line break where its writer meant a backslash and an ``n``.
_FROM_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
}
_DRIVE_OR_BACKSLASH = re.compile(r"^[A-Za-z]:|\\")


def _strings(value: Any, path: Path_) -> Iterator[tuple[Path_, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, (*path, index))


def forbidden_characters(document: Document) -> list[Problem]:
    """A problem at each value of ``document`` that holds a forbidden character."""
    problems = []
    for path, text in _strings(document.data, ()):
        keys = [part for part in path if isinstance(part, str)]
        free = bool(keys) and keys[-1] in FREE_TEXT
        found = next(
            (c for c in FORBIDDEN.findall(text) if not (free and c in _FREE_TEXT_ALLOWS)), None
        )
        if found is None:
            continue
        kind = (
            "free text keeps line breaks and tabs only" if free else "names and paths are one line"
        )
        hint = ""
        if found in _FROM_ESCAPES and _DRIVE_OR_BACKSLASH.search(text):
            hint = (
                f" (in double quotes YAML reads {_FROM_ESCAPES[found]} as that character: write a "
                "Windows path in single quotes ('E:\\new\\Logs') or without quotes)"
            )
        problems.append(
            Problem(
                document.where(path),
                field_path(path),
                f"control, line-break or bidirectional character not allowed (U+{ord(found):04X}); "
                f"{kind}: remove it{hint}",
            )
        )
    return problems
