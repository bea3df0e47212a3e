"""The organisation as server planning looks it up: settings with defaults, sites, roles by site."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from mkdocs_exdr.common.durations import parse_duration
from mkdocs_exdr.inventory.model import Inventory, Server, Site
from mkdocs_exdr.policies import facts
from mkdocs_exdr.policies.catalog import Catalog
from mkdocs_exdr.policies.model import RolePolicy, by_rank

DEFAULTS = {
    "restore_test_max_age": parse_duration("13w"),
    "review_interval": parse_duration("26w"),
    "restore_rate_gb_per_hour": 20.0,
    "certificate_warning": parse_duration("4w"),
}


class OrgIndex:
    """Indexes of the inventory that server planning and the checks look things up in."""

    def __init__(self, inventory: Inventory, catalog: Catalog, as_of: dt.date) -> None:
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
        self.by_role_site: dict[tuple[str, str], list[Server]] = defaultdict(list)
        for server in self.active:
            for role in server.roles:
                self.by_role_site[(role, (server.site or "").casefold())].append(server)

    def site_of(self, server: Server) -> Site | None:
        """The site of ``server``, matched as the inventory matches names (casefold)."""
        return self.sites.get((server.site or "").casefold())

    def policies(self, server: Server) -> list[RolePolicy]:
        """The role policies that apply to ``server``, in page order."""
        found = [self.catalog.roles[r] for r in dict.fromkeys(server.roles)]
        if server.cluster is not None:
            found += self.catalog.cluster_policies()
        return sorted(found, key=by_rank)
