"""The recovery order: waves of work that may run in parallel, from the policies' dependencies.

Active Directory comes first for every domain member. A server waits for the servers that hold
the roles its policies depend on (in its own site when there is one there, else anywhere); a
dependency that names a ``step`` holds back only that step (an Edge subscription waits for a Hub
Transport server in the subscribed site while the Edge server itself is rebuilt in parallel).
"""

from __future__ import annotations

from collections import defaultdict

from mkdocs_exdr import facts
from mkdocs_exdr.catalog import AD
from mkdocs_exdr.plan import OrderEntry, RecoveryOrder, ServerPlan

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
    for planned in plan.steps:
        if planned.step.id == step_id:
            return facts.render(planned.step.title, planned.context)[0] or step_id
    return step_id


def recovery_orders(plans: list[ServerPlan], sites: list[str]) -> list[RecoveryOrder]:
    """The order for the loss of the whole organisation, then for the loss of each site."""
    providers = _providers(plans)
    members: dict[str, list[ServerPlan]] = defaultdict(list)
    for plan in plans:
        members[(plan.server.site or "").casefold()].append(plan)
    orders = [_order(plans, "organization", providers)]
    for site in sites:
        if members.get(site.casefold()):
            orders.append(_order(members[site.casefold()], site, providers))
    return orders


def _order(
    lost_plans: list[ServerPlan], scope: str, providers: dict[tuple[str, str | None], list[str]]
) -> RecoveryOrder:
    """Order the rebuild of ``lost_plans`` (every other server keeps running)."""
    by_name = {p.server.name: p for p in lost_plans}
    lost = set(by_name)
    needs: dict[tuple[str, str], set[tuple[str, str]]] = {}
    labels: dict[tuple[str, str], str] = {}
    for plan in lost_plans:
        name = plan.server.name
        node = (name, "")
        needs[node] = set()
        own_roles = {p.id for p in plan.policies}
        for policy in plan.policies:
            for dep in policy.depends_on:
                target = node if dep.step is None else (name, dep.step)
                if dep.step is not None and target not in needs:
                    needs[target] = {node}
                    labels[target] = _step_title(plan, dep.step)
                if dep.role == AD:
                    needs[target].add(_AD_NODE)
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
                    needs[target].update((c, "") for c in waiting)
    wave: dict[tuple[str, str], int] = {_AD_NODE: 1}
    remaining = dict(needs)
    while remaining:
        ready = {n: d for n, d in remaining.items() if all(x in wave for x in d)}
        if not ready:  # a cycle in user policies: what is left goes into one last wave
            last = max(wave.values()) + 1
            wave.update(dict.fromkeys(remaining, last))
            break
        for node, deps in ready.items():
            wave[node] = 1 + max((wave[d] for d in deps), default=0)
            del remaining[node]
    count = max(wave.values())
    waves: list[list[OrderEntry]] = [[] for _ in range(count)]
    waves[0].append(OrderEntry(None, AD_ACTION))
    for node in sorted(needs, key=lambda n: (n[0].casefold(), n[1])):
        name, step_id = node
        plan = by_name[name]
        action = f"Rebuild {name}" if not step_id else f"{labels[node]} (for {name})"
        entry = OrderEntry(name, action, plan.server.site, step_id or None)
        waves[wave[node] - 1].append(entry)
    return RecoveryOrder(scope, tuple(tuple(w) for w in waves if w))
