"""The recovery order: waves of work that may run in parallel, from the policies' dependencies.

Active Directory comes first for every domain member. A server waits for the servers that hold
the roles its policies depend on (in its own site when there is one there, else anywhere); a
dependency that names a ``step`` holds back only that step (an Edge subscription waits for a Hub
Transport server in the subscribed site while the Edge server itself is rebuilt in parallel).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from mkdocs_exdr.plan.model import OrderEntry, RecoveryOrder, ServerPlan
from mkdocs_exdr.policies.catalog import AD

_AD_NODE = ("", "")
AD_ACTION = "Check Active Directory and global catalog servers; recover them first if lost"


def _providers(plans: list[ServerPlan]) -> dict[tuple[str, str | None], list[str]]:
    table: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for plan in plans:
        site = (plan.server.site or "").casefold()
        for policy in plan.policies:
            table[(policy.id, site)].append(plan.server.name)
            table[(policy.id, None)].append(plan.server.name)
    return table


def _step_title(plan: ServerPlan, step_id: str) -> str:
    """The rendered title of a step of ``plan``, by id (the id when the step is not planned)."""
    return plan.step_title(step_id) or step_id


Node = tuple[str, str]


def _waves(needs: dict[Node, list[frozenset[Node]]]) -> dict[Node, int]:
    """Wave of each node: one after the latest of its requirements, each requirement counted
    at its earliest alternative. Relaxed until stable; a cycle in user policies ends up in one
    last wave."""
    wave: dict[Node, int] = {_AD_NODE: 1}
    for _ in range(len(needs) + 1):
        changed = False
        for node, requirements in needs.items():
            earliest = []
            for alternatives in requirements:
                known = [wave[a] for a in alternatives if a in wave]
                if not known:
                    break
                earliest.append(min(known))
            else:
                value = 1 + max(earliest, default=0)
                if wave.get(node) != value:
                    wave[node] = value
                    changed = True
        if not changed:
            break
    last = max(wave.values()) + 1
    for node in needs:
        wave.setdefault(node, last)
    return wave


def recovery_orders(plans: list[ServerPlan], sites: list[str]) -> list[RecoveryOrder]:
    """The order for the loss of the whole organisation, then for the loss of each site."""
    providers = _providers(plans)
    members: dict[str, list[ServerPlan]] = defaultdict(list)
    for plan in plans:
        members[(plan.server.site or "").casefold()].append(plan)
    orders = [_order(plans, "organization", providers)]
    edges = [p for p in plans if p.server.edge_sync_site]
    for site in sites:
        if members.get(site.casefold()):
            orders.append(_order(members[site.casefold()], site, providers, edges))
    return orders


def _order(
    lost_plans: list[ServerPlan],
    scope: str,
    providers: dict[tuple[str, str | None], list[str]],
    edges: Sequence[ServerPlan] = (),
) -> RecoveryOrder:
    """Order the rebuild of ``lost_plans`` (every other server keeps running)."""
    by_name = {p.server.name: p for p in lost_plans}
    lost = set(by_name)
    # Each node (a server's rebuild, or one of its steps) has requirements; a requirement is
    # met when any one of its alternatives is done (any Hub Transport server of the site will do).
    needs: dict[Node, list[frozenset[Node]]] = {}
    labels: dict[Node, str] = {}
    for plan in lost_plans:
        name = plan.server.name
        node = (name, "")
        needs[node] = []
        own_roles = {p.id for p in plan.policies}
        for policy in plan.policies:
            for dep in policy.depends_on:
                target = node if dep.step is None else (name, dep.step)
                if dep.step is not None and target not in needs:
                    needs[target] = [frozenset({node})]
                    labels[target] = _step_title(plan, dep.step)
                if dep.role == AD:
                    needs[target].append(frozenset({_AD_NODE}))
                    continue
                if dep.role in own_roles:
                    continue
                if dep.scope == "edge-sync-site":
                    sync = plan.server.edge_sync_site
                    candidates = providers.get((dep.role, sync.casefold()), []) if sync else []
                elif dep.scope == "site":
                    site = (plan.server.site or "").casefold()
                    candidates = providers.get((dep.role, site)) or providers.get(
                        (dep.role, None), []
                    )
                else:
                    candidates = providers.get((dep.role, None), [])
                waiting = [c for c in candidates if c in lost and c != name]
                if candidates and len(waiting) == len(candidates):
                    # Every server that could provide the role is being rebuilt: wait for one.
                    needs[target].append(frozenset((c, "") for c in waiting))
    wave = _waves(needs)
    count = max(wave.values())
    waves: list[list[OrderEntry]] = [[] for _ in range(count)]
    waves[0].append(OrderEntry(None, AD_ACTION))
    for node in sorted(needs, key=lambda n: (n[0].casefold(), n[1])):
        name, step_id = node
        plan = by_name[name]
        action = f"Rebuild {name}" if not step_id else f"{labels[node]} (for {name})"
        entry = OrderEntry(name, action, plan.server.site, step_id or None)
        waves[wave[node] - 1].append(entry)
    hubs = [
        wave[(n, "")]
        for n in by_name
        if (n, "") in wave and "hub-transport" in {p.id for p in by_name[n].policies}
    ]
    for edge in edges:
        name = edge.server.name
        if (
            hubs
            and name not in lost
            and (edge.server.edge_sync_site or "").casefold() == scope.casefold()
        ):
            # EdgeSync credentials belong to the Hub Transport servers present when the
            # subscription was made: rebuilt hubs need a new one [reference 11a, item 6].
            action = f"Subscribe {name} again to {scope}, after its Hub Transport servers"
            if len(waves) == max(hubs):
                waves.append([])
            waves[max(hubs)].append(
                OrderEntry(name, action, edge.server.site, "new-edge-subscription")
            )
    return RecoveryOrder(scope, tuple(tuple(w) for w in waves if w))
