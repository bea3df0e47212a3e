"""Read YAML files safely and remember where every value came from.

Only YAML's plain data types are built (mappings, lists, strings, numbers, booleans, null,
dates); a tag that asks for anything else is a problem, never an object. Limits, checked before
harm is done: only regular files (after following symlinks, so never a device or a named pipe),
of at most ``MAX_FILE_BYTES`` read; nesting of at most ``MAX_DEPTH`` levels (libyaml itself
stops at 1,000); at most ``MAX_VALUES`` values a file; and through aliases (``*anchor``) at
most ``MAX_ALIAS_VALUES`` values and ``MAX_ALIAS_CHARS`` characters of text, which stops alias
bombs made of many small values or of a few long ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.load.encoding import decode_yaml
from mkdocs_exdr.load.files import read_regular_file
from mkdocs_exdr.load.syntax import reader_problem, syntax_problem

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64
MAX_VALUES = 1_000_000  # about 8,000 servers of full detail (benchmarks/generate.py)
MAX_ALIAS_VALUES = 10_000
#: Keys and text reached through aliases, in characters: a shared setting is short, and without
#: this a 1 MB string aliased 500 times becomes 500 MB of pages.
MAX_ALIAS_CHARS = 1_000_000

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


def load_file(path: Path, shown: str) -> tuple[list[Document], list[Problem]]:
    """Load every YAML document in ``path``; ``shown`` is the name used in messages."""
    try:
        text = decode_yaml(read_regular_file(path, MAX_FILE_BYTES))
    except (OSError, ValueError) as error:
        return [], [Problem(Location(shown), "", str(error))]
    return load_text(text, shown)


def load_text(text: str, shown: str) -> tuple[list[Document], list[Problem]]:
    """Load every YAML document in ``text``."""
    try:
        return _Builder(shown).documents(text), []
    except yaml.MarkedYAMLError as error:
        return [], [syntax_problem(error, text, shown)]
    except yaml.reader.ReaderError as error:  # a character YAML does not allow, by position
        return [], [reader_problem(error, text, shown)]
    except yaml.YAMLError as error:
        return [], [Problem(Location(shown), "", f"YAML syntax: {error}")]
    except _Limit as error:
        return [], [Problem(Location(shown, error.line, error.column), "", error.message)]


_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR = "tag:yaml.org,2002:str"


def _scalar(event: Any) -> Any:
    """The value of a scalar event, resolved as YAML 1.1 plain scalars are (fast path for text)."""
    value = event.value
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return value
        resolvers = _RESOLVERS.get(value[:1])
        if resolvers is None:
            return value if value else None
        for candidate, regexp in resolvers:
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
                    data = _Tree(Document(self.shown, None)).build(parser)
                    if data.data is not None:  # an empty document contributes nothing
                        found.append(data)
        finally:
            parser.dispose()
        return found


class _Tree:
    """One document being built. The stack holds, per open mapping or list: the container,
    its path, the key waiting for its value, its size once aliases expand, and its anchor."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.stack: list[list[Any]] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.count = 0
        self.aliased = 0
        self.aliased_chars = 0
        self.root: Any = None

    def build(self, parser: Any) -> Document:
        stack, values, texts = self.stack, self.document.values, self.document.texts
        scalar_event, no_key = yaml.ScalarEvent, _NO_KEY
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is yaml.DocumentEndEvent:
                self.document.data = self.root
                return self.document
            self.count += 1
            if self.count > MAX_VALUES:
                self.fail(event, f"more than {MAX_VALUES:,} values in one file")
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.close()
                continue
            if kind is yaml.AliasEvent:
                self.alias(event)
                continue
            tag = event.tag
            if tag is not None and tag != "!" and tag not in _PLAIN_TAGS:
                shown = tag.replace("tag:yaml.org,2002:", "!!")
                self.fail(event, f"tag {shown!r} is not allowed; only plain YAML data is read")
            if kind is not scalar_event:
                self.open(event, {} if kind is yaml.MappingStartEvent else [])
                continue
            value = _scalar(event)
            if event.anchor or not stack:
                if event.anchor:
                    self.anchors[event.anchor] = (value, 1)
                self.leaf(value, event, 1)
                continue
            # The common case, kept inline for speed: a scalar value in a mapping or list.
            top = stack[-1]
            container = top[0]
            if type(container) is list:
                path = (*top[1], len(container))
                container.append(value)
            elif top[2] is no_key:
                self.key(value, event, (event.start_mark.line + 1, event.start_mark.column + 1))
                continue
            else:
                path = (*top[1], top[2])
                container[top[2]] = value
                top[2] = no_key
            top[3] += 1
            mark = event.start_mark
            values[path] = (mark.line + 1, mark.column + 1)
            if value is not None and type(value) is not str:
                texts[path] = event.value

    @staticmethod
    def fail(event: Any, message: str) -> None:
        raise _Limit(event.start_mark.line + 1, event.start_mark.column + 1, message)

    def alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            self.fail(event, f"unknown alias *{event.anchor}")
        value, size = self.anchors[event.anchor]
        self.aliased += size
        if self.aliased > MAX_ALIAS_VALUES:
            self.fail(event, f"aliases expand to over {MAX_ALIAS_VALUES:,} values")
        # Measured only here, so the common path pays nothing; the walk is bounded by the
        # count just checked.
        self.aliased_chars += _text_length(value)
        if self.aliased_chars > MAX_ALIAS_CHARS:
            self.fail(event, f"aliases expand to over {MAX_ALIAS_CHARS:,} characters of text")
        self.leaf(value, event, size)

    def place(self, event: Any) -> Path_:
        """The path of the value ``event`` starts, which is then attached by ``attach``."""
        if not self.stack:
            return ()
        container, path, key = self.stack[-1][:3]
        if type(container) is list:
            return (*path, len(container))
        if key is _NO_KEY:
            self.fail(event, "a mapping or list cannot be a key")
        return (*path, key)

    def attach(self, value: Any, size: int) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if type(top[0]) is list:
            top[0].append(value)
        else:
            top[0][top[2]] = value
            top[2] = _NO_KEY
        top[3] += size

    def leaf(self, value: Any, event: Any, size: int) -> None:
        position = (event.start_mark.line + 1, event.start_mark.column + 1)
        if self.stack and type(self.stack[-1][0]) is dict and self.stack[-1][2] is _NO_KEY:
            self.key(value, event, position)
            return
        path = self.place(event)
        self.document.values[path] = position
        if type(event) is yaml.ScalarEvent and value is not None and type(value) is not str:
            self.document.texts[path] = event.value
        self.attach(value, size)

    def key(self, value: Any, event: Any, position: tuple[int, int]) -> None:
        top = self.stack[-1]
        if type(value) is not str:
            value = (
                "null"
                if value is None
                else str(value).lower()
                if type(value) is bool
                else str(value)
            )
        if value in top[0]:
            self.fail(event, f"key {value!r} appears twice in one mapping")
        top[2] = value
        self.document.keys[(*top[1], value)] = position

    def open(self, event: Any, container: Any) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self.fail(event, f"nested deeper than {MAX_DEPTH} levels")
        path = self.place(event)
        self.document.values[path] = (event.start_mark.line + 1, event.start_mark.column + 1)
        self.attach(container, 0)
        self.stack.append([container, path, _NO_KEY, 1, event.anchor])

    def close(self) -> None:
        container, _, _, size, anchor = self.stack.pop()
        if anchor:
            self.anchors[anchor] = (container, size)
        if self.stack:
            self.stack[-1][3] += size


_NO_KEY = object()


def _text_length(value: Any) -> int:
    """The characters of every string and mapping key in ``value``, as if aliases were copies."""
    total, pending = 0, [value]
    while pending:
        item = pending.pop()
        if type(item) is str:
            total += len(item)
        elif type(item) is dict:
            total += sum(len(key) for key in item)
            pending.extend(item.values())
        elif type(item) is list:
            pending.extend(item)
    return total


def inventory_files(root: Path) -> Iterator[Path]:
    """Every ``*.yml`` and ``*.yaml`` file under ``root``, in a stable order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yml", ".yaml")) and not name.startswith("."):
                yield Path(folder, name)


@dataclass
class LoadedFolder:
    """Every YAML document of a folder's files, the files' names as shown, and the problems."""

    files: list[str] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def load_folder(folder: Path, shown: str) -> LoadedFolder:
    """Load every YAML file under ``folder`` (see ``inventory_files``), each named in messages
    ``shown/<path inside the folder>``."""
    loaded = LoadedFolder()
    for path in inventory_files(folder):
        name = f"{shown}/{path.relative_to(folder).as_posix()}"
        loaded.files.append(name)
        documents, problems = load_file(path, name)
        loaded.documents += documents
        loaded.problems += problems
    return loaded
