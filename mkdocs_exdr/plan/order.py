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
from mkdocs_exdr.policies.model import Dependency

_AD_NODE = ("", "")
AD_ACTION = "Check Active Directory and global catalog servers; recover them first if lost"
# The built-in Edge Transport policy's subscription step, for a user policy whose edge-sync-site
# dependency names no step: the order entry must still be a step, not a rebuild.
SUBSCRIBE_STEP = "new-edge-subscription"

#: A server's rebuild (step "") or one of its steps that waits on its own.
Node = tuple[str, str]
#: Servers by (role, site), and by (role, None) for the whole organisation.
Providers = dict[tuple[str, str | None], list[str]]


def _providers(plans: list[ServerPlan]) -> Providers:
    table: Providers = defaultdict(list)
    for plan in plans:
        site = (plan.server.site or "").casefold()
        for policy in plan.policies:
            table[(policy.id, site)].append(plan.server.name)
            table[(policy.id, None)].append(plan.server.name)
    return table


def _step_title(plan: ServerPlan, step_id: str) -> str:
    """The rendered title of a step of ``plan``, by id (the id when the step is not planned)."""
    return plan.step_title(step_id) or step_id


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
    providers: Providers,
    edges: Sequence[ServerPlan] = (),
) -> RecoveryOrder:
    """Order the rebuild of ``lost_plans`` (every other server keeps running)."""
    by_name = {p.server.name: p for p in lost_plans}
    needs, labels = _needs(lost_plans, providers)
    wave = _waves(needs)
    waves: list[list[OrderEntry]] = [[] for _ in range(max(wave.values()))]
    waves[0].append(OrderEntry(None, AD_ACTION))
    for node in sorted(needs, key=lambda n: (n[0].casefold(), n[1])):
        name, step_id = node
        plan = by_name[name]
        action = f"Rebuild {name}" if not step_id else f"{labels[node]} (for {name})"
        entry = OrderEntry(name, action, plan.server.site, step_id or None)
        waves[wave[node] - 1].append(entry)
    for edge in edges:
        if edge.server.name in by_name:
            continue
        if (edge.server.edge_sync_site or "").casefold() != scope.casefold():
            continue
        _subscribe_again(edge, scope, by_name, wave, waves)
    return RecoveryOrder(scope, tuple(tuple(w) for w in waves if w))


def _needs(
    lost_plans: list[ServerPlan], providers: Providers
) -> tuple[dict[Node, list[frozenset[Node]]], dict[Node, str]]:
    """The requirements of each node, and the titles of the steps that wait on their own.

    A node is a server's rebuild or one of its steps. A requirement is met when any one of its
    alternatives is done (any Hub Transport server of the site will do)."""
    lost = {p.server.name for p in lost_plans}
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
                candidates = _candidates(plan, dep, providers)
                waiting = [c for c in candidates if c in lost and c != name]
                if candidates and len(waiting) == len(candidates):
                    # Every server that could provide the role is being rebuilt: wait for one.
                    needs[target].append(frozenset((c, "") for c in waiting))
    return needs, labels


def _candidates(plan: ServerPlan, dep: Dependency, providers: Providers) -> list[str]:
    """The servers that could provide ``dep`` to ``plan``'s server, by the dependency's scope."""
    if dep.scope == "edge-sync-site":
        sync = plan.server.edge_sync_site
        return providers.get((dep.role, sync.casefold()), []) if sync else []
    if dep.scope == "site":
        site = (plan.server.site or "").casefold()
        return providers.get((dep.role, site)) or providers.get((dep.role, None), [])
    return providers.get((dep.role, None), [])


def _subscribe_again(
    edge: ServerPlan,
    scope: str,
    by_name: dict[str, ServerPlan],
    wave: dict[Node, int],
    waves: list[list[OrderEntry]],
) -> None:
    """Add ``edge``'s new subscription to ``waves``, after the rebuilt servers of the roles its
    policies' ``edge-sync-site`` dependencies name (Hub Transport, for the built-in policy)."""
    deps = [d for p in edge.policies for d in p.depends_on if d.scope == "edge-sync-site"]
    roles = {d.role for d in deps}
    rebuilt = [
        (wave[(n, "")], policy)
        for n, plan in by_name.items()
        if (n, "") in wave
        for policy in plan.policies
        if policy.id in roles
    ]
    if not rebuilt:
        return
    # EdgeSync credentials belong to the Hub Transport servers present when the
    # subscription was made: rebuilt hubs need a new one [reference 11a, item 6].
    after = max(w for w, _ in rebuilt)
    titles = " or ".join(sorted({p.title or p.id for _, p in rebuilt}))
    name = edge.server.name
    action = f"Subscribe {name} again to {scope}, after its {titles} servers"
    step = next((d.step for d in deps if d.step), SUBSCRIBE_STEP)
    if len(waves) == after:
        waves.append([])
    waves[after].append(OrderEntry(name, action, edge.server.site, step))
