"""The registry of finding checks: each check is a small function that returns its findings.

A server check looks at one server's finished plan (a :class:`ServerCase`); an organisation
check looks at the whole inventory. Codes, severities and sources stay in ``plan/findings.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mkdocs_exdr.load.reader import SecretHit
from mkdocs_exdr.plan.findings import Finding, make_finding
from mkdocs_exdr.plan.model import ServerPlan
from mkdocs_exdr.plan.organization import OrgIndex


@dataclass(frozen=True)
class ServerCase:
    """What a server check looks at: the server's plan, the organisation, and the facts its
    runbook names that the inventory does not give."""

    plan: ServerPlan
    org: OrgIndex
    missing: Sequence[str] = ()

    def finding(self, code: str, subject: str, message: str) -> Finding:
        """A finding of ``code`` about this server, placed at the server's entry."""
        server = self.plan.server
        return make_finding(
            code, subject, message, server=server.name, site=server.site, where=server.where
        )


ServerCheck = Callable[[ServerCase], list[Finding]]
OrganizationCheck = Callable[[OrgIndex, Sequence[SecretHit]], list[Finding]]

#: Every server check, in the order they run.
SERVER_CHECKS: list[ServerCheck] = []
#: Every organisation check, in the order they run.
ORGANIZATION_CHECKS: list[OrganizationCheck] = []


def server_check(check: ServerCheck) -> ServerCheck:
    """Register ``check`` to run on every active server."""
    SERVER_CHECKS.append(check)
    return check


def organization_check(check: OrganizationCheck) -> OrganizationCheck:
    """Register ``check`` to run once on the whole inventory."""
    ORGANIZATION_CHECKS.append(check)
    return check
