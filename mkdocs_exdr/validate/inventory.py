"""Turn inventory files into one typed ``Inventory``, or the complete list of problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.inventory.acceptances import accepted_risks
from mkdocs_exdr.inventory.model import (
    Database,
    Inventory,
    InventoryFile,
    Organization,
    Server,
    Site,
    StorageGroup,
)
from mkdocs_exdr.load.documents import inventory_files, load_file
from mkdocs_exdr.load.reader import BAD, Context, SecretHit, reader_for
from mkdocs_exdr.plan.findings import CODES
from mkdocs_exdr.policies.catalog import Catalog


@dataclass(frozen=True)
class LoadedInventory:
    """A valid inventory, and the places where secrets were found and redacted."""

    inventory: Inventory
    secrets: tuple[SecretHit, ...]


def read_inventory(folder: Path, catalog: Catalog, shown: str | None = None) -> LoadedInventory:
    """Read every YAML file under ``folder``; raise ``InvalidInput`` with all problems."""
    base = shown if shown is not None else str(folder)
    if not folder.is_dir():
        raise InvalidInput([Problem(Location(base), "", "inventory folder not found")])
    problems: list[Problem] = []
    secrets: list[SecretHit] = []
    parts: list[Any] = []
    files: list[str] = []
    read_file = reader_for(InventoryFile)
    vocab = {
        "role": catalog.role_ids,
        "backup item": catalog.item_ids,
        "finding code": sorted(CODES),
    }
    for path in inventory_files(folder):
        name = f"{base}/{path.relative_to(folder).as_posix()}"
        files.append(name)
        documents, found = load_file(path, name)
        problems += found
        for document in documents:
            ctx = Context(document, vocab)
            part = read_file(document.data, (), ctx)
            problems += ctx.problems
            if part is not BAD:
                parts.append(part)
                secrets += [_with_server(hit, part) for hit in ctx.secrets]
            else:
                secrets += ctx.secrets
    organization, sites, servers = _merge(parts, base, problems)
    problems += _check_servers(servers)
    if organization is not None:
        _, twice = accepted_risks(organization, sites, servers)
        for first, second in twice:
            problems.append(
                Problem(
                    second.acceptance.where,
                    "accept",
                    f"{second.acceptance.code} for {second.subject} is accepted twice; "
                    f"first at {first.acceptance.where}; keep one",
                )
            )
    if problems or organization is None:
        raise InvalidInput(problems)
    reviews = sorted(
        (r for part in parts for r in part.reviews), key=lambda r: (r.date, r.reviewer)
    )
    inventory = Inventory(organization, tuple(sites), tuple(servers), tuple(files), tuple(reviews))
    return LoadedInventory(inventory, tuple(secrets))


def _with_server(hit: SecretHit, part: InventoryFile) -> SecretHit:
    """Name the server whose entry (``servers[3]...`` in its document) holds the secret."""
    match = re.match(r"servers\[(\d+)\]", hit.field)
    if match and int(match.group(1)) < len(part.servers):
        return replace(hit, server=part.servers[int(match.group(1))].name)
    return hit


def _merge(
    parts: list[InventoryFile], base: str, problems: list[Problem]
) -> tuple[Organization | None, list[Site], list[Server]]:
    organization: Organization | None = None
    sites: dict[str, Site] = {}
    slugs: dict[str, Site] = {}
    servers: dict[str, Server] = {}
    for part in parts:
        if part.organization is not None:
            if organization is not None:
                problems.append(
                    Problem(
                        part.organization.where,
                        "organization",
                        f"organization defined twice; first at {organization.where}",
                    )
                )
            else:
                organization = part.organization
        for site in part.sites:
            first = sites.get(site.name.casefold()) or slugs.get(slugify(site.name))
            if first is not None:
                problems.append(
                    Problem(
                        site.where,
                        "sites",
                        f"site {site.name!r} defined twice (names differ only in case or "
                        f"punctuation); first at {first.where}",
                    )
                )
                continue
            if slugify(site.name) == "index":
                problems.append(
                    Problem(
                        site.where,
                        "sites",
                        f"site name {site.name!r} would replace the "
                        "sites index page (sites/index.md); rename it",
                    )
                )
                continue
            sites[site.name.casefold()] = slugs[slugify(site.name)] = site
        for server in part.servers:
            other = servers.get(server.name.casefold())
            if other is not None:
                problems.append(
                    Problem(
                        server.where,
                        "servers",
                        f"server {server.name!r} defined twice; first at {other.where}",
                    )
                )
                continue
            servers[server.name.casefold()] = server
    if organization is None and not problems:
        problems.append(
            Problem(
                Location(base),
                "organization",
                "no file defines the organization; add 'organization: {name: ...}' to one file",
            )
        )
    return organization, list(sites.values()), list(servers.values())


def _check_servers(servers: list[Server]) -> list[Problem]:
    """Names that must be unique: page slugs of servers, storage groups of a server, databases
    of a storage group (Exchange 2007 names a database Server\\StorageGroup\\Database)."""
    problems: list[Problem] = []
    slugs: dict[str, Server] = {}
    for server in servers:
        slug = slugify(server.name)
        if slug in slugs:
            first = slugs[slug]
            problems.append(
                Problem(
                    server.where,
                    "servers",
                    f"server {server.name!r} and server {first.name!r} (at {first.where}) "
                    f"would share the page servers/{slug}.md; rename one",
                )
            )
        slugs[slug] = server
        groups: dict[str, StorageGroup] = {}
        for group in server.storage_groups:
            if group.name.casefold() in groups:
                problems.append(
                    Problem(
                        group.where,
                        "storage_groups",
                        f"storage group {group.name!r} appears twice on {server.name}; "
                        f"first at {groups[group.name.casefold()].where}",
                    )
                )
            groups[group.name.casefold()] = group
            databases: dict[str, Database] = {}
            for db in group.databases:
                if db.name.casefold() in databases:
                    problems.append(
                        Problem(
                            db.where,
                            "databases",
                            f"database {db.name!r} appears twice in {group.name}; "
                            f"first at {databases[db.name.casefold()].where}",
                        )
                    )
                databases[db.name.casefold()] = db
    return problems
