"""Organisation checks: roles every Mailbox site needs, plan reviews, secrets in the inventory."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mkdocs_exdr.load.reader import SecretHit
from mkdocs_exdr.plan.checks.registry import organization_check
from mkdocs_exdr.plan.findings import Finding, make_finding
from mkdocs_exdr.plan.organization import OrgIndex

# Every AD site with Mailbox servers needs these roles [S-COYOTE][S-WINITPRO-ROLES].
# Role ids in code: no policy field says which roles a site of a role's servers needs, nor
# which finding code reports each missing one (the mailbox policy's depends_on names neither).
SITE_ROLES = {"hub-transport": "EXDR010", "client-access": "EXDR011"}
MAILBOX = "mailbox"


@organization_check
def site_roles(org: OrgIndex, secrets: Sequence[SecretHit]) -> list[Finding]:
    """EXDR010, EXDR011: a site with Mailbox servers but no Hub Transport or Client Access."""
    found: list[Finding] = []
    for site in org.inventory.sites:
        key = site.name.casefold()
        if not org.by_role_site.get((MAILBOX, key)):
            continue
        for role, code in sorted(SITE_ROLES.items()):
            if not org.by_role_site.get((role, key)):
                found.append(
                    make_finding(
                        code,
                        f"site:{site.name}",
                        f"site {site.name} has Mailbox servers but no active {role} server; "
                        "every site with Mailbox servers needs one.",
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
