"""Write imported facts into inventory YAML files, keeping everything a person wrote.

Re-importing updates only the facts an export holds (FQDN, site, roles, version, edition,
cluster, storage groups, databases) and keeps everything else: other keys, comments, key order,
the file's encoding and line ends. Files are rewritten with ruamel.yaml's round-trip mode, only
when something in them changed, and each all at once (``files.replace_file``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.common.shown import quoted
from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.importer.files import replace_file
from mkdocs_exdr.importer.imported import Imported, ImportedServer
from mkdocs_exdr.load.documents import MAX_FILE_BYTES, inventory_files
from mkdocs_exdr.load.encoding import byte_order_mark, decode_yaml
from mkdocs_exdr.load.files import read_regular_file


@dataclass
class YamlFile:
    """An inventory file as ruamel.yaml reads it, with what is needed to write it back alike."""

    path: Path
    data: Any
    encoding: str
    bom: bytes
    newline: str
    indent: int
    sequence_offset: int
    changed: bool = False
    #: Where the file is written: ``path`` itself, or the file a symbolic link at ``path``
    #: leads to (the link is kept).
    target: Path | None = None

    @classmethod
    def read(cls, path: Path) -> YamlFile:
        raw = read_regular_file(path, MAX_FILE_BYTES)  # ValueError: not regular, or too large
        bom, codec = byte_order_mark(raw)
        encoding = codec or "utf-8"
        text = decode_yaml(raw)  # ValueError for UTF-16 without a mark, or bytes not UTF-8
        newline = "\r\n" if "\r\n" in text else "\n"
        data, indent, offset = load_yaml_guess_indent(text.replace("\r\n", "\n"))
        del data
        yaml = _yaml(indent or 2, offset or 0)
        loaded = yaml.load(text.replace("\r\n", "\n")) if text.strip() else CommentedMap()
        return cls(path, loaded, encoding, bom, newline, indent or 2, offset or 0)

    @classmethod
    def new(cls, path: Path) -> YamlFile:
        data = CommentedMap()
        data.yaml_set_start_comment(
            "Written by mkdocs-exdr import from Exchange Management Shell exports."
        )
        return cls(path, data, "utf-8", b"", "\n", 4, 2, changed=True)

    def text(self) -> str:
        stream = io.StringIO()
        _yaml(self.indent, self.sequence_offset).dump(self.data, stream)
        return stream.getvalue().replace("\n", self.newline)

    def write(self) -> None:
        replace_file(self.target or self.path, self.bom + self.text().encode(self.encoding))


def _yaml(indent: int, offset: int) -> YAML:
    """ruamel.yaml set up to write lists as the file does: ``indent`` is where an item's content
    starts, ``offset`` where its dash is (as ``load_yaml_guess_indent`` reports them)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=indent - offset if offset else indent, sequence=indent, offset=offset)
    return yaml


@dataclass
class Change:
    """What the import did to one server."""

    server: str
    action: str  # added, updated, missing, decommissioned
    file: str
    details: list[str] = field(default_factory=list)


def _set(node: Any, key: str, value: Any, details: list[str]) -> None:
    if value is None:
        return
    if node.get(key) != value:
        details.append(
            f"{key}: {quoted(node.get(key))} → {quoted(value)}"
            if key in node
            else f"{key}: {quoted(value)}"
        )
        node[key] = value


def _named(parent: Any, key: str, name: str, details: list[str], noun: str) -> Any:
    """The entry called ``name`` (any case) in the list ``parent[key]``, added when missing."""
    items = parent.get(key)
    if not isinstance(items, list):
        items = parent[key] = CommentedSeq()
    for item in items:
        if isinstance(item, dict) and str(item.get("name", "")).casefold() == name.casefold():
            return item
    entry = CommentedMap(name=name)
    items.append(entry)
    details.append(f"{noun} {quoted(name)} added")
    return entry


def _update(node: CommentedMap, server: ImportedServer) -> list[str]:
    details: list[str] = []
    _set(node, "fqdn", server.fqdn, details)
    _set(node, "site", server.site, details)
    kept = [r for r in (node.get("roles") or []) if r not in server.decided_roles]
    roles = server.roles + [r for r in kept if r not in server.roles]
    if list(node.get("roles") or []) != roles:
        old = node.get("roles")
        node["roles"] = CommentedSeq(roles)
        node["roles"].fa.set_flow_style()
        details.append(f"roles: {list(old or [])} → {roles}")
    _set(node, "exchange_version", server.exchange_version, details)
    _set(node, "edition", server.edition, details)
    if server.clustered:
        cluster = node.get("cluster")
        if not isinstance(cluster, dict):
            cluster = node["cluster"] = CommentedMap()
            details.append("cluster: added")
        _set(cluster, "type", server.cluster_type, details)
        if server.nodes is not None and list(cluster.get("nodes") or []) != server.nodes:
            cluster["nodes"] = CommentedSeq(server.nodes)
            cluster["nodes"].fa.set_flow_style()
            details.append(f"cluster.nodes: {server.nodes}")
    for group in server.storage_groups:
        target = _named(node, "storage_groups", group.name, details, "storage group")
        for key in ("log_path", "system_path", "log_prefix", "circular_logging"):
            _set(target, key, getattr(group, key), details)
        for db in group.databases:
            entry = _named(target, "databases", db.name, details, "database")
            _set(entry, "type", db.type, details)
            _set(entry, "edb_path", db.edb_path, details)
    return details


def _new_node(server: ImportedServer) -> CommentedMap:
    node = CommentedMap(name=server.name)
    _update(node, server)
    return node


@dataclass
class ImportReport:
    """The outcome of an import: per-server changes, files written, problems."""

    changes: list[Change]
    written: list[str]
    notes: list[Problem]
    skipped: list[Problem]


def apply_import(
    imported: Imported, folder: Path, *, prune: bool = False, write: bool = True
) -> ImportReport:
    """Merge ``imported`` into the inventory ``folder``; write changed files if ``write``.

    Servers missing from the export are reported (with ``prune``, decommissioned) only when the
    Get-ExchangeServer export was read; ``prune`` without it is a ``ValueError``.
    """
    inventory = _Folder.read(folder)
    empty = not any(isinstance(f.data, dict) and f.data for f in inventory.files)
    if empty and imported.organization:
        org = inventory.file(folder / "organization.yml")
        org.data["organization"] = CommentedMap(name=imported.organization)
        if imported.forest:
            org.data["organization"]["forest"] = imported.forest
    if prune and "servers" not in imported.kinds:
        raise ValueError("prune needs the Get-ExchangeServer export")
    changes = [inventory.merge(server) for server in imported.servers]
    found = [c for c in changes if c is not None]
    if "servers" in imported.kinds:  # only the server list tells who is missing
        found += inventory.absent(imported.listed, prune=prune)
    written = inventory.save(write=write)
    return ImportReport(found, written, imported.notes, imported.skipped)


@dataclass
class _Folder:
    """The inventory folder being updated: its files, where each server is, the sites declared,
    and the files the import adds."""

    root: Path
    files: list[YamlFile]
    servers: dict[str, tuple[YamlFile, Any]] = field(default_factory=dict)
    sites: set[str] = field(default_factory=set)
    new_files: dict[Path, YamlFile] = field(default_factory=dict)

    @classmethod
    def read(cls, root: Path) -> _Folder:
        """Every inventory file under ``root``; ``InvalidInput`` when one cannot be updated."""
        files = []
        problems = []
        for path in inventory_files(root) if root.is_dir() else []:
            target = _link_target(path, root)
            if isinstance(target, Problem):
                problems.append(target)
                continue
            try:
                file = YamlFile.read(path)
                file.target = target
            except (OSError, YAMLError, ValueError) as error:
                mark = getattr(error, "problem_mark", None)
                where = (
                    Location(_rel(path, root), mark.line + 1, mark.column + 1)
                    if isinstance(error, MarkedYAMLError) and mark
                    else Location(_rel(path, root))
                )
                problems.append(Problem(where, "", f"cannot be updated: {error}".splitlines()[0]))
                continue
            problems += _shape_problems(file, _rel(path, root))
            files.append(file)
        if problems:
            raise InvalidInput(problems)
        folder = cls(root, files)
        for file in files:
            if not isinstance(file.data, dict):
                continue
            for node in file.data.get("servers") or []:
                if isinstance(node, dict) and node.get("name"):
                    folder.servers[str(node["name"]).casefold()] = (file, node)
            for site in file.data.get("sites") or []:
                if isinstance(site, dict) and site.get("name"):
                    folder.sites.add(str(site["name"]).casefold())
        return folder

    def file(self, path: Path) -> YamlFile:
        """The file at ``path``, read or new."""
        for file in self.files:
            if file.path == path:
                return file
        if path not in self.new_files:
            self.new_files[path] = YamlFile.new(path)
        return self.new_files[path]

    def merge(self, server: ImportedServer) -> Change | None:
        """Update the server where it is, or add it to its site's file (declaring the site)."""
        found = self.servers.get(server.name.casefold())
        if found is not None:
            file, node = found
            details = _update(node, server)
            if not details:
                return None
            file.changed = True
            return Change(server.name, "updated", _rel(file.path, self.root), details)
        site = slugify(server.site) if server.site else "no-site"
        file = self.file(self.root / "servers" / f"{site}.yml")
        if server.site and server.site.casefold() not in self.sites:
            sites = file.data.setdefault("sites", CommentedSeq())
            sites.append(CommentedMap(name=server.site))
            self.sites.add(server.site.casefold())
        file.data.setdefault("servers", CommentedSeq()).append(_new_node(server))
        file.changed = True
        return Change(server.name, "added", _rel(file.path, self.root))

    def absent(self, seen: frozenset[str], *, prune: bool) -> list[Change]:
        """Active servers not in the export: missing, or with ``prune`` decommissioned."""
        changes = []
        for key, (file, node) in sorted(self.servers.items()):
            if key in seen or node.get("status") == "decommissioned":
                continue
            where = _rel(file.path, self.root)
            if prune:
                node["status"] = "decommissioned"
                file.changed = True
                changes.append(Change(str(node["name"]), "decommissioned", where))
            else:
                changes.append(Change(str(node["name"]), "missing", where))
        return changes

    def save(self, *, write: bool) -> list[str]:
        """The changed files, written when ``write``."""
        written: list[str] = []
        for file in [*self.files, *self.new_files.values()]:
            if not file.changed:
                continue
            if write:
                try:
                    file.write()
                except OSError as error:
                    done = f"; written before it: {', '.join(written)}" if written else ""
                    why = error.strerror or str(error)
                    raise InvalidInput(
                        [
                            Problem(
                                Location(_rel(file.path, self.root)),
                                "",
                                f"cannot write: {why}; the file is as it was{done}",
                            )
                        ]
                    ) from None
            written.append(_rel(file.path, self.root))
        return sorted(written)


def _shape_problems(file: YamlFile, shown: str) -> list[Problem]:
    """Why ``file`` cannot take imported servers: its top level is not a mapping, or its
    ``servers`` or ``sites`` is not a list. ``check`` rejects such a file too; import stops
    rather than guess where the servers go."""
    data = file.data
    if data is None:
        return []
    if not isinstance(data, dict):
        return [
            Problem(
                Location(shown, 1, 1),
                "",
                f"cannot be updated: expected a mapping (organization, sites, servers), "
                f"found {_kind(data)}",
            )
        ]
    problems = []
    for key in ("servers", "sites"):
        if key in data and data[key] is not None and not isinstance(data[key], list):
            line, column = data.lc.key(key) if hasattr(data, "lc") else (-1, -1)
            problems.append(
                Problem(
                    Location(shown, line + 1, column + 1),
                    key,
                    f"cannot be updated: expected a list, found {_kind(data[key])}",
                )
            )
    return problems


def _kind(value: Any) -> str:
    """What a value is, in YAML words, without repeating it (it may be anything)."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true or false"
    return "a number" if isinstance(value, (int, float)) else "text"


def _link_target(path: Path, root: Path) -> Path | Problem | None:
    """For a symbolic link, the file it leads to, which import writes while keeping the link;
    a problem when that file is outside the inventory folder, where import never writes."""
    if not path.is_symlink():
        return None
    target = path.resolve()
    if target.is_relative_to(root.resolve()):
        return target
    return Problem(
        Location(_rel(path, root)),
        "",
        "cannot be updated: a symbolic link to a file outside the inventory folder; import "
        "writes only inside it, so copy the file in or update it by hand",
    )


def _rel(path: Path, folder: Path) -> str:
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return str(path)
