"""Organisation checks: roles every Mailbox site needs, plan reviews, secrets in the inventory."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mkdocs_exdr.load.reader import SecretHit
from mkdocs_exdr.plan.checks.registry import organization_check
from mkdocs_exdr.plan.findings import Finding, make_finding
from mkdocs_exdr.plan.organization import OrgIndex


@organization_check
def site_roles(org: OrgIndex, secrets: Sequence[SecretHit]) -> list[Finding]:
    """EXDR010, EXDR011: a site with servers of a role but without a role they need there
    (the policies' ``site_needs``: a Mailbox site needs Hub Transport and Client Access)."""
    found: list[Finding] = []
    policies = sorted(org.catalog.roles.values(), key=lambda p: p.id)
    for site in org.inventory.sites:
        key = site.name.casefold()
        for policy in policies:
            if not org.by_role_site.get((policy.id, key)):
                continue
            title = policy.title or policy.id
            for need in sorted(policy.site_needs, key=lambda n: n.role):
                if not org.by_role_site.get((need.role, key)):
                    found.append(
                        make_finding(
                            need.finding,
                            f"site:{site.name}",
                            f"site {site.name} has {title} servers but no active {need.role} "
                            f"server; every site with {title} servers needs one.",
                            site=site.name,
                            where=site.where,
                        )
                    )
    return found


@organization_check
def review_due(org: OrgIndex, secrets: Sequence[SecretHit]) -> list[Finding]:
    """EXDR026: the plan was never reviewed, or its last review is older than the interval."""
    interval = org.settings["review_interval"]
    reviews = org.inventory.reviews
    if not reviews:
        return [
            make_finding(
                "EXDR026",
                "organization",
                "the plan has never been reviewed; review it and record the review under "
                "reviews, with the fingerprint shown on the DR home page.",
            )
        ]
    last = reviews[-1]
    age = (org.as_of - last.date).days
    if age * 86400 <= interval.seconds:
        return []
    return [
        make_finding(
            "EXDR026",
            "organization",
            f"the last plan review was on {last.date}, {age} days ago; a review is due "
            f"every {interval}. Review the plan and record it.",
            where=last.where,
        )
    ]


@organization_check
def secrets_in_inventory(org: OrgIndex, secrets: Sequence[SecretHit]) -> list[Finding]:
    """EXDR018: inventory values that look like passwords or keys."""
    found: list[Finding] = []
    for hit in secrets:
        server = hit.server
        field = re.sub(r"^servers\[\d+\]\.", "", hit.field) if server else hit.field
        subject = f"{server}/{field}" if server else f"{hit.where.file}/{field}"
        found.append(
            make_finding(
                "EXDR018",
                subject,
                f"{field} looks like a secret; it is redacted from every output. Move it "
                "to the password manager and name the entry under credentials.",
                where=hit.where,
                server=server,
            )
        )
    return found
