"""What a change of the inventory or policies does to the DR plan: the review of a pull request.

``diff_plans`` compares two plans built against the same "as of" date. The plan is *weakened*
when HEAD has a finding at or above ``fail_on`` that BASE did not have (or had at a lower
severity), when a backup item loses coverage, or when an acceptance is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mkdocs_exdr.inventory.acceptances import accepted_risks
from mkdocs_exdr.inventory.model import Acceptance
from mkdocs_exdr.plan.findings import SEVERITIES, WORST_FIRST, Finding, at_least
from mkdocs_exdr.plan.model import Plan

EXPIRING_DAYS = 30
# Sections of the summary, worst news first.
SECTIONS = (
    ("finding-added", "New findings"),
    ("finding-worse", "Findings that got worse"),
    ("coverage-lost", "Backup coverage lost"),
    ("acceptance-added", "Acceptances added"),
    ("acceptance-changed", "Acceptances changed"),
    ("acceptance-expiring", "Acceptances expiring within 30 days"),
    ("acceptance-removed", "Acceptances removed"),
    ("server-removed", "Servers removed"),
    ("server-decommissioned", "Servers decommissioned"),
    ("server-added", "Servers added"),
    ("roles-changed", "Roles changed"),
    ("objective-changed", "RPO or RTO changed"),
    ("order-changed", "Recovery order changed"),
    ("finding-better", "Findings that got better"),
    ("finding-resolved", "Findings resolved"),
    ("coverage-gained", "Backup coverage gained"),
)


@dataclass(frozen=True)
class Change:
    """One difference between the two plans."""

    kind: str
    subject: str
    text: str
    weakens: bool = False
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class PlanDiff:
    """Every change, and whether the plan is weakened."""

    base: Plan
    head: Plan
    fail_on: str
    changes: tuple[Change, ...] = field(default=())

    @property
    def weakened(self) -> bool:
        """Whether the change makes the plan less safe (exit code 1)."""
        return any(c.weakens for c in self.changes)


def _acceptances(plan: Plan) -> dict[tuple[str, str], Acceptance]:
    inventory = plan.inventory
    table, _ = accepted_risks(inventory.organization, inventory.sites, inventory.servers)
    return {(e.acceptance.code, e.subject): e.acceptance for e in table.values()}


def _findings(base: Plan, head: Plan, fail_on: str) -> list[Change]:
    changes: list[Change] = []
    before: dict[str, Finding] = {f.key: f for f in base.findings}
    after: dict[str, Finding] = {f.key: f for f in head.findings}
    for key, finding in after.items():
        old = before.get(key)
        counts = finding.accepted is None and at_least(finding.severity, fail_on)
        if old is None:
            state = " (accepted)" if finding.accepted else ""
            changes.append(
                Change(
                    "finding-added",
                    key,
                    f"{finding.severity} {finding.code} {finding.subject}{state}: "
                    f"{finding.message}",
                    counts,
                    None,
                    finding.severity,
                )
            )
        elif SEVERITIES.index(finding.severity) > SEVERITIES.index(old.severity):
            changes.append(
                Change(
                    "finding-worse",
                    key,
                    f"{finding.code} {finding.subject}: {old.severity} → "
                    f"{finding.severity}: {finding.message}",
                    counts,
                    old.severity,
                    finding.severity,
                )
            )
        elif SEVERITIES.index(finding.severity) < SEVERITIES.index(old.severity):
            changes.append(
                Change(
                    "finding-better",
                    key,
                    f"{finding.code} {finding.subject}: {old.severity} → {finding.severity}",
                    False,
                    old.severity,
                    finding.severity,
                )
            )
    for key, finding in before.items():
        if key not in after:
            changes.append(
                Change(
                    "finding-resolved",
                    key,
                    f"{finding.severity} {finding.code} {finding.subject}: {finding.message}",
                    False,
                    finding.severity,
                    None,
                )
            )
    return changes


def _acceptance_changes(base: Plan, head: Plan) -> list[Change]:
    changes: list[Change] = []
    before, after = _acceptances(base), _acceptances(head)
    for (code, subject), acceptance in after.items():
        key = f"{code}:{subject}"
        old = before.get((code, subject))
        summary = (
            f"{code} for {subject}, until {acceptance.expires or 'no date'}, owner "
            f"{acceptance.owner or 'none'}: {acceptance.reason or 'no reason given'}"
        )
        if old is None:
            changes.append(Change("acceptance-added", key, summary, True))
        elif (old.reason, old.owner, old.expires) != (
            acceptance.reason,
            acceptance.owner,
            acceptance.expires,
        ):
            changes.append(
                Change(
                    "acceptance-changed",
                    key,
                    f"{summary} (was until {old.expires or 'no date'}, owner "
                    f"{old.owner or 'none'})",
                    False,
                )
            )
        if acceptance.expires and 0 <= (acceptance.expires - head.as_of).days <= EXPIRING_DAYS:
            changes.append(
                Change(
                    "acceptance-expiring",
                    key,
                    f"{code} for {subject} expires on {acceptance.expires}",
                    False,
                )
            )
    for code, subject in before:
        if (code, subject) not in after:
            changes.append(
                Change(
                    "acceptance-removed",
                    f"{code}:{subject}",
                    f"{code} for {subject} is no longer accepted",
                    False,
                )
            )
    return changes


def _servers(base: Plan, head: Plan) -> list[Change]:
    changes: list[Change] = []
    before = {s.name.casefold(): s for s in base.inventory.servers}
    after = {s.name.casefold(): s for s in head.inventory.servers}
    for key, server in after.items():
        old = before.get(key)
        if old is None:
            changes.append(
                Change(
                    "server-added",
                    server.name,
                    f"{server.name} ({', '.join(server.roles)}) in {server.site or 'no site'}",
                )
            )
            continue
        if old.status == "active" and server.status != "active":
            changes.append(
                Change(
                    "server-decommissioned", server.name, f"{server.name} is now {server.status}"
                )
            )
        if sorted(old.roles) != sorted(server.roles):
            changes.append(
                Change(
                    "roles-changed",
                    server.name,
                    f"{server.name}: {', '.join(old.roles)} → {', '.join(server.roles)}",
                    False,
                    list(old.roles),
                    list(server.roles),
                )
            )
    for key, server in before.items():
        if key not in after:
            changes.append(
                Change(
                    "server-removed",
                    server.name,
                    f"{server.name} ({', '.join(server.roles)}) is gone from the inventory",
                )
            )
    return changes


def _coverage(base: Plan, head: Plan) -> list[Change]:
    changes: list[Change] = []
    before = {(s.server.name.casefold(), i.item.id): i for s in base.servers for i in s.items}
    for plan in head.servers:
        for item in plan.items:
            old = before.get((plan.server.name.casefold(), item.item.id))
            if old is None:
                continue
            subject = f"{plan.server.name}/{item.item.id}"
            if old.covered and not item.covered:
                changes.append(
                    Change(
                        "coverage-lost",
                        subject,
                        f"{item.item.title} of {plan.server.name} is no longer covered "
                        f"by any backup job ({item.level})",
                        True,
                    )
                )
            elif item.covered and not old.covered:
                changes.append(
                    Change(
                        "coverage-gained",
                        subject,
                        f"{item.item.title} of {plan.server.name} is now covered",
                    )
                )
    return changes


def _objectives(base: Plan, head: Plan) -> list[Change]:
    changes: list[Change] = []
    pairs: list[tuple[str, Any, Any]] = [
        ("organization", base.inventory.organization, head.inventory.organization)
    ]
    sites = {s.name.casefold(): s for s in base.inventory.sites}
    pairs += [
        (f"site {s.name}", sites[s.name.casefold()], s)
        for s in head.inventory.sites
        if s.name.casefold() in sites
    ]
    for label, old, new in pairs:
        for name in ("rpo", "rto"):
            a, b = getattr(old, name), getattr(new, name)
            if (a.seconds if a else None) != (b.seconds if b else None):
                changes.append(
                    Change(
                        "objective-changed",
                        f"{label}/{name}",
                        f"{name.upper()} of {label}: {a or 'not set'} → {b or 'not set'}",
                        False,
                        str(a or ""),
                        str(b or ""),
                    )
                )
    return changes


def _order(base: Plan, head: Plan) -> list[Change]:
    old, new = base.orders[0], head.orders[0]
    moved = []
    for plan in head.servers:
        name = plan.server.name
        before, after = old.wave_of(name), new.wave_of(name)
        if before is not None and after is not None and before != after:
            moved.append(f"{name} wave {before} → {after}")
    if not moved:
        return []
    return [Change("order-changed", "organization", "; ".join(moved))]


def diff_plans(base: Plan, head: Plan, fail_on: str = "warning") -> PlanDiff:
    """Every change from ``base`` to ``head``, worst news first."""
    changes = (
        _findings(base, head, fail_on)
        + _acceptance_changes(base, head)
        + _servers(base, head)
        + _coverage(base, head)
        + _objectives(base, head)
        + _order(base, head)
    )
    order = {kind: index for index, (kind, _) in enumerate(SECTIONS)}
    changes.sort(
        key=lambda c: (order[c.kind], WORST_FIRST.get(str(c.after), 3), c.subject.casefold())
    )
    return PlanDiff(base, head, fail_on, tuple(changes))
