"""Read what Exchange Management Shell exports: CSV (Export-Csv) and CLIXML (Export-Clixml).

Each file becomes records of one kind (servers, storage groups, mailbox databases, public folder
databases, mailbox servers), recognised from its type names or columns, never its file name.
Every record remembers its file and line. Files come in the encodings Windows PowerShell writes:
UTF-16 LE with BOM (its default for Export-Clixml), UTF-8 with BOM, or ASCII/ANSI (Export-Csv).
CLIXML is decoded first, as XML finds its encoding, then parsed by ``defusedxml``, which refuses
any DTD (so no entity can expand), collecting text in linear time.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import InputSource, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.load.encoding import decode_export, decode_xml, looks_like_xml
from mkdocs_exdr.load.files import read_regular_file

Value = str | list[str] | None

KINDS = (
    "servers",
    "storage-groups",
    "mailbox-databases",
    "public-folder-databases",
    "mailbox-servers",
)
# Type names (the last part of the .NET class) and the columns that identify each kind.
_TYPES = {
    "ExchangeServer": "servers",
    "StorageGroup": "storage-groups",
    "MailboxDatabase": "mailbox-databases",
    "PublicFolderDatabase": "public-folder-databases",
    "MailboxServer": "mailbox-servers",
}
_COLUMNS = (
    ("servers", {"ServerRole", "AdminDisplayVersion"}),
    ("storage-groups", {"LogFilePrefix"}),
    ("public-folder-databases", {"EdbFilePath", "ReplicationPeriod"}),
    ("public-folder-databases", {"EdbFilePath", "UseCustomReferralServerList"}),
    ("mailbox-databases", {"EdbFilePath"}),
    ("mailbox-servers", {"RedundantMachines"}),
    ("mailbox-servers", {"ClusteredStorageType"}),
)
#: A multi-valued property exported to CSV arrives as its collection's type name.
#: Exports of a few hundred databases in UTF-16 run to tens of megabytes.
MAX_EXPORT_BYTES = 256 * 1024 * 1024
COLLECTION_TYPE = re.compile(r"^(Microsoft|System)\.[\w.]+(`\d+)?(\[.*\])?$|^Deserialized\.")


@dataclass
class Record:
    """One exported object: its values by property name, and where it was read."""

    kind: str
    where: Location
    values: dict[str, Value] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        """A single value as text; ``None`` for empty, ``$null`` or a collection type name."""
        value = self.values.get(name)
        if isinstance(value, list):
            return ", ".join(value) if value else None
        if value is None or value == "" or COLLECTION_TYPE.match(value):
            return None
        return value

    def items(self, name: str) -> list[str] | None:
        """A multi-valued property, or ``None`` when the export lost it (CSV prints the type)."""
        value = self.values.get(name)
        if isinstance(value, list):
            return value
        if value is None or value == "":
            return []
        if COLLECTION_TYPE.match(value):
            return None
        return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]


@dataclass
class Export:
    """A file read: its kind, records and problems."""

    file: str
    kind: str | None
    records: list[Record]
    problems: list[Problem]


def _kind(type_names: list[str], columns: set[str]) -> str | None:
    for name in type_names:
        last = name.rsplit(".", 1)[-1]
        if last in _TYPES:
            return _TYPES[last]
    for kind, needed in _COLUMNS:
        if needed <= columns:
            return kind
    return None


def read_export(path: Path, shown: str) -> Export:
    """Read one export file (CSV or CLIXML, recognised by content)."""
    try:
        raw = read_regular_file(path, MAX_EXPORT_BYTES)
        if looks_like_xml(raw):
            return _read_clixml(decode_xml(raw), shown)
        text = decode_export(raw)
    except (OSError, ValueError) as error:
        return Export(shown, None, [], [Problem(Location(shown), "", str(error))])
    return _read_csv(text, shown)


def _read_csv(text: str, shown: str) -> Export:
    lines = text.splitlines(keepends=True)
    type_names: list[str] = []
    first = 0
    while first < len(lines) and lines[first].startswith("#"):
        if lines[first].startswith("#TYPE"):
            type_names.append(lines[first][5:].strip())
        first += 1
    reader = csv.reader(io.StringIO("".join(lines[first:]), newline=""))
    problems: list[Problem] = []
    try:
        header = next(reader)
    except StopIteration:
        return Export(shown, None, [], [Problem(Location(shown), "", "the file is empty")])
    except csv.Error as error:
        return Export(shown, None, [], [Problem(Location(shown, first + 1, 1), "", str(error))])
    kind = _kind(type_names, set(header))
    if kind is None:
        message = (
            "not an export of Get-ExchangeServer, Get-StorageGroup, Get-MailboxDatabase, "
            "Get-PublicFolderDatabase or Get-MailboxServer (no known columns or #TYPE)"
        )
        return Export(shown, None, [], [Problem(Location(shown, first + 1, 1), "", message)])
    records: list[Record] = []
    while True:
        start = first + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(
                Problem(Location(shown, start, 1), "", f"cannot read this row: {error}")
            )
            continue
        if not row or row == [""]:
            continue
        if len(row) != len(header):
            problems.append(
                Problem(
                    Location(shown, start, 1),
                    "",
                    f"{len(row)} values where the header has {len(header)} "
                    "columns (an unquoted comma?); row skipped",
                )
            )
            continue
        values: dict[str, Value] = dict(zip(header, row, strict=True))
        records.append(Record(kind, Location(shown, start, 1), values))
    return Export(shown, kind, records, problems)


class _Node:
    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag, self.attrs, self.line = tag, attrs, line
        self.children: list[_Node] = []
        self.chunks: list[str] = []  # joined once at the end: += here was quadratic
        self.text = ""


class _TreeBuilder(ContentHandler):
    """Builds ``_Node``s from SAX events, each with the line its element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.root = _Node("#document", {}, 0)
        self.stack = [self.root]
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:
        self.locator = locator

    def startElement(self, name: str, attrs: Any) -> None:
        line = (self.locator.getLineNumber() or 0) if self.locator is not None else 0
        node = _Node(name.rsplit(":", 1)[-1], dict(attrs.items()), line)
        self.stack[-1].children.append(node)
        self.stack.append(node)

    def endElement(self, name: str) -> None:
        node = self.stack.pop()
        node.text = "".join(node.chunks)
        node.chunks = []

    def characters(self, content: str) -> None:
        self.stack[-1].chunks.append(content)


class _XmlProblem(ValueError):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.lineno = line


def _parse_xml(text: str) -> _Node:
    """Parse CLIXML text; raise ``_XmlProblem`` with a line when it is not well-formed or
    declares a DTD (CLIXML never does, and entities are how XML bombs expand)."""
    builder = _TreeBuilder()
    parser = defusedxml.sax.make_parser()
    parser.forbid_dtd = True
    parser.setContentHandler(builder)
    source = InputSource()
    source.setCharacterStream(io.StringIO(text.lstrip("\ufeff")))
    try:
        parser.parse(source)
    except SAXParseException as error:
        raise _XmlProblem(error.getMessage(), error.getLineNumber() or 0) from None
    except DefusedXmlException:
        line = parser.getLineNumber()
        raise _XmlProblem(
            "a DOCTYPE declaration; CLIXML has none, so it is not read", line
        ) from None
    return builder.root


_PRIMITIVES = {
    "S",
    "I32",
    "I64",
    "U32",
    "U64",
    "B",
    "DT",
    "TS",
    "G",
    "D",
    "Db",
    "Sg",
    "By",
    "SB",
    "C",
    "URI",
    "Version",
    "XD",
    "BA",
    "SS",
    "Ref",
}


def _unescape(text: str) -> str:
    """CLIXML escapes characters such as CR and LF as ``_x000D_``."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)


def _value(node: _Node, types: dict[str, list[str]]) -> Value:
    if node.tag == "Nil":
        return None
    if node.tag in _PRIMITIVES:
        return _unescape(node.text)
    if node.tag == "Obj":
        for child in node.children:
            if child.tag in ("LST", "IE", "QUE", "STK"):
                items = [_value(item, types) for item in child.children]
                return [str(i) for i in items if i is not None and not isinstance(i, list)]
        for child in node.children:
            if child.tag == "ToString":
                return _unescape(child.text)
        for child in node.children:
            if child.tag in _PRIMITIVES:
                return _unescape(child.text)
    return None


def _type_names(node: _Node, types: dict[str, list[str]]) -> list[str]:
    for child in node.children:
        if child.tag == "TN":
            names = [t.text for t in child.children if t.tag == "T"]
            types[child.attrs.get("RefId", "")] = names
            return names
        if child.tag == "TNRef":
            return types.get(child.attrs.get("RefId", ""), [])
    return []


def _read_clixml(text: str, shown: str) -> Export:
    try:
        root = _parse_xml(text)
    except _XmlProblem as error:
        line = error.lineno
        return Export(
            shown,
            None,
            [],
            [Problem(Location(shown, line, 1), "", f"not readable CLIXML: {error}")],
        )
    objs = next((n for n in root.children if n.tag == "Objs"), None)
    if objs is None:
        return Export(
            shown,
            None,
            [],
            [Problem(Location(shown), "", "no <Objs> element: not an Export-Clixml file")],
        )
    types: dict[str, list[str]] = {}
    records: list[Record] = []
    kinds: set[str] = set()
    problems: list[Problem] = []
    for obj in (n for n in objs.children if n.tag == "Obj"):
        names = _type_names(obj, types)
        values: dict[str, Value] = {}
        for section in obj.children:
            if section.tag in ("Props", "MS"):
                for prop in section.children:
                    if "N" in prop.attrs:
                        values[prop.attrs["N"]] = _value(prop, types)
        kind = _kind(names, set(values))
        if kind is None:
            problems.append(
                Problem(
                    Location(shown, obj.line, 1),
                    "",
                    f"an object of type {names[0] if names else 'unknown'} is not "
                    "an Exchange server, storage group, database or mailbox server; skipped",
                )
            )
            continue
        kinds.add(kind)
        records.append(Record(kind, Location(shown, obj.line, 1), values))
    # Several kinds in one file are fine: each record keeps its own kind.
    kind = None if not kinds else kinds.pop() if len(kinds) == 1 else "mixed"
    return Export(shown, kind, records, problems)
