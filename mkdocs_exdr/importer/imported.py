"""What Exchange Management Shell exports say about each server, in inventory terms.

``read_exports`` joins the records of Get-ExchangeServer, Get-StorageGroup, Get-MailboxDatabase,
Get-PublicFolderDatabase and Get-MailboxServer into servers with roles, site, version, cluster,
storage groups and databases. Anything it does not recognise is reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.common.shown import quoted, shortened
from mkdocs_exdr.importer.exports import KINDS, Export, Record, Value
from mkdocs_exdr.inventory.model import SERVER_NAME_PATTERN, Server
from mkdocs_exdr.load.secrets import REDACTED, redact_secrets
from mkdocs_exdr.validate.characters import FORBIDDEN

#: Exchange 2007 ServerRole words and the role ids of the built-in policies.
ROLE_WORDS = {
    "Mailbox": "mailbox",
    "ClientAccess": "client-access",
    "UnifiedMessaging": "unified-messaging",
    "HubTransport": "hub-transport",
    "Edge": "edge-transport",
    "EdgeTransport": "edge-transport",
}
EDITIONS = {
    "Standard": "Standard",
    "StandardEvaluation": "Standard",
    "Enterprise": "Enterprise",
    "EnterpriseEvaluation": "Enterprise",
}
CLUSTER_TYPES = {"NonShared": "ccr", "Shared": "scc"}
_EXCHANGE_2007 = re.compile(r"^Version 8\.\d+ \(Build ")
# The rule check applies to server names, so import never writes a name check rejects.
_NAME = re.compile(SERVER_NAME_PATTERN.replace("$", r"\Z"))
_NAME_RULE = Server.__dataclass_fields__["name"].metadata["doc"].rstrip(".")


@dataclass
class Database:
    name: str
    type: str
    edb_path: str | None


@dataclass
class StorageGroup:
    name: str
    log_path: str | None = None
    system_path: str | None = None
    log_prefix: str | None = None
    circular_logging: bool | None = None
    databases: list[Database] = field(default_factory=list)


@dataclass
class ImportedServer:
    """What the exports say about one Exchange 2007 server."""

    name: str
    where: Location
    roles: list[str]
    fqdn: str | None = None
    site: str | None = None
    exchange_version: str | None = None
    edition: str | None = None
    clustered: bool = False
    cluster_type: str | None = None
    nodes: list[str] | None = None
    storage_groups: list[StorageGroup] = field(default_factory=list)
    #: The roles the exports decide: ServerRole's, and public-folder only when public folder
    #: databases were exported. Every other role in the inventory stays as a person set it.
    decided_roles: frozenset[str] = frozenset(ROLE_WORDS.values())


@dataclass
class Imported:
    """Everything the exports say, and what could not be used."""

    organization: str | None
    forest: str | None
    servers: list[ImportedServer]
    notes: list[Problem]  # reported, the import goes on
    skipped: list[Problem]  # rows or servers left out: exit code 1
    kinds: frozenset[str] = frozenset()  # the kinds of export read (exports.KINDS)
    #: Every server a Get-ExchangeServer row names, skipped ones included (casefolded): a
    #: server the export lists is never "missing" from it.
    listed: frozenset[str] = frozenset()


def _last(path: str | None, separator: str) -> str | None:
    return path.rsplit(separator, 1)[-1].strip() or None if path else None


def _server_name(record: Record) -> str | None:
    value = record.text("Server") or record.text("Identity") or ""
    if value.upper().startswith("CN="):
        return value.split(",", 1)[0][3:]
    return value.split("\\", 1)[0].strip() or None


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    return text.strip().lower() in ("true", "yes", "1")


def read_exports(exports: list[Export]) -> Imported:
    """Combine the records of every export into servers with their storage groups."""
    by_kind: dict[str, list[Record]] = {}
    notes: list[Problem] = []
    skipped: list[Problem] = [p for e in exports for p in e.problems]
    for export in exports:
        for record in export.records:
            refused = _unwritable(record)
            if refused is not None:
                skipped.append(refused)
                continue
            by_kind.setdefault(record.kind, []).append(_redacted(record, notes))
    servers: dict[str, ImportedServer] = {}
    organization = forest = None
    listed = frozenset((r.text("Name") or "").casefold() for r in by_kind.get("servers", []))
    for record in by_kind.get("servers", []):
        server = _server(record, notes, skipped)
        if server is None:
            continue
        if organization is None:
            organization, forest = _organization(record)
        servers[server.name.casefold()] = server
    _add_clusters(by_kind.get("mailbox-servers", []), servers, notes)
    groups = _add_storage_groups(by_kind.get("storage-groups", []), servers)
    for kind, db_type in (
        ("mailbox-databases", "mailbox"),
        ("public-folder-databases", "public-folder"),
    ):
        _add_databases(by_kind.get(kind, []), db_type, servers, groups)
    kinds = frozenset(by_kind) | {e.kind for e in exports if e.kind in KINDS}
    if "public-folder-databases" in kinds:
        for server in servers.values():
            server.decided_roles |= {"public-folder"}
    return Imported(
        organization, forest, list(servers.values()), notes, skipped, kinds, listed - {""}
    )


def _unwritable(record: Record) -> Problem | None:
    """A row holding a character that ``check`` refuses in names and paths (controls, line
    breaks, bidirectional overrides): it is left out, so the inventory never gets it."""
    for name, value in record.values.items():
        for text in value if isinstance(value, list) else [value or ""]:
            found = FORBIDDEN.search(text)
            if found:
                code = ord(found.group())
                return Problem(
                    record.where,
                    name,
                    f"holds a control, line-break or bidirectional character (U+{code:04X}) "
                    "that check refuses; row skipped, not written",
                )
    return None


def _redacted(record: Record, notes: list[Problem]) -> Record:
    """``record`` with every value that looks like a secret replaced by ``[redacted]``, as the
    inventory loader does, and a note naming each (export file, line, property), never its
    value: a secret in an export is neither printed nor written to the inventory."""
    values: dict[str, Value] = {}
    for name, value in record.values.items():
        texts = value if isinstance(value, list) else [value or ""]
        kept = [redact_secrets(text) or text for text in texts]
        if kept == texts:
            values[name] = value
            continue
        values[name] = kept if isinstance(value, list) else kept[0]
        shown = name if redact_secrets(name) is None else REDACTED
        notes.append(
            Problem(
                record.where,
                shown,
                f"looks like a secret; written as {REDACTED}. Keep it in the password manager "
                "and name the entry under credentials",
            )
        )
    return replace(record, values=values)


def _server(record: Record, notes: list[Problem], skipped: list[Problem]) -> ImportedServer | None:
    """The server of a Get-ExchangeServer row, or ``None`` (and why, in ``skipped``)."""
    name = record.text("Name")
    if not name:
        skipped.append(Problem(record.where, "Name", "a server row without a name; skipped"))
        return None
    if not _NAME.match(name):
        skipped.append(
            Problem(
                record.where,
                "Name",
                f"{quoted(name)} is not a server name check accepts; expected a {_NAME_RULE}; "
                "skipped, not written",
            )
        )
        return None
    version = record.text("AdminDisplayVersion")
    words = [w.strip() for w in (record.text("ServerRole") or "").split(",") if w.strip()]
    refused = _refused(record, name, version, words)
    if refused is not None:
        skipped.append(refused)
        return None
    edition = record.text("Edition")
    server = ImportedServer(
        name=name,
        where=record.where,
        roles=list(dict.fromkeys(ROLE_WORDS[w] for w in words)),
        fqdn=record.text("Fqdn"),
        site=_last(record.text("Site"), "/"),
        exchange_version=version,
        edition=EDITIONS.get(edition or ""),
        clustered=(record.text("IsMemberOfCluster") or "No").strip().lower() not in ("no", "false"),
    )
    if edition and server.edition is None and edition != "Unknown":
        notes.append(
            Problem(
                record.where,
                "Edition",
                f"{name}: edition {quoted(edition)} not recognised; left out",
            )
        )
    if server.site is None:
        notes.append(
            Problem(
                record.where,
                "Site",
                f"{name}: no AD site in the export (an Edge server is outside the "
                "domain); written without a site",
            )
        )
    return server


def _refused(record: Record, name: str, version: str | None, words: list[str]) -> Problem | None:
    """Why a server row is left out: not Exchange 2007, or a ServerRole not known."""
    if version and not _EXCHANGE_2007.match(version):
        return Problem(
            record.where,
            "AdminDisplayVersion",
            f"{name} runs {quoted(version)}, not Exchange 2007 (ServerRole "
            f"{shortened(', '.join(words)) or 'empty'}); skipped",
        )
    unknown = [w for w in words if w not in ROLE_WORDS]
    if unknown or not words:
        what = ", ".join(unknown) if unknown else "no role"
        return Problem(
            record.where,
            "ServerRole",
            f"{name}: unknown ServerRole {quoted(what)}; expected "
            f"{', '.join(sorted(ROLE_WORDS))}; skipped, not guessed",
        )
    return None


def _organization(record: Record) -> tuple[str | None, str | None]:
    """The Exchange organisation and AD forest named in a server's distinguished name."""
    dn = record.text("DistinguishedName") or ""
    found = re.search(r"CN=([^,]+),CN=Microsoft Exchange,", dn)
    if not found:
        return None, None
    return found.group(1), ".".join(re.findall(r"DC=([^,]+)", dn)) or None


def _add_clusters(
    records: list[Record], servers: dict[str, ImportedServer], notes: list[Problem]
) -> None:
    """Cluster type and nodes from Get-MailboxServer rows."""
    for record in records:
        server = servers.get((record.text("Name") or "").casefold())
        if server is None:
            continue
        nodes = record.items("RedundantMachines")
        kind = CLUSTER_TYPES.get(record.text("ClusteredStorageType") or "")
        if kind or (nodes and len(nodes) > 1):
            server.clustered = True
        server.cluster_type = kind or server.cluster_type
        if nodes is None and server.clustered:
            notes.append(
                Problem(
                    record.where,
                    "RedundantMachines",
                    f"{server.name}: the cluster nodes arrived as a type name (CSV "
                    "loses multi-valued properties); export with Export-Clixml or the "
                    "calculated property in the README to import them",
                )
            )
        elif nodes:
            server.nodes = nodes


_Groups = dict[tuple[str, str], StorageGroup]


def _add_storage_groups(records: list[Record], servers: dict[str, ImportedServer]) -> _Groups:
    """Storage groups from Get-StorageGroup rows, by (server, group) without case."""
    groups: _Groups = {}
    for record in records:
        server = servers.get((_server_name(record) or "").casefold())
        name = record.text("Name")
        if server is None or not name:
            continue
        group = StorageGroup(
            name=name,
            log_path=record.text("LogFolderPath"),
            system_path=record.text("SystemFolderPath"),
            log_prefix=record.text("LogFilePrefix"),
            circular_logging=_bool(record.text("CircularLoggingEnabled")),
        )
        server.storage_groups.append(group)
        groups[(server.name.casefold(), name.casefold())] = group
    return groups


def _add_databases(
    records: list[Record], db_type: str, servers: dict[str, ImportedServer], groups: _Groups
) -> None:
    """Databases from Get-MailboxDatabase or Get-PublicFolderDatabase rows, in their storage
    groups (a group no Get-StorageGroup row named is added)."""
    for record in records:
        server = servers.get((_server_name(record) or "").casefold())
        name = record.text("Name")
        group_name = _last(record.text("StorageGroup"), "\\")
        if server is None or not name or not group_name:
            continue
        key = (server.name.casefold(), group_name.casefold())
        group = groups.get(key)
        if group is None:
            group = groups[key] = StorageGroup(group_name)
            server.storage_groups.append(group)
        group.databases.append(Database(name, db_type, record.text("EdbFilePath")))
        if db_type == "public-folder" and "public-folder" not in server.roles:
            server.roles.append("public-folder")
