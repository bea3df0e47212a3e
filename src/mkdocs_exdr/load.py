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
        raise ValueError(
            f"byte {error.start} is not UTF-8; save the file as UTF-8 or UTF-16 with BOM"
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
    documents: list[Document] = []
    try:
        for node in yaml.compose_all(text, Loader=_Loader):
            if node is None:
                continue
            document = Document(shown, None)
            builder = _Builder(document)
            document.data = builder.build(node, (), 0)
            documents.append(document)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = " ".join(str(part) for part in (error.context, error.problem) if part)
        return [], [Problem(Location(shown, line, column), "", f"YAML syntax: {message}")]
    except yaml.YAMLError as error:
        return [], [Problem(Location(shown), "", f"YAML syntax: {error}")]
    except _Limit as error:
        return [], [Problem(Location(shown, error.line, error.column), "", error.message)]
    return documents, []


class _Builder:
    """Turns composed nodes into plain data, enforcing the limits."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.count = 0
        self.alias_count = 0
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: Path_, depth: int, aliased: bool = False) -> Any:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        self.count += 1
        if id(node) in self.seen:
            aliased = True
        self.seen.add(id(node))
        if aliased:
            self.alias_count += 1
            if self.alias_count > MAX_ALIAS_VALUES:
                raise _Limit(line, column, f"aliases expand to over {MAX_ALIAS_VALUES:,} values")
        if self.count > MAX_VALUES:
            raise _Limit(line, column, f"more than {MAX_VALUES:,} values in one file")
        if depth > MAX_DEPTH:
            raise _Limit(line, column, f"nested deeper than {MAX_DEPTH} levels")
        if node.tag not in _PLAIN_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise _Limit(line, column, f"tag {tag!r} is not allowed; only plain YAML data is read")
        self.document.values[path] = (line, column)
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path, depth + 1, aliased)
                key_line, key_column = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    raise _Limit(key_line, key_column, f"key {key!r} appears twice in one mapping")
                child = (*path, key)
                self.document.keys[child] = (key_line, key_column)
                result[key] = self.build(value_node, child, depth + 1, aliased)
            self.document.values[path] = (line, column)
            return result
        if isinstance(node, yaml.SequenceNode):
            items = [
                self.build(item, (*path, index), depth + 1, aliased)
                for index, item in enumerate(node.value)
            ]
            self.document.values[path] = (line, column)
            return items
        return _constructor.construct_object(node)


def inventory_files(root: Path) -> Iterator[Path]:
    """Every ``*.yml`` and ``*.yaml`` file under ``root``, in a stable order."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith((".yml", ".yaml")) and not name.startswith("."):
                yield Path(folder, name)
