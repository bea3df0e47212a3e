"""Server checks on backups and restores: coverage, RPO, RTO, restore tests, backup sites."""

from __future__ import annotations

import re

from mkdocs_exdr.common.durations import describe, spoken
from mkdocs_exdr.common.problems import Problem
from mkdocs_exdr.plan.checks.registry import ServerCase, server_check
from mkdocs_exdr.plan.findings import Finding
from mkdocs_exdr.plan.model import ServerPlan
from mkdocs_exdr.policies.facts import build_number

# Windows Server Backup makes Exchange-aware backups only from Exchange 2007 SP2 [S-NTBACKUP].
_WSB = re.compile(r"(?i)windows server backup|wbadmin|\bwsb\b")


def _has_data(plan: ServerPlan) -> bool:
    """Whether the server holds users' data: backup items planned per storage group."""
    return any(i.item.per == "storage-group" for i in plan.items)


@server_check
def uncovered_items(case: ServerCase) -> list[Finding]:
    """EXDR001: a required backup item that no backup job covers."""
    name = case.plan.server.name
    return [
        case.finding(
            "EXDR001",
            f"{name}/{item.item.id}",
            f"{item.item.title} is required but no backup job covers "
            f"'{item.item.id}': {item.item.why} Add a job with "
            f"covers: [{item.item.id}].",
        )
        for item in case.plan.items
        if item.level == "required" and not item.covered
    ]


@server_check
def backups_too_rare(case: ServerCase) -> list[Finding]:
    """EXDR005: users' data backed up less often than the RPO allows.

    The RPO is about users' data, which lives in the per-storage-group items."""
    plan = case.plan
    found: list[Finding] = []
    if not plan.rpo:
        return found
    for item in plan.items:
        if item.level != "required" or not item.covered or item.item.per != "storage-group":
            continue
        known = [j.frequency for j in item.jobs if j.frequency]
        if known and min(f.seconds for f in known) > plan.rpo.seconds:
            every, amount = spoken(min(known))
            found.append(
                case.finding(
                    "EXDR005",
                    f"{plan.server.name}/{item.item.id}",
                    f"{item.item.title} is backed up every {every}, so up to {amount} of data "
                    f"can be lost, but the RPO is {plan.rpo}. "
                    "Back it up more often or agree a longer RPO.",
                )
            )
    return found


@server_check
def backups_in_own_site(case: ServerCase) -> list[Finding]:
    """EXDR007: every backup copy of a required item is kept in the server's own site."""
    plan = case.plan
    server = plan.server
    required_jobs = [j for i in plan.items if i.level == "required" for j in i.jobs]
    site = (server.site or "").casefold()
    locations = [(j.location or "").casefold() for j in required_jobs]
    if not (site and required_jobs and all(loc == site for loc in locations)):
        return []
    return [
        case.finding(
            "EXDR007",
            server.name,
            f"every backup copy of {server.name} is kept in site {server.site}; losing the "
            "site loses the backups too. Keep a copy offsite or in another site.",
        )
    ]


@server_check
def windows_backup_before_sp2(case: ServerCase) -> list[Finding]:
    """EXDR017: Windows Server Backup of Exchange 2007 before SP2 on Windows Server 2008."""
    server = case.plan.server
    version = build_number(server.exchange_version)
    if not (server.os and "2008" in server.os and version and version[0] < 2):
        return []
    if not any(job.method and _WSB.search(job.method) for job in server.backups):
        return []
    return [
        case.finding(
            "EXDR017",
            server.name,
            f"{server.name} runs Exchange 2007 before SP2 on Windows Server 2008, where "
            "Windows Server Backup cannot make Exchange-aware backups. Use an "
            "Exchange-aware VSS product or install SP2.",
        )
    ]


def _restore_tests_after_as_of(case: ServerCase) -> None:
    """An input problem for each restore test dated after the as-of date: it cannot have
    happened, and counted as recent it would hide EXDR004. Only planning knows the date, so the
    problem joins the others the engine raises as ``InvalidInput`` (exit 2)."""
    as_of = case.org.as_of
    case.org.problems += [
        Problem(
            test.where,
            f"restore_tests[{index}].date",
            f"{test.date} is after the plan's as-of date {as_of}; a restore test cannot "
            "have happened yet. Correct the date, or plan as of a later date",
        )
        for index, test in enumerate(case.plan.server.restore_tests)
        if test.date > as_of
    ]


@server_check
def restore_tests(case: ServerCase) -> list[Finding]:
    """EXDR002, EXDR003, EXDR004: storage groups never, unsuccessfully or long ago tested.
    Tests dated after the as-of date are input problems, and never count."""
    _restore_tests_after_as_of(case)
    plan, org = case.plan, case.org
    if not _has_data(plan):
        return []
    ages = [p.restore_test_max_age for p in plan.policies if p.restore_test_max_age]
    max_age = min(ages) if ages else org.settings["restore_test_max_age"]
    found: list[Finding] = []
    name = plan.server.name
    item_ids = {i.item.id for i in plan.items if i.item.per == "storage-group"}
    for group in plan.server.storage_groups:
        scopes = {group.name.casefold(), *(d.name.casefold() for d in group.databases)}
        scopes |= item_ids
        tests = [
            t
            for t in plan.server.restore_tests
            if (t.scope or "").casefold() in scopes and t.date <= org.as_of
        ]
        subject = f"{name}/{group.name}"
        if not tests:
            found.append(
                case.finding(
                    "EXDR002",
                    subject,
                    f"storage group {group.name} has never been restore-tested; restore it "
                    "to a recovery storage group and record the test.",
                )
            )
            continue
        last = max(tests, key=lambda t: t.date)
        if last.result == "failed":
            found.append(
                case.finding(
                    "EXDR003",
                    subject,
                    f"the last restore test of {group.name} ({last.date}) failed; fix the "
                    "backup and test again.",
                )
            )
        age = (org.as_of - last.date).days
        if age * 86400 > max_age.seconds:
            found.append(
                case.finding(
                    "EXDR004",
                    subject,
                    f"the last restore test of {group.name} was {age} days ago "
                    f"({last.date}); the maximum is {max_age}. Test it again.",
                )
            )
    return found


@server_check
def restore_slower_than_rto(case: ServerCase) -> list[Finding]:
    """EXDR006: restoring the databases at the restore rate takes longer than the RTO."""
    plan = case.plan
    if plan.restore_hours is None or not plan.rto:
        return []
    if plan.restore_hours * 3600 <= plan.rto.seconds:
        return []
    rate = case.org.settings["restore_rate_gb_per_hour"]
    return [
        case.finding(
            "EXDR006",
            plan.server.name,
            f"restoring {plan.database_gb:g} GB at {rate:g} GB/hour takes about "
            f"{describe(plan.restore_hours * 3600)}, more than the RTO of {plan.rto}. "
            "Split databases, speed up restores or agree a longer RTO.",
        )
    ]


@server_check
def objectives_missing(case: ServerCase) -> list[Finding]:
    """EXDR024: a server with users' data and no RPO or RTO to check against."""
    plan = case.plan
    if (plan.rpo is not None and plan.rto is not None) or not _has_data(plan):
        return []
    return [
        case.finding(
            "EXDR024",
            plan.server.name,
            "no RPO or RTO is set for this server's site or the organisation, so "
            "backup frequency and restore time are not checked.",
        )
    ]
