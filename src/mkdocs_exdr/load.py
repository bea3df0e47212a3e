"""Read YAML files safely and remember where every value came from.

Only YAML's plain data types are built (mappings, lists, strings, numbers, booleans, null,
dates); a tag that asks for anything else is a problem, never an object. Limits, checked before
harm is done: files of at most ``MAX_FILE_BYTES``, nesting of at most ``MAX_DEPTH`` levels
(libyaml itself stops at 1,000), at most ``MAX_VALUES`` values a file and at most
``MAX_ALIAS_VALUES`` values reached through aliases (``*anchor``), which stops alias bombs.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mkdocs_exdr.problems import Location, Problem

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 2_000_000
MAX_ALIAS_VALUES = 10_000

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}
_constructor = yaml.constructor.SafeConstructor()

Path_ = tuple[str | int, ...]


@dataclass
class Document:
    """One YAML document: its data and the position of each value and mapping key."""

    file: str
    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: The text as written of scalars YAML read as numbers, dates or booleans, so that a text
    #: field keeps ``01234567`` (a phone number) instead of the octal number YAML sees.
    texts: dict[Path_, str] = field(default_factory=dict)

    def where(self, path: Path_, *, key: bool = False) -> Location:
        """The location of the value (or with ``key``, of its key) at ``path``."""
        table = self.keys if key else self.values
        probe = path
        while probe and probe not in table:
            probe = probe[:-1]
        line, column = table.get(probe) or self.values.get(probe, (0, 0))
        return Location(self.file, line, column)


class _Limit(Exception):
    def __init__(self, line: int, column: int, message: str) -> None:
        self.line, self.column, self.message = line, column, message


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM; raise ``ValueError`` otherwise."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise ValueError("looks like UTF-16 without a byte order mark; save it as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValueError(
            f"line {line}: byte {error.start} is not UTF-8; "
            "save the file as UTF-8 or UTF-16 with BOM"
        ) from None


def load_file(path: Path, shown: str) -> tuple[list[Document], list[Problem]]:
    """Load every YAML document in ``path``; ``shown`` is the name used in messages."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // (1024 * 1024)
            return [], [Problem(Location(shown), "", f"file is {size:,} bytes; at most {limit} MB")]
        text = decode(path.read_bytes())
    except (OSError, ValueError) as error:
        return [], [Problem(Location(shown), "", str(error))]
    return load_text(text, shown)


def load_text(text: str, shown: str) -> tuple[list[Document], list[Problem]]:
    """Load every YAML document in ``text``."""
    try:
        return _Builder(shown).documents(text), []
    except yaml.MarkedYAMLError as error:
        return [], [
            Problem(_syntax_where(error, text, shown), "", f"YAML syntax: {_syntax(error, text)}")
        ]
    except yaml.YAMLError as error:
        return [], [Problem(Location(shown), "", f"YAML syntax: {error}")]
    except _Limit as error:
        return [], [Problem(Location(shown, error.line, error.column), "", error.message)]


def _syntax_where(error: yaml.MarkedYAMLError, text: str, shown: str) -> Location:
    # An unclosed quote is found at the end of the file; where it was opened helps more.
    quoted = "quoted scalar" in (error.context or "")
    mark = (error.context_mark if quoted else None) or error.problem_mark or error.context_mark
    return Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown)


def _syntax(error: yaml.MarkedYAMLError, text: str) -> str:
    mark = error.problem_mark
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return "a tab character; YAML is indented with spaces only"
    return "; ".join(str(part) for part in (error.context, error.problem) if part)


_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR = "tag:yaml.org,2002:str"


def _scalar(event: Any) -> Any:
    """The value of a scalar event, resolved as YAML 1.1 plain scalars are (fast path for text)."""
    value = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return value
        for candidate, regexp in _RESOLVERS.get(value[:1], ()):
            if regexp.match(value):
                tag = candidate
                break
        else:
            if value == "":
                return None
            return value
    if tag == _STR:
        return value
    node = yaml.ScalarNode(tag, value, event.start_mark, event.end_mark, event.style)
    try:
        return _constructor.construct_object(node)
    except (ValueError, OverflowError, yaml.constructor.ConstructorError):
        return value  # such as 2026-02-30: kept as text, and the field's reader says what is wrong


class _Builder:
    """Builds plain data from parser events, recording positions and enforcing the limits."""

    def __init__(self, shown: str) -> None:
        self.shown = shown

    def documents(self, text: str) -> list[Document]:
        parser: Any = _Loader(text)
        found: list[Document] = []
        try:
            while True:
                event = parser.get_event()
                if event is None or isinstance(event, yaml.StreamEndEvent):
                    break
                if isinstance(event, yaml.DocumentStartEvent):
                    document = Document(self.shown, None)
                    document.data = self._document(parser, document)
                    if document.data is not None:  # an empty document contributes nothing
                        found.append(document)
        finally:
            parser.dispose()
        return found

    def _document(self, parser: Any, document: Document) -> Any:
        values, keys = document.values, document.keys
        anchors: dict[str, tuple[Any, int]] = {}
        count = 0
        aliased = 0
        # Stack entries: [container, path, pending key, values inside once aliases expand, anchor]
        stack: list[list[Any]] = []
        root: Any = None
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.DocumentEndEvent:
                return root
            mark = event.start_mark
            count += 1
            if count > MAX_VALUES:
                raise _Limit(
                    mark.line + 1, mark.column + 1, f"more than {MAX_VALUES:,} values in one file"
                )
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                finished, _, _, size, anchor = stack.pop()
                if anchor:
                    anchors[anchor] = (finished, size)
                if stack:
                    stack[-1][3] += size
                continue
            value: Any = None
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!" and tag not in _PLAIN_TAGS:
                shown_tag = tag.replace("tag:yaml.org,2002:", "!!")
                raise _Limit(
                    mark.line + 1,
                    mark.column + 1,
                    f"tag {shown_tag!r} is not allowed; only plain YAML data is read",
                )
            done = False
            if kind is yaml.ScalarEvent:
                value = _scalar(event)
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
                if stack:
                    stack[-1][3] += 1
                done = True
            elif kind is yaml.AliasEvent:
                if event.anchor not in anchors:
                    raise _Limit(mark.line + 1, mark.column + 1, f"unknown alias *{event.anchor}")
                value, size = anchors[event.anchor]
                aliased += size
                if stack:
                    stack[-1][3] += size
                if aliased > MAX_ALIAS_VALUES:
                    raise _Limit(
                        mark.line + 1,
                        mark.column + 1,
                        f"aliases expand to over {MAX_ALIAS_VALUES:,} values",
                    )
                done = True
            if done:
                if not stack:
                    if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                        values[()] = (mark.line + 1, mark.column + 1)
                    root = value
                    continue
                top = stack[-1]
                parent = top[0]
                if type(parent) is list:
                    if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                        where = (*top[1], len(parent))
                        values[where] = (mark.line + 1, mark.column + 1)
                        if (
                            kind is yaml.ScalarEvent
                            and type(value) is not str
                            and value is not None
                        ):
                            document.texts[where] = event.value
                    parent.append(value)
                elif top[2] is _NO_KEY:
                    if type(value) is not str:
                        value = (
                            "null"
                            if value is None
                            else str(value).lower()
                            if type(value) is bool
                            else str(value)
                        )
                    if value in parent:
                        raise _Limit(
                            mark.line + 1,
                            mark.column + 1,
                            f"key {value!r} appears twice in one mapping",
                        )
                    top[2] = value
                    keys[(*top[1], value)] = (mark.line + 1, mark.column + 1)
                else:
                    if kind is yaml.ScalarEvent or kind is yaml.AliasEvent:
                        where = (*top[1], top[2])
                        values[where] = (mark.line + 1, mark.column + 1)
                        if (
                            kind is yaml.ScalarEvent
                            and type(value) is not str
                            and value is not None
                        ):
                            document.texts[where] = event.value
                    parent[top[2]] = value
                    top[2] = _NO_KEY
                continue
            # A mapping or sequence starts.
            if len(stack) >= MAX_DEPTH:
                raise _Limit(
                    mark.line + 1, mark.column + 1, f"nested deeper than {MAX_DEPTH} levels"
                )
            if stack:
                top = stack[-1]
                if type(top[0]) is list:
                    path = (*top[1], len(top[0]))
                elif top[2] is _NO_KEY:
                    raise _Limit(
                        mark.line + 1, mark.column + 1, "a mapping or list cannot be a key"
                    )
                else:
                    path = (*top[1], top[2])
            else:
                path = ()
            values[path] = (mark.line + 1, mark.column + 1)
            container: Any = {} if kind is yaml.MappingStartEvent else []
            if stack:  # attach the empty container now; it is filled in place
                top = stack[-1]
                if type(top[0]) is list:
                    top[0].append(container)
                else:
                    top[0][top[2]] = container
                    top[2] = _NO_KEY
            else:
                root = container
            stack.append([container, path, _NO_KEY, 1, event.anchor])


_NO_KEY = object()


def inventory_files(root: Path) -> Iterator[Path]:
    """Every ``*.yml`` and ``*.yaml`` file under ``root``, in a stable order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yml", ".yaml")) and not name.startswith("."):
                yield Path(folder, name)
