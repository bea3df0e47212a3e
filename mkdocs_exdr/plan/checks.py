"""Findings: the checks that say where the DR plan is weak. Codes and sources are in codes.py."""

from __future__ import annotations

import re
from typing import Any

from mkdocs_exdr.common.durations import describe
from mkdocs_exdr.load.reader import SecretHit, suggest
from mkdocs_exdr.plan.findings import Finding, make_finding
from mkdocs_exdr.plan.model import ServerPlan
from mkdocs_exdr.plan.organization import OrgIndex
from mkdocs_exdr.policies.facts import build_number

# Every AD site with Mailbox servers needs these roles [S-COYOTE][S-WINITPRO-ROLES].
SITE_ROLES = {"hub-transport": "EXDR010", "client-access": "EXDR011"}
# Windows Server Backup makes Exchange-aware backups only from Exchange 2007 SP2 [S-NTBACKUP].
_WSB = re.compile(r"(?i)windows server backup|wbadmin|\bwsb\b")


def _f(code: str, subject: str, message: str, plan: ServerPlan | None = None, **kw: Any) -> Finding:
    if plan is not None:
        kw.setdefault("server", plan.server.name)
        kw.setdefault("site", plan.server.site)
        kw.setdefault("where", plan.server.where)
    return make_finding(code, subject, message, **kw)


def check_server(plan: ServerPlan, org: OrgIndex, missing: list[str]) -> list[Finding]:
    """Every finding about one server."""
    server = plan.server
    name = server.name
    found: list[Finding] = []
    roles = {p.id for p in plan.policies}

    for item in plan.items:
        if item.level == "required" and not item.covered:
            found.append(
                _f(
                    "EXDR001",
                    f"{name}/{item.item.id}",
                    f"{item.item.title} is required but no backup job covers "
                    f"'{item.item.id}': {item.item.why} Add a job with "
                    f"covers: [{item.item.id}].",
                    plan,
                )
            )
        # The RPO is about users' data, which lives in the per-storage-group items.
        if (
            item.level == "required"
            and item.covered
            and plan.rpo
            and item.item.per == "storage-group"
        ):
            known = [j.frequency for j in item.jobs if j.frequency]
            if known and min(f.seconds for f in known) > plan.rpo.seconds:
                found.append(
                    _f(
                        "EXDR005",
                        f"{name}/{item.item.id}",
                        f"{item.item.title} is backed up every {min(known)}, so up to "
                        f"{min(known)} of data can be lost, but the RPO is {plan.rpo}. "
                        "Back it up more often or agree a longer RPO.",
                        plan,
                    )
                )

    required_jobs = [j for i in plan.items if i.level == "required" for j in i.jobs]
    site = (server.site or "").casefold()
    locations = [(j.location or "").casefold() for j in required_jobs]
    if site and required_jobs and all(loc == site for loc in locations):
        found.append(
            _f(
                "EXDR007",
                name,
                f"every backup copy of {name} is kept in site {server.site}; losing the "
                "site loses the backups too. Keep a copy offsite or in another site.",
                plan,
            )
        )

    version = build_number(server.exchange_version)
    if server.os and "2008" in server.os and version and version[0] < 2:
        for job in server.backups:
            if job.method and _WSB.search(job.method):
                found.append(
                    _f(
                        "EXDR017",
                        name,
                        f"{name} runs Exchange 2007 before SP2 on Windows Server 2008, where "
                        "Windows Server Backup cannot make Exchange-aware backups. Use an "
                        "Exchange-aware VSS product or install SP2.",
                        plan,
                    )
                )
                break

    found += _restore_tests(plan, org)

    if plan.restore_hours is not None and plan.rto and plan.restore_hours * 3600 > plan.rto.seconds:
        rate = org.settings["restore_rate_gb_per_hour"]
        found.append(
            _f(
                "EXDR006",
                name,
                f"restoring {plan.database_gb:g} GB at {rate:g} GB/hour takes about "
                f"{describe(plan.restore_hours * 3600)}, more than the RTO of {plan.rto}. "
                "Split databases, speed up restores or agree a longer RTO.",
                plan,
            )
        )
    has_data = any(i.item.per == "storage-group" for i in plan.items)
    if (plan.rpo is None or plan.rto is None) and has_data:
        found.append(
            _f(
                "EXDR024",
                name,
                "no RPO or RTO is set for this server's site or the organisation, so "
                "backup frequency and restore time are not checked.",
                plan,
            )
        )

    as_of = org.as_of
    warn = org.settings["certificate_warning"]
    for cert in server.certificates:
        if cert.expires is None:
            continue
        days = (cert.expires - as_of).days
        if days < 0:
            found.append(
                _f(
                    "EXDR012",
                    f"{name}/{cert.subject}",
                    f"certificate {cert.subject} expired on {cert.expires}; renew it and "
                    "export the new one with its private key.",
                    plan,
                )
            )
        elif days * 86400 <= warn.seconds:
            found.append(
                _f(
                    "EXDR013",
                    f"{name}/{cert.subject}",
                    f"certificate {cert.subject} expires on {cert.expires}, in {days} days; "
                    "renew it and export the new one with its private key.",
                    plan,
                )
            )

    if not plan.contacts:
        found.append(
            _f(
                "EXDR014",
                name,
                "nobody to call: add contacts to the server, its site or the organisation.",
                plan,
            )
        )

    if server.site and server.site.casefold() not in org.sites:
        hint = suggest(server.site, [s.name for s in org.sites.values()])
        found.append(
            _f(
                "EXDR015",
                name,
                f"site {server.site!r} is not declared under sites{hint}; declare it or "
                "correct the name.",
                plan,
            )
        )
    elif not server.site and plan.domain_member:
        found.append(
            _f(
                "EXDR023",
                name,
                "no site given: the server is left out of the site recovery orders.",
                plan,
            )
        )

    found += _constraints(plan, roles)
    found += _edge_sync(plan, org)
    found += _kept_in_own_site(plan)

    if missing:
        found.append(
            _f(
                "EXDR021",
                name,
                "the runbook shows placeholders for facts the inventory does not give: "
                f"{', '.join(missing)}.",
                plan,
            )
        )
    if any(p.id == "mailbox" for p in plan.policies) and not server.storage_groups:
        found.append(
            _f(
                "EXDR022",
                name,
                "no storage groups are listed, so their backups, restore tests and "
                "restore commands cannot be planned. List them (Get-StorageGroup).",
                plan,
            )
        )
    return found


def _kept_in_own_site(plan: ServerPlan) -> list[Finding]:
    """EXDR027: installers, Edge exports and PFX files whose every copy is in the server's site,
    so that they are lost with it [reference 11a, item 14]."""
    server = plan.server
    site = (server.site or "").casefold()
    kept: list[tuple[str, list[str]]] = []
    if server.media is not None:
        kept.append(("installation media", server.media.kept_in))
    if server.edge_export is not None:
        kept.append(("Edge configuration export", server.edge_export.kept_in))
    kept += [(f"certificate {c.subject}", c.kept_in) for c in server.certificates]
    return [
        _f(
            "EXDR027",
            f"{server.name}/{what}",
            f"every copy of the {what} of {server.name} is kept in its own site {server.site}; "
            "a site loss takes them with it: keep a copy in another site or offsite and add it "
            "to kept_in",
            plan,
        )
        for what, sites in kept
        if site and sites and all(s.casefold() == site for s in sites)
    ]


def _restore_tests(plan: ServerPlan, org: OrgIndex) -> list[Finding]:
    if not any(i.item.per == "storage-group" for i in plan.items):
        return []
    ages = [p.restore_test_max_age for p in plan.policies if p.restore_test_max_age]
    max_age = min(ages) if ages else org.settings["restore_test_max_age"]
    found: list[Finding] = []
    name = plan.server.name
    item_ids = {i.item.id for i in plan.items if i.item.per == "storage-group"}
    for group in plan.server.storage_groups:
        scopes = {group.name.casefold(), *(d.name.casefold() for d in group.databases)}
        scopes |= item_ids
        tests = [t for t in plan.server.restore_tests if (t.scope or "").casefold() in scopes]
        subject = f"{name}/{group.name}"
        if not tests:
            found.append(
                _f(
                    "EXDR002",
                    subject,
                    f"storage group {group.name} has never been restore-tested; restore it "
                    "to a recovery storage group and record the test.",
                    plan,
                )
            )
            continue
        last = max(tests, key=lambda t: t.date)
        if last.result == "failed":
            found.append(
                _f(
                    "EXDR003",
                    subject,
                    f"the last restore test of {group.name} ({last.date}) failed; fix the "
                    "backup and test again.",
                    plan,
                )
            )
        age = (org.as_of - last.date).days
        if age * 86400 > max_age.seconds:
            found.append(
                _f(
                    "EXDR004",
                    subject,
                    f"the last restore test of {group.name} was {age} days ago "
                    f"({last.date}); the maximum is {max_age}. Test it again.",
                    plan,
                )
            )
    return found


def _constraints(plan: ServerPlan, roles: set[str]) -> list[Finding]:
    found: list[Finding] = []
    server = plan.server
    for policy in plan.policies:
        for rule in policy.constraints:
            broken = False
            if rule.kind == "alone":
                broken = bool(roles - {policy.id})
            elif rule.kind == "requires-role":
                broken = not set(rule.roles) <= roles
            elif rule.kind == "only-roles":
                broken = bool(roles - set(rule.roles) - {policy.id})
            elif rule.kind == "edition":
                broken = server.edition is not None and server.edition not in rule.editions
            elif rule.kind == "not-domain-member":
                broken = plan.domain_member
            if broken:
                subject = f"{server.name}/{policy.id}/{rule.kind}"
                found.append(_f("EXDR016", subject, rule.message, plan))
    return found


def _edge_sync(plan: ServerPlan, org: OrgIndex) -> list[Finding]:
    found: list[Finding] = []
    server = plan.server
    for policy in plan.policies:
        for dep in policy.depends_on:
            if dep.scope != "edge-sync-site":
                continue
            if not server.edge_sync_site:
                found.append(
                    _f(
                        "EXDR008",
                        server.name,
                        "no edge_sync_site: the runbook cannot say which Hub Transport "
                        "servers take the new Edge subscription. Give the AD site.",
                        plan,
                    )
                )
            elif not org.by_role_site.get((dep.role, server.edge_sync_site.casefold())):
                hint = suggest(server.edge_sync_site, [s.name for s in org.inventory.sites])
                found.append(
                    _f(
                        "EXDR009",
                        server.name,
                        f"no active {dep.role} server in site {server.edge_sync_site!r}"
                        f"{hint}; the Edge subscription cannot be recreated there.",
                        plan,
                    )
                )
    return found


def check_organization(
    org: OrgIndex, plans: list[ServerPlan], secrets: list[SecretHit]
) -> list[Finding]:
    """Findings about sites and the inventory as a whole."""
    found: list[Finding] = []
    for site in org.inventory.sites:
        key = site.name.casefold()
        if not org.by_role_site.get(("mailbox", key)):
            continue
        for role, code in sorted(SITE_ROLES.items()):
            if not org.by_role_site.get((role, key)):
                found.append(
                    _f(
                        code,
                        f"site:{site.name}",
                        f"site {site.name} has Mailbox servers but no active {role} server; "
                        "every site with Mailbox servers needs one.",
                        site=site.name,
                        where=site.where,
                    )
                )
    found += _review(org)
    for hit in secrets:
        server = hit.server
        field = re.sub(r"^servers\[\d+\]\.", "", hit.field) if server else hit.field
        subject = f"{server}/{field}" if server else f"{hit.where.file}/{field}"
        found.append(
            _f(
                "EXDR018",
                subject,
                f"{field} looks like a secret; it is redacted from every output. Move it "
                "to the password manager and name the entry under credentials.",
                where=hit.where,
                server=server,
            )
        )
    return found


def _review(org: OrgIndex) -> list[Finding]:
    interval = org.settings["review_interval"]
    reviews = org.inventory.reviews
    if not reviews:
        return [
            _f(
                "EXDR026",
                "organization",
                "the plan has never been reviewed; review it and record the review under "
                "reviews, with the fingerprint shown on the DR home page.",
            )
        ]
    last = reviews[-1]
    age = (org.as_of - last.date).days
    if age * 86400 > interval.seconds:
        return [
            _f(
                "EXDR026",
                "organization",
                f"the last plan review was on {last.date}, {age} days ago; a review is due "
                f"every {interval}. Review the plan and record it.",
                where=last.where,
            )
        ]
    return []
