"""Turn inventory files into one typed ``Inventory``, or the complete list of problems."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.common.repeats import split_repeats
from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.inventory.acceptances import accepted_risks
from mkdocs_exdr.inventory.model import (
    Inventory,
    InventoryFile,
    Organization,
    Server,
    Site,
)
from mkdocs_exdr.load.documents import Document, load_folder
from mkdocs_exdr.load.reader import (
    BAD,
    Context,
    SecretHit,
    field_path,
    kind_of,
    reader_for,
    suggest,
)
from mkdocs_exdr.plan.findings import CODES
from mkdocs_exdr.policies.catalog import Catalog
from mkdocs_exdr.validate.characters import forbidden_characters
from mkdocs_exdr.validate.lookalikes import lookalike_names

#: What a backup job's ``location`` may say besides a site's name: a copy kept away from every
#: site. Anything else would be a typo that silently counts as off-site (and hides EXDR007).
OFFSITE_KEYWORDS = ("offsite", "cloud", "vault")
#: A new project's first message: where the folder was looked for, and how to start one.
_NO_FOLDER = (
    "inventory folder not found (looked for {}; the plugin's inventory option, relative to "
    "mkdocs.yml). Start one with 'mkdocs-exdr import EXPORT...' from Exchange Management Shell "
    "exports, or copy the example's inventory/ folder and edit it (README: 'Importing from the "
    "Exchange Management Shell', 'Inventory format')"
)


@dataclass(frozen=True)
class LoadedInventory:
    """A valid inventory, and the places where secrets were found and redacted."""

    inventory: Inventory
    secrets: tuple[SecretHit, ...]


def read_inventory(folder: Path, catalog: Catalog, shown: str | None = None) -> LoadedInventory:
    """Read every YAML file under ``folder``; raise ``InvalidInput`` with all problems."""
    base = shown if shown is not None else str(folder)
    if not folder.is_dir():
        raise InvalidInput([Problem(Location(base), "", _NO_FOLDER.format(folder.absolute()))])
    loaded = load_folder(folder, base)
    problems = list(loaded.problems)
    for document in loaded.documents:
        problems += forbidden_characters(document)
    parts, secrets = _read_parts(loaded.documents, catalog, problems)
    organization, sites, servers = _merge([part for part, _ in parts], base, problems)
    problems += _check_servers(servers)
    problems += lookalike_names(sites, servers)
    problems += _backup_locations(parts, sites)
    if organization is not None:
        problems += _accepted_twice(organization, sites, servers)
    if problems or organization is None:
        raise InvalidInput(problems)
    reviews = sorted(
        (r for part, _ in parts for r in part.reviews), key=lambda r: (r.date, r.reviewer)
    )
    inventory = Inventory(
        organization, tuple(sites), tuple(servers), tuple(loaded.files), tuple(reviews)
    )
    return LoadedInventory(inventory, tuple(secrets))


def vocabularies(catalog: Catalog) -> dict[str, list[str]]:
    """The known words of each ``vocab`` field: role ids and backup-item ids of the built-in and
    user policies, and the finding codes."""
    return {
        "role": catalog.role_ids,
        "backup item": catalog.item_ids,
        "finding code": sorted(CODES),
    }


def _read_parts(
    documents: list[Document], catalog: Catalog, problems: list[Problem]
) -> tuple[list[tuple[InventoryFile, Document]], list[SecretHit]]:
    """Each document read as an ``InventoryFile`` (with the document, for the positions of
    checks made after merging), and the secrets found in them."""
    read_file = reader_for(InventoryFile)
    vocab = vocabularies(catalog)
    parts: list[tuple[InventoryFile, Document]] = []
    secrets: list[SecretHit] = []
    for document in documents:
        ctx = Context(document, vocab)
        part = read_file(document.data, (), ctx)
        problems += ctx.problems
        if part is not BAD:
            parts.append((part, document))
            secrets += [_with_server(hit, part) for hit in ctx.secrets]
        else:
            secrets += ctx.secrets
    return parts, secrets


def _with_server(hit: SecretHit, part: InventoryFile) -> SecretHit:
    """Name the server whose entry (``servers[3]...`` in its document) holds the secret."""
    match = re.match(r"servers\[(\d+)\]", hit.field)
    if match and int(match.group(1)) < len(part.servers):
        return replace(hit, server=part.servers[int(match.group(1))].name)
    return hit


def _places(server: Server) -> Iterator[tuple[tuple[str | int, ...], str, Location]]:
    """Every value of ``server`` that names where something is kept: backup locations and the
    ``kept_in`` lists of media, certificates and the Edge export, with their path and place."""
    for number, job in enumerate(server.backups):
        if job.location is not None:
            yield ("backups", number, "location"), job.location, job.where
    lists: list[tuple[tuple[str | int, ...], list[str], Location]] = []
    if server.media is not None:
        lists.append((("media", "kept_in"), server.media.kept_in, server.media.where))
    if server.edge_export is not None:
        export = server.edge_export
        lists.append((("edge_export", "kept_in"), export.kept_in, export.where))
    for number, cert in enumerate(server.certificates):
        lists.append((("certificates", number, "kept_in"), cert.kept_in, cert.where))
    for path, values, where in lists:
        for index, value in enumerate(values):
            yield (*path, index), value, where


def _backup_locations(
    parts: list[tuple[InventoryFile, Document]], sites: list[Site]
) -> list[Problem]:
    """Places (backup ``location``, ``kept_in``) that are neither a declared site nor one of
    ``OFFSITE_KEYWORDS``: a typo would otherwise count as away from the server's site."""
    names = sorted((site.name for site in sites), key=str.casefold)
    allowed = {name.casefold() for name in (*names, *OFFSITE_KEYWORDS)}
    sites_text = f"the name of a site ({', '.join(names)})" if names else "the name of a site"
    expected = f"{sites_text} or {', '.join(OFFSITE_KEYWORDS[:-1])} or {OFFSITE_KEYWORDS[-1]}"
    problems: list[Problem] = []
    for part, document in parts:
        for index, server in enumerate(part.servers):
            for inner, value, owner in _places(server):
                if value.casefold() in allowed:
                    continue
                path = ("servers", index, *inner)
                problems.append(
                    Problem(
                        document.where(path) if document.where(path).line else owner,
                        field_path(path),
                        f"expected {expected}; found {kind_of(value)}"
                        f"{suggest(value, [*names, *OFFSITE_KEYWORDS])}",
                    )
                )
    return problems


def _accepted_twice(
    organization: Organization, sites: list[Site], servers: list[Server]
) -> list[Problem]:
    _, twice = accepted_risks(organization, sites, servers)
    return [
        Problem(
            second.acceptance.where,
            "accept",
            f"{second.acceptance.code} for {second.subject} is accepted twice; "
            f"first at {first.acceptance.where}; keep one",
        )
        for first, second in twice
    ]


def _merge(
    parts: list[InventoryFile], base: str, problems: list[Problem]
) -> tuple[Organization | None, list[Site], list[Server]]:
    """The organisation, sites and servers of all files, each defined once."""
    organizations = [part.organization for part in parts if part.organization is not None]
    problems += [
        Problem(
            again.where,
            "organization",
            f"organization defined twice; first at {organizations[0].where}",
        )
        for again in organizations[1:]
    ]
    sites = _unique_sites([site for part in parts for site in part.sites], problems)
    servers, twice = split_repeats(
        (server for part in parts for server in part.servers), key=lambda s: s.name.casefold()
    )
    problems += [
        Problem(
            again.where, "servers", f"server {again.name!r} defined twice; first at {first.where}"
        )
        for first, again in twice
    ]
    organization = organizations[0] if organizations else None
    if organization is None and not problems:
        problems.append(
            Problem(
                Location(base),
                "organization",
                "no file defines the organization; add 'organization: {name: ...}' to one file",
            )
        )
    return organization, sites, list(servers.values())


def _unique_sites(sites: list[Site], problems: list[Problem]) -> list[Site]:
    """Sites whose names differ in more than case and punctuation (their pages' slugs), and
    none called "index" (the sites index page)."""
    by_name: dict[str, Site] = {}
    by_slug: dict[str, Site] = {}
    for site in sites:
        first = by_name.get(site.name.casefold()) or by_slug.get(slugify(site.name))
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
        by_name[site.name.casefold()] = by_slug[slugify(site.name)] = site
    return list(by_name.values())


def _check_servers(servers: list[Server]) -> list[Problem]:
    """Names that must be unique: page slugs of servers, storage groups of a server, databases
    of a storage group (Exchange 2007 names a database Server\\StorageGroup\\Database)."""
    _, same_page = split_repeats(servers, key=lambda server: slugify(server.name))
    problems = [
        Problem(
            again.where,
            "servers",
            f"server {again.name!r} and server {first.name!r} (at {first.where}) "
            f"would share the page servers/{slugify(again.name)}.md; rename one",
        )
        for first, again in same_page
    ]
    for server in servers:
        _, groups_twice = split_repeats(
            server.storage_groups, key=lambda group: group.name.casefold()
        )
        problems += [
            Problem(
                again.where,
                "storage_groups",
                f"storage group {again.name!r} appears twice on {server.name}; "
                f"first at {first.where}",
            )
            for first, again in groups_twice
        ]
        for group in server.storage_groups:
            _, databases_twice = split_repeats(group.databases, key=lambda db: db.name.casefold())
            problems += [
                Problem(
                    again.where,
                    "databases",
                    f"database {again.name!r} appears twice in {group.name}; "
                    f"first at {first.where}",
                )
                for first, again in databases_twice
            ]
    return problems
