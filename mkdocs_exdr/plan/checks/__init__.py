"""Findings: the checks that say where the DR plan is weak.

Each check is a small function registered in ``registry.py`` by the module that holds it;
codes, severities and sources are in ``plan/findings.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

from mkdocs_exdr.load.reader import SecretHit

# The check modules register their checks when imported.
from mkdocs_exdr.plan.checks import backups, organization, server
from mkdocs_exdr.plan.checks.registry import ORGANIZATION_CHECKS, SERVER_CHECKS, ServerCase
from mkdocs_exdr.plan.findings import Finding
from mkdocs_exdr.plan.model import ServerPlan
from mkdocs_exdr.plan.organization import OrgIndex

__all__ = ["backups", "check_organization", "check_server", "organization", "server"]


def check_server(plan: ServerPlan, org: OrgIndex, missing: Sequence[str] = ()) -> list[Finding]:
    """Every finding about one server; ``missing`` are facts its runbook lacks."""
    case = ServerCase(plan, org, tuple(missing))
    return [finding for check in SERVER_CHECKS for finding in check(case)]


def check_organization(org: OrgIndex, secrets: Sequence[SecretHit] = ()) -> list[Finding]:
    """Findings about sites and the inventory as a whole."""
    return [finding for check in ORGANIZATION_CHECKS for finding in check(org, secrets)]
