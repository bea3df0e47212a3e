"""The organisation as server planning looks it up: settings with defaults, sites, roles by site."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from mkdocs_exdr.common.durations import parse_duration
from mkdocs_exdr.common.problems import Problem
from mkdocs_exdr.inventory.model import Inventory, Server, Site
from mkdocs_exdr.policies import facts
from mkdocs_exdr.policies.catalog import Catalog
from mkdocs_exdr.policies.model import RolePolicy, by_rank

DEFAULTS = {
    "restore_test_max_age": parse_duration("13w"),
    "review_interval": parse_duration("26w"),
    "restore_rate_gb_per_hour": 20.0,
    "certificate_warning": parse_duration("4w"),
    "rebuild_times": [],
}


#: Most database portability targets a runbook names (a site may hold hundreds of Mailbox
#: servers; naming them all is no help at 3 a.m. and costs time in every server's plan).
PORTABILITY_SHOWN = 10


def _room_first(server: Server) -> tuple[bool, int, str]:
    """Servers outside a cluster first, then those with the fewest databases, then by name."""
    databases = sum(len(g.databases) for g in server.storage_groups)
    return (server.cluster is not None, databases, server.name.casefold())


def subscription_roles(policies: Iterable[RolePolicy]) -> set[str]:
    """The roles an Edge subscription needs in its site: those the policies depend on with
    scope ``edge-sync-site`` (Hub Transport, in the built-in Edge Transport policy)."""
    return {d.role for p in policies for d in p.depends_on if d.scope == "edge-sync-site"}


class OrgIndex:
    """Indexes of the inventory that server planning and the checks look things up in."""

    def __init__(
        self,
        inventory: Inventory,
        catalog: Catalog,
        as_of: dt.date,
        memo: facts.TemplateMemo | None = None,
    ) -> None:
        self.inventory = inventory
        self.catalog = catalog
        self.as_of = as_of
        settings = inventory.organization.settings
        self.settings: dict[str, Any] = {
            key: (getattr(settings, key, None) if settings else None) or default
            for key, default in DEFAULTS.items()
        }
        self.sites = {s.name.casefold(): s for s in inventory.sites}
        self.facts = facts.Facts("org", inventory.organization)
        self.active = [s for s in inventory.servers if s.status == "active"]
        self.problems: list[Problem] = []
        #: The policy templates this plan runs, with their own problems: made per plan, so a
        #: failure is placed at this catalog's items; only texts may come from a plan before.
        self.templates = facts.TemplateRuns(catalog.trusted, memo)
        self.rebuild_times = {r.role: r.time for r in self.settings["rebuild_times"]}
        self.by_role_site: dict[tuple[str, str], list[Server]] = defaultdict(list)
        self._ranked_targets: dict[str, list[Server]] = {}
        #: Servers with an Edge subscription, each with the roles the subscription needs.
        self.edges = [
            (s, subscription_roles(self.policies(s))) for s in self.active if s.edge_sync_site
        ]
        for server in self.active:
            for role in server.roles:
                self.by_role_site[(role, (server.site or "").casefold())].append(server)

    def rebuild_hours(self, policies: list[RolePolicy]) -> float | None:
        """Hours to rebuild a server of these roles: the longest role, settings over policies."""
        times = [self.rebuild_times.get(p.id) or p.rebuild_time for p in policies]
        hours = [t.seconds / 3600 for t in times if t is not None]
        return max(hours) if hours else None

    def related(self, server: Server) -> dict[str, list[Server]]:
        """The other servers ``server``'s templates may name (see ``facts.RELATED``)."""
        site = (server.site or "").casefold()
        sync = (server.edge_sync_site or "").casefold()
        needed = subscription_roles(self.policies(server))
        roles = set(server.roles)
        return {
            "hub_servers": [
                s
                for s in self.active
                if (s.site or "").casefold() == sync and needed & set(s.roles)
            ]
            if sync
            else [],
            "edge_servers": [
                edge
                for edge, subscribed_to in self.edges
                if site and (edge.edge_sync_site or "").casefold() == site and subscribed_to & roles
            ],
            "portability_targets": self._portability_targets(server),
        }

    def _portability_targets(self, server: Server) -> list[Server]:
        """The other Mailbox servers of ``server``'s site that could mount its databases: at most
        ``PORTABILITY_SHOWN``, those outside a cluster with the fewest databases first."""
        site = (server.site or "").casefold()
        if not site:
            return []
        if site not in self._ranked_targets:
            takers = [p.id for p in self.catalog.roles.values() if p.portability_target]
            found = {id(s): s for role in takers for s in self.by_role_site.get((role, site), [])}
            self._ranked_targets[site] = sorted(found.values(), key=_room_first)
        nearest = self._ranked_targets[site][: PORTABILITY_SHOWN + 1]
        return [s for s in nearest if s is not server][:PORTABILITY_SHOWN]

    def site_of(self, server: Server) -> Site | None:
        """The site of ``server``, matched as the inventory matches names (casefold)."""
        return self.sites.get((server.site or "").casefold())

    def policies(self, server: Server) -> list[RolePolicy]:
        """The role policies that apply to ``server``, in page order."""
        found = [self.catalog.roles[r] for r in dict.fromkeys(server.roles)]
        if server.cluster is not None:
            found += self.catalog.cluster_policies()
        return sorted(found, key=by_rank)
