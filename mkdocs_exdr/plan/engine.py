"""The plan engine: pure functions from the inventory and the role policies to the DR plan."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.inventory.acceptances import accepted_risks
from mkdocs_exdr.inventory.model import Inventory, Server
from mkdocs_exdr.load.reader import SecretHit
from mkdocs_exdr.plan.checks import check_organization, check_server
from mkdocs_exdr.plan.findings import WORST_FIRST, Finding, make_finding
from mkdocs_exdr.plan.model import (
    CoveredItem,
    DataOutcome,
    Plan,
    ServerPlan,
)
from mkdocs_exdr.plan.order import recovery_orders
from mkdocs_exdr.plan.organization import OrgIndex
from mkdocs_exdr.plan.runbook import Times, expand, missing_facts, plan_scenarios, render_steps
from mkdocs_exdr.policies import facts
from mkdocs_exdr.policies.catalog import Catalog
from mkdocs_exdr.policies.facts import TemplateRuns
from mkdocs_exdr.policies.model import BackupItem, RolePolicy


def plan_server(server: Server, org: OrgIndex) -> ServerPlan:
    """The runbook, backup coverage, data outcomes and findings of one active server."""
    policies = org.policies(server)
    site = org.site_of(server)
    memberships = [p.domain_member for p in policies if p.domain_member is not None]
    domain_member = server.domain_member if server.domain_member is not None else all(memberships)
    context: dict[str, Any] = {
        "server": facts.server_facts(server, domain_member, org.related(server)),
        "org": org.facts,
    }
    procedures = [org.catalog.procedures[p.procedure] for p in policies if p.procedure]
    procedure = max(procedures, key=lambda p: p.precedence, default=None)
    runs = org.templates
    items = _covered_items(server, policies, context, runs)
    database_gb, restore_hours = _restore_estimate(server, org)
    times = Times(org.rebuild_hours(policies), restore_hours if server.storage_groups else 0.0)
    scenarios, steps, problems = plan_scenarios(
        policies, procedure, org.catalog, context, times, runs
    )
    verify = expand([(p.id, s) for p in policies for s in p.verify], context, runs)
    verification = render_steps(verify, runs)
    org.problems += problems
    plan = ServerPlan(
        server=server,
        slug=slugify(server.name),
        policies=tuple(policies),
        procedure=procedure,
        domain_member=domain_member,
        configuration=tuple((p.id, c) for p in policies for c in p.configuration),
        items=tuple(items),
        data=tuple(_data_outcomes(policies, context, items, runs)),
        scenarios=tuple(scenarios),
        verification=tuple(verification),
        rpo=(site.rpo if site else None) or org.inventory.organization.rpo,
        rto=(site.rto if site else None) or org.inventory.organization.rto,
        database_gb=database_gb,
        restore_hours=restore_hours,
        contacts=(
            tuple(server.contacts)
            + tuple(site.contacts if site else ())
            + tuple(org.inventory.organization.contacts)
        ),
        context=context,
    )
    return _with_findings(plan, check_server(plan, org, missing_facts(steps + verify)))


def _covered_items(
    server: Server, policies: list[RolePolicy], context: dict[str, Any], runs: TemplateRuns
) -> list[CoveredItem]:
    """The server's backup items, merged by id across its roles, with the jobs covering each.

    An item is required when any role requires it (or its ``required_when`` holds)."""
    merged: dict[str, tuple[BackupItem, str, list[str]]] = {}
    for policy in policies:
        for item in policy.backup_items:
            field = f"backup item {item.id}"
            if not runs.holds(item.applies_when, context, item.where, f"{field}: applies_when"):
                continue
            level = item.level
            if (
                level != "required"
                and item.required_when
                and runs.holds(item.required_when, context, item.where, f"{field}: required_when")
            ):
                level = "required"
            if item.id in merged:
                first, old, roles = merged[item.id]
                better = "required" if "required" in (old, level) else old
                merged[item.id] = (first, better, [*roles, policy.id])
            else:
                merged[item.id] = (item, level, [policy.id])
    items: list[CoveredItem] = []
    for item_id, (item, effective, roles) in merged.items():
        jobs = tuple(job for job in server.backups if item_id in job.covers)
        paths = _item_paths(item, context, runs)
        items.append(CoveredItem(item, effective, tuple(roles), jobs, paths))
    return items


def _data_outcomes(
    policies: list[RolePolicy],
    context: dict[str, Any],
    items: list[CoveredItem],
    runs: TemplateRuns,
) -> list[DataOutcome]:
    """How each kind of data on the server comes back; data whose backup item no job covers
    is lost."""
    covered = {i.item.id for i in items if i.covered}
    data: list[DataOutcome] = []
    for policy in policies:
        for datum in policy.data:
            field = f"data {datum.id}: applies_when"
            if not runs.holds(datum.applies_when, context, datum.where, field):
                continue
            outcome = datum.recovery
            if outcome == "backup" and datum.backup_item not in covered:
                outcome = "lost"
            data.append(DataOutcome(datum, policy.id, outcome))
    return data


def _restore_estimate(server: Server, org: OrgIndex) -> tuple[float, float | None]:
    """Size of the server's databases in GB, and hours to restore them at the restore rate
    (None when no size is given or the rate is not positive)."""
    sizes = [d.size_gb for g in server.storage_groups for d in g.databases if d.size_gb]
    database_gb = float(sum(sizes))
    rate = float(org.settings["restore_rate_gb_per_hour"])
    return database_gb, (database_gb / rate if sizes and rate > 0 else None)


def _item_paths(item: BackupItem, context: dict[str, Any], runs: TemplateRuns) -> tuple[str, ...]:
    """Where a backup item is on the server's disks: one path per storage group if per-group."""
    if not item.path:
        return ()
    groups = context["server"]["storage_groups"] if item.per == "storage-group" else [None]
    field = f"backup item {item.id}: path"
    paths = [runs.render(item.path, {**context, "sg": g}, item.where, field) for g in groups]
    return tuple(dict.fromkeys(p for p in paths if p))


def _with_findings(plan: ServerPlan, found: list[Finding]) -> ServerPlan:
    return replace(plan, findings=tuple(found))


def _accept(findings: list[Finding], inventory: Inventory, as_of: dt.date) -> list[Finding]:
    """Mark accepted findings; expired or unmatched acceptances become findings themselves."""
    table, _ = accepted_risks(inventory.organization, inventory.sites, inventory.servers)
    used: set[tuple[str, str]] = set()
    result: list[Finding] = []
    extra: list[Finding] = []
    for finding in findings:
        key = (finding.code, finding.subject.casefold())
        entry = table.get(key)
        if entry is None:
            result.append(finding)
            continue
        used.add(key)
        acceptance = entry.acceptance
        if acceptance.expires is not None and acceptance.expires < as_of:
            result.append(finding)
            extra.append(
                make_finding(
                    "EXDR019",
                    finding.key,
                    f"the acceptance of {finding.code} for {finding.subject} expired on "
                    f"{acceptance.expires}; renew it with a new date or fix the finding",
                    server=finding.server,
                    site=finding.site,
                    where=acceptance.where,
                )
            )
        else:
            result.append(replace(finding, accepted=acceptance))
    for key, entry in table.items():
        acceptance, subject = entry.acceptance, entry.subject
        place = {"server": entry.server, "site": entry.site, "where": acceptance.where}
        if not (acceptance.reason and acceptance.owner and acceptance.expires):
            missing = [n for n in ("reason", "owner", "expires") if not getattr(acceptance, n)]
            extra.append(
                make_finding(
                    "EXDR020",
                    f"{acceptance.code}:{subject}",
                    f"the acceptance of {acceptance.code} for {subject} has no "
                    f"{', '.join(missing)}; an accepted risk needs all three",
                    **place,
                )
            )
        if key not in used:
            extra.append(
                make_finding(
                    "EXDR025",
                    f"{acceptance.code}:{subject}",
                    f"nothing to accept: there is no {acceptance.code} finding for {subject}; "
                    "remove the acceptance or correct its subject",
                    **place,
                )
            )
    return result + extra


def plan_organization(
    inventory: Inventory,
    catalog: Catalog,
    as_of: dt.date,
    secrets: Iterable[SecretHit] = (),
    memo: facts.TemplateMemo | None = None,
) -> Plan:
    """The whole DR plan: every active server's plan, organisation findings and recovery orders.

    ``memo`` holds policy texts from a plan before, to plan again faster (``facts.TemplateMemo``).
    """
    if memo is not None:
        memo.next_plan()
    org = OrgIndex(inventory, catalog, as_of, memo)
    servers = [plan_server(server, org) for server in org.active]
    problems = org.problems + org.templates.problems
    if problems:
        raise InvalidInput(list(dict.fromkeys(problems)))
    found = [f for p in servers for f in p.findings]
    found += check_organization(org, list(secrets))
    findings = _accept(found, inventory, as_of)
    findings.sort(key=lambda f: (WORST_FIRST[f.severity], f.code, f.subject.casefold()))
    by_server: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.server:
            by_server[finding.server].append(finding)
    servers = [_with_findings(p, by_server[p.server.name]) for p in servers]
    orders = recovery_orders(servers, sorted((s.name for s in inventory.sites), key=str.casefold))
    decommissioned = tuple(s for s in inventory.servers if s.status != "active")
    return Plan(
        inventory=inventory,
        catalog=catalog,
        as_of=as_of,
        servers=tuple(servers),
        decommissioned=decommissioned,
        findings=tuple(findings),
        orders=tuple(orders),
        settings=org.settings,
    )
