"""Server checks on everything but backups: certificates, contacts, sites, role combinations,
the Edge subscription, files kept in the server's own site, missing facts."""

from __future__ import annotations

from mkdocs_exdr.load.reader import suggest
from mkdocs_exdr.plan.checks.registry import ServerCase, server_check
from mkdocs_exdr.plan.findings import Finding
from mkdocs_exdr.policies.model import Constraint, RolePolicy

_RENEW = "renew it and export the new one with its private key."


@server_check
def certificates(case: ServerCase) -> list[Finding]:
    """EXDR012, EXDR013: certificates expired, or expiring within the warning time."""
    server = case.plan.server
    warn = case.org.settings["certificate_warning"]
    found: list[Finding] = []
    for cert in server.certificates:
        if cert.expires is None:
            continue
        days = (cert.expires - case.org.as_of).days
        subject = f"{server.name}/{cert.subject}"
        if days < 0:
            message = f"certificate {cert.subject} expired on {cert.expires}; "
            found.append(case.finding("EXDR012", subject, message + _RENEW))
        elif days * 86400 <= warn.seconds:
            message = f"certificate {cert.subject} expires on {cert.expires}, in {days} days; "
            found.append(case.finding("EXDR013", subject, message + _RENEW))
    return found


@server_check
def nobody_to_call(case: ServerCase) -> list[Finding]:
    """EXDR014: no contact on the server, its site or the organisation."""
    if case.plan.contacts:
        return []
    return [
        case.finding(
            "EXDR014",
            case.plan.server.name,
            "nobody to call: add contacts to the server, its site or the organisation.",
        )
    ]


@server_check
def site_unknown(case: ServerCase) -> list[Finding]:
    """EXDR015: a site that is not declared; EXDR023: no site on a domain member."""
    server, org = case.plan.server, case.org
    if server.site and server.site.casefold() not in org.sites:
        hint = suggest(server.site, [s.name for s in org.sites.values()])
        return [
            case.finding(
                "EXDR015",
                server.name,
                f"site {server.site!r} is not declared under sites{hint}; declare it or "
                "correct the name.",
            )
        ]
    if not server.site and case.plan.domain_member:
        return [
            case.finding(
                "EXDR023",
                server.name,
                "no site given: the server is left out of the site recovery orders.",
            )
        ]
    return []


def _broken(rule: Constraint, policy: RolePolicy, roles: set[str], case: ServerCase) -> bool:
    """Whether the server breaks ``rule`` of ``policy``, given all of its role ids."""
    if rule.kind == "alone":
        return bool(roles - {policy.id})
    if rule.kind == "requires-role":
        return not set(rule.roles) <= roles
    if rule.kind == "only-roles":
        return bool(roles - set(rule.roles) - {policy.id})
    if rule.kind == "edition":
        edition = case.plan.server.edition
        return edition is not None and edition not in rule.editions
    return rule.kind == "not-domain-member" and case.plan.domain_member


@server_check
def constraints(case: ServerCase) -> list[Finding]:
    """EXDR016: a role, edition or membership combination that a role's policy forbids."""
    plan = case.plan
    roles = {p.id for p in plan.policies}
    return [
        case.finding("EXDR016", f"{plan.server.name}/{policy.id}/{rule.kind}", rule.message)
        for policy in plan.policies
        for rule in policy.constraints
        if _broken(rule, policy, roles, case)
    ]


@server_check
def edge_sync(case: ServerCase) -> list[Finding]:
    """EXDR008, EXDR009: a subscription site that is not given, or that has no server of the
    role the policy's ``edge-sync-site`` dependency names."""
    server, org = case.plan.server, case.org
    found: list[Finding] = []
    for policy in case.plan.policies:
        for dep in policy.depends_on:
            if dep.scope != "edge-sync-site":
                continue
            if not server.edge_sync_site:
                found.append(
                    case.finding(
                        "EXDR008",
                        server.name,
                        "no edge_sync_site: the runbook cannot say which Hub Transport "
                        "servers take the new Edge subscription. Give the AD site.",
                    )
                )
            elif not org.by_role_site.get((dep.role, server.edge_sync_site.casefold())):
                hint = suggest(server.edge_sync_site, [s.name for s in org.inventory.sites])
                found.append(
                    case.finding(
                        "EXDR009",
                        server.name,
                        f"no active {dep.role} server in site {server.edge_sync_site!r}"
                        f"{hint}; the Edge subscription cannot be recreated there.",
                    )
                )
    return found


@server_check
def kept_in_own_site(case: ServerCase) -> list[Finding]:
    """EXDR027: installers, Edge exports and PFX files whose every copy is in the server's site,
    so that they are lost with it [reference 11a, item 14]."""
    server = case.plan.server
    site = (server.site or "").casefold()
    kept: list[tuple[str, list[str]]] = []
    if server.media is not None:
        kept.append(("installation media", server.media.kept_in))
    if server.edge_export is not None:
        kept.append(("Edge configuration export", server.edge_export.kept_in))
    kept += [(f"certificate {c.subject}", c.kept_in) for c in server.certificates]
    return [
        case.finding(
            "EXDR027",
            f"{server.name}/{what}",
            f"every copy of the {what} of {server.name} is kept in its own site {server.site}; "
            "a site loss takes them with it: keep a copy in another site or offsite and add it "
            "to kept_in",
        )
        for what, sites in kept
        if site and sites and all(s.casefold() == site for s in sites)
    ]


@server_check
def missing_facts(case: ServerCase) -> list[Finding]:
    """EXDR021: facts the runbook names that the inventory does not give."""
    if not case.missing:
        return []
    return [
        case.finding(
            "EXDR021",
            case.plan.server.name,
            "the runbook shows placeholders for facts the inventory does not give: "
            f"{', '.join(case.missing)}.",
        )
    ]


@server_check
def no_storage_groups(case: ServerCase) -> list[Finding]:
    """EXDR022: a Mailbox server whose storage groups are not listed."""
    plan = case.plan
    if not any(p.lists_storage_groups for p in plan.policies) or plan.server.storage_groups:
        return []
    return [
        case.finding(
            "EXDR022",
            plan.server.name,
            "no storage groups are listed, so their backups, restore tests and "
            "restore commands cannot be planned. List them (Get-StorageGroup).",
        )
    ]
