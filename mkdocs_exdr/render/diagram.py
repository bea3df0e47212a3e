"""The recovery order as a Mermaid flowchart of servers, by wave and site, that stays legible.

Each wave is a column; in it, each site is a box holding its servers, and each server links to
its page. Beyond ``SITE_LIMIT`` servers of one site in one wave, or ``NODE_LIMIT`` servers in the
whole diagram (the largest groups first), a site's servers in that wave become one node with a
count that links to the site's page. The site's page draws the site's own diagram: every server
up to ``NODE_LIMIT`` (no ``SITE_LIMIT``), and past it a count that links to that wave's list
below the diagram (``#wave-N``, written by ``site.md.j2``). No MkDocs here; labels go through
``escape.mermaid_label`` and node ids are numbers, so no name can break out.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.plan.model import OrderEntry, RecoveryOrder, ServerPlan
from mkdocs_exdr.render.escape import mermaid_label

#: Servers of one site in one wave drawn one by one; above this, one node with a count.
SITE_LIMIT = 40
#: Nodes in one diagram; above this, the largest site groups collapse until it fits.
NODE_LIMIT = 150
#: Nodes of one group side by side; more wrap onto the next row.
ROW = 6
NO_SITE = "No site"


def page_url(here: str, target: str, directory_urls: bool) -> str:
    """The URL of the page built from ``target`` (a Markdown path), relative to the page built
    from ``here``, as the browser resolves it (Mermaid's links are not rewritten by MkDocs)."""

    def built(path: str) -> str:
        stem, _ = posixpath.splitext(path)
        if not directory_urls:
            return f"{stem}.html"
        if posixpath.basename(stem) == "index":
            stem = posixpath.dirname(stem)
        return stem

    source, destination = built(here), built(target)
    start = source if directory_urls else posixpath.dirname(source)
    relative = posixpath.relpath(destination or ".", start or ".")
    if not directory_urls:
        return relative
    return "./" if relative == "." else f"{relative}/"


@dataclass
class _Group:
    """The entries of one site in one wave."""

    site: str | None  # None: Active Directory and other work of no server
    entries: list[OrderEntry] = field(default_factory=list)
    collapsed: bool = False


def _site(entry: OrderEntry, known: dict[str, ServerPlan]) -> str | None:
    """The box an entry is drawn in: its server's site; for a waiting step of a server of no site
    (an Edge subscription), the site it subscribes to, where the step's work is done."""
    if entry.server is None:
        return None
    if entry.site:
        return entry.site
    plan = known.get(entry.server)
    if entry.step is not None and plan is not None and plan.server.edge_sync_site:
        return plan.server.edge_sync_site
    return NO_SITE


def _groups(order: RecoveryOrder, known: dict[str, ServerPlan]) -> list[list[_Group]]:
    waves = []
    for wave in order.waves:
        by_site: dict[str, _Group] = {}
        for entry in wave:
            site = _site(entry, known)
            key = "" if site is None else site.casefold()
            by_site.setdefault(key, _Group(site)).entries.append(entry)
        waves.append(sorted(by_site.values(), key=lambda g: (g.site is not None, str(g.site))))
    return waves


def _collapse(waves: list[list[_Group]], site_limit: int, node_limit: int) -> None:
    groups = [g for wave in waves for g in wave if g.site is not None]
    for group in groups:
        group.collapsed = len(group.entries) > site_limit
    total = sum(1 if g.collapsed else len(g.entries) for wave in waves for g in wave)
    for group in sorted(groups, key=lambda g: -len(g.entries)):
        if total <= node_limit:
            break
        if not group.collapsed and len(group.entries) > 1:
            group.collapsed = True
            total -= len(group.entries) - 1


def _rows(first: int, last: int, indent: str) -> list[str]:
    """Invisible links that wrap nodes ``first`` to ``last`` into rows of ``ROW`` (side by side,
    a wave of 40 servers would be 40 boxes wide)."""
    return [f"{indent}n{n - ROW} ~~~ n{n}" for n in range(first + ROW, last + 1)]


def _scenario_fragment(plan: ServerPlan | None, step: str) -> str:
    """``#`` and the anchor of the scenario that holds ``step``: the one that only does that work
    (no rebuild) first, such as an Edge server's new subscription; empty if none holds it."""
    holding = [sc for sc in (plan.scenarios if plan else ()) if any(s.id == step for s in sc.steps)]
    holding.sort(key=lambda sc: (sc.rebuilds, sc.unavailable is not None))
    anchor = holding[0].anchor if holding else ""
    return f"#{anchor}" if re.fullmatch(r"[a-z0-9-]+", anchor) else ""


def wave_anchor(number: int) -> str:
    """The id of wave ``number``'s list below a site's diagram."""
    return f"wave-{number}"


def _servers(count: int) -> str:
    return "1 server" if count == 1 else f"{count} servers"


@dataclass(frozen=True)
class DiagramMaker:
    """Draws orders for the page at ``here``; ``site_page`` gives a site's page (or None)."""

    here: str
    directory_urls: bool
    site_page: Callable[[str], str | None]
    site_limit: int = SITE_LIMIT
    node_limit: int = NODE_LIMIT

    def url(self, target: str) -> str:
        return page_url(self.here, target, self.directory_urls)

    def __call__(self, order: RecoveryOrder, servers: Iterable[ServerPlan] = ()) -> str:
        """The Mermaid source of ``order`` (without the fence); ``servers`` place and link the
        waiting steps (each opens the scenario that holds the step)."""
        known = {s.server.name: s for s in servers}
        waves = _groups(order, known)
        own_site = order.scope != "organization"  # a site's page: its servers are the diagram
        _collapse(waves, self.node_limit if own_site else self.site_limit, self.node_limit)
        lines = ["flowchart TB"]
        links: list[str] = []
        number = 0
        for index, wave in enumerate(waves, 1):
            lines.append(f'  subgraph w{index}["Wave {index}"]')
            # Mermaid stacks groups that share no edge bottom-up: declared last, drawn on top.
            for place, group in reversed(list(enumerate(wave, 1))):
                indent = "    "
                if group.site is not None:
                    count = sum(1 for e in group.entries if e.step is None)
                    title = mermaid_label(group.site)
                    title += f": {_servers(count)}" if count else ""
                    lines.append(f'    subgraph w{index}g{place}["{title}"]')
                    indent = "      "
                if group.collapsed and group.site is not None:
                    number += 1
                    lines.append(f'{indent}n{number}["{_servers(count)}"]:::group')
                    if own_site:
                        url = f"#{wave_anchor(index)}"
                    else:
                        target = self.site_page(group.site) if group.site != NO_SITE else None
                        url = self.url(target or "sites/index.md")
                    links.append(self._click(number, url, group.site))
                else:
                    first = number + 1
                    for entry in group.entries:
                        number += 1
                        lines.append(f"{indent}n{number}{self._node(entry)}")
                        if entry.server is not None:
                            url = self.url(f"servers/{slugify(entry.server)}.md")
                            if entry.step is not None:
                                url += _scenario_fragment(known.get(entry.server), entry.step)
                            links.append(self._click(number, url, entry.server))
                    lines += _rows(first, number, indent)
                if group.site is not None:
                    lines.append("    end")
            lines.append("  end")
        lines += [f"  w{i} --> w{i + 1}" for i in range(1, len(waves))]
        lines += links
        lines.append("  classDef group stroke-dasharray: 4 2")
        lines.append("  classDef step stroke-dasharray: 2 2")
        return "\n".join(lines)

    @staticmethod
    def _node(entry: OrderEntry) -> str:
        action = mermaid_label(entry.action.replace(";", ","))
        if entry.server is None:
            return f'(["{action}"])'
        if entry.step is not None:
            return f'(["{action}"]):::step'
        return f'["{mermaid_label(entry.server)}"]'

    @staticmethod
    def _click(number: int, url: str, title: str) -> str:
        return f'  click n{number} href "{url}" "{mermaid_label(title)}"'
