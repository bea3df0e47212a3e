"""The role policy model: what to back up and how to rebuild each Exchange 2007 role.

Role knowledge is data: YAML files of these classes, shipped in ``mkdocs_exdr/policies`` and
overridable from the user's policy folder. Every statement carries the URL of its source.
Text fields marked *template* are Jinja2 expressions over the server's facts (see the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mkdocs_exdr.common.durations import Duration
from mkdocs_exdr.common.problems import Location
from mkdocs_exdr.inventory.model import _where, doc, required

URL_PATTERN = r"^https?://\S+$"
Level = Literal["required", "recommended", "not-needed"]
Store = Literal[
    "active-directory",
    "adam",
    "iis-metabase",
    "files",
    "registry",
    "certificates",
    "system-state",
    "databases",
]
Recovery = Literal["active-directory", "backup", "reinstall", "replication", "reapply", "lost"]
ForEach = Literal[
    "storage-group",
    "database",
    "mailbox-database",
    "certificate",
    "customization",
    "software",
    "backup-agent",
    "hub-server",
    "edge-server",
]
#: What a step does, for the order rules: ``restore`` writes a backup over a production
#: database, ``restore-rsg`` restores into a recovery storage group.
Action = Literal[
    "prerequisites",
    "setup",
    "backup-agent",
    "allow-restore",
    "restore",
    "restore-rsg",
    "mount",
    "dial-tone",
    "swap",
    "merge",
    "seed",
    "certificate",
    "edge-subscription",
    "software",
]
TimePart = Literal["rebuild", "restore", "seed"]
ACTION_PATTERN = r"^[a-z0-9][a-z0-9-]*$"


def source() -> Any:
    """Every statement's source URL."""
    return required(
        "URL of the source that states this.", "https://learn.microsoft.com/…", pattern=URL_PATTERN
    )


@dataclass(frozen=True)
class ConfigStore:
    """Where part of a role's configuration lives."""

    store: Store = required("Kind of store.", "active-directory")
    what: str = required("What is kept there.", "Server, storage group and database objects")
    source: str = source()
    where: Location = _where()


@dataclass(frozen=True)
class BackupItem:
    """Something on the server that may need a backup."""

    id: str = required(
        "Stable id, used by backup jobs' covers.", "storage-groups", pattern=r"^[a-z0-9][a-z0-9-]*$"
    )
    title: str = required("Short name.", "Storage groups (databases and logs)")
    level: Level = required("required, recommended or not-needed.", "required")
    why: str = required("Why, in one or two sentences.", "Mailbox databases hold the users' data.")
    source: str = source()
    path: str | None = doc("Template: where it is on disk.", "{{ sg.log_path }}")
    how: str | None = doc("How to back it up.", "Exchange-aware backup (streaming or VSS)")
    frequency: Duration | None = doc("How often.", "daily")
    per: Literal["server", "storage-group"] = doc(
        "One item per server or per storage group.", "server", default="server"
    )
    required_when: str | None = doc(
        "Expression: the item becomes required when true.", "server.customizations"
    )
    applies_when: str | None = doc(
        "Expression: the item exists only when true.", "server.storage_groups"
    )
    unverified: str | None = doc("What about this is not confirmed by the source.", None)
    where: Location = _where()


@dataclass(frozen=True)
class DataItem:
    """A kind of data on the server, and how it comes back after the server is lost."""

    id: str = required("Stable id.", "mailbox-data", pattern=r"^[a-z0-9][a-z0-9-]*$")
    what: str = required("The data.", "Mailbox and public folder content")
    recovery: Recovery = required("How it comes back.", "backup")
    source: str = source()
    backup_item: str | None = doc(
        "Backup item that brings it back (recovery: backup).", "storage-groups"
    )
    loss: str | None = doc("What is lost, said plainly.", "Mail since the last backup")
    applies_when: str | None = doc("Expression: the item exists only when true.", None)
    where: Location = _where()


@dataclass(frozen=True)
class Step:
    """One step of a rebuild procedure or a verification."""

    id: str = required(
        "Stable id, used by overrides.", "run-recoverserver", pattern=r"^[a-z0-9][a-z0-9-]*$"
    )
    title: str = required("Template: what to do.", "Run Setup in recovery mode")
    source: str = source()
    phase: int = doc(
        "Order: lower runs first (10 prepare, 20 Windows, 30 Exchange setup, 40 data, 50 reapply, 60 verify).",
        30,
        default=50,
    )
    text: str | None = doc("Template: explanation.", "Use media of {{ server.service_pack }}.")
    command: str | None = doc("Template: command to type.", "Setup.com /m:RecoverServer")
    shell: Literal["cmd", "powershell", "none"] = doc(
        "Where the command is typed.", "cmd", default="cmd"
    )
    for_each: ForEach | None = doc("Repeat the step for each of these.", "storage-group")
    when: str | None = doc("Expression: the step appears only when true.", "server.customizations")
    note: str | None = doc("Template: a caution shown with the step.", None)
    unverified: str | None = doc("What about this step is not confirmed by the source.", None)
    practice: bool = doc(
        "The step is practice rather than a rule of the source; the page says so.",
        False,
        default=False,
    )
    action: Action | None = doc("What the step does, for the order rules.", "restore")
    after: list[str] = doc(
        "Ids of steps that must come before this one, where the scenario has them.",
        ["install-backup-agent"],
        default=[],
    )
    before: list[str] = doc(
        "Ids of steps that must come after this one, where the scenario has them.",
        ["mount-databases"],
        default=[],
    )
    where: Location = _where()


@dataclass(frozen=True)
class Scenario:
    """One recovery path: what was lost, when to choose it, its steps in a safe order."""

    id: str = required(
        "Stable id; the page anchor is scenario-<id>.", "rebuild-restore", pattern=ACTION_PATTERN
    )
    title: str = required("Name, as the reader picks it.", "Server and data lost")
    lost: str = required(
        'Template: what was lost, as the "What was lost?" table asks it.',
        "The server and its database disks",
    )
    choose: str = required(
        "Template: when to choose this scenario.", "The database disks are gone too."
    )
    loses: str = required(
        "Template: the data this path loses.",
        "Mail since the last backup that the logs cannot replay.",
    )
    source: str = source()
    rank: int = doc("Order in the table (low first).", 10, default=50)
    rebuilds: bool = doc(
        "The server is rebuilt: its rebuild procedure and every role's own steps join.",
        True,
        default=False,
    )
    fallback: bool = doc(
        "Offered only when no other role of the server offers a scenario that rebuilds it.",
        False,
        default=False,
    )
    procedures: list[str] = doc(
        "Ids of shared procedures whose steps join this scenario.",
        ["restore-databases"],
        default=[],
    )
    time: list[TimePart] = doc(
        "What the time estimate adds up: rebuild, restore (database size at the restore rate) and seed.",
        ["rebuild", "restore"],
        default=[],
    )
    service: list[TimePart] | None = doc(
        "The parts after which users work again, when that is before the end (dial tone: "
        "rebuild); [] when users keep working throughout (a CCR node).",
        ["rebuild"],
    )
    applies_when: str | None = doc("Expression: the scenario exists only when true.", None)
    unavailable_when: str | None = doc(
        "Expression: the scenario is shown but cannot be followed when true.",
        "not server.portability_targets",
    )
    unavailable: str | None = doc(
        "Template: why it cannot be followed, shown when unavailable_when holds.", None
    )
    steps: list[Step] = doc("Its own steps.", [], default=[])
    remove: list[str] = doc("Override: step ids to remove.", [], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class OrderRule:
    """A safe-order rule every scenario must keep, stated over step actions."""

    id: str = required("Stable id.", "agent-before-restore", pattern=ACTION_PATTERN)
    why: str = required("Why the order matters.", "The restore needs the backup agent.")
    source: str = source()
    first: list[Action] = doc("Steps with these actions ...", ["backup-agent"], default=[])
    then: list[Action] = doc(
        "... come before every step with these actions.", ["restore", "restore-rsg"], default=[]
    )
    never: list[Action] = doc(
        "A scenario with a step of one of these actions ...", ["restore"], default=[]
    )
    alongside: list[Action] = doc("... has no step of these actions.", ["dial-tone"], default=[])
    practice: bool = doc(
        "The rule is practice rather than a rule of the source.", False, default=False
    )
    where: Location = _where()


@dataclass(frozen=True)
class Dependency:
    """Something a role needs before it (or one of its steps) can be recovered."""

    role: str = required("A role id, or active-directory.", "hub-transport")
    why: str = required("Why.", "Voice mail is submitted to Hub Transport.")
    source: str = source()
    scope: Literal["site", "edge-sync-site", "organization"] = doc(
        "Where the needed server must be: same site (else any), the Edge subscription's site, or anywhere.",
        "site",
        default="site",
    )
    step: str | None = doc(
        "Only this step waits for it; the rest may run in parallel.", "new-edge-subscription"
    )
    where: Location = _where()


@dataclass(frozen=True)
class SiteNeed:
    """A role that every site with servers of this role needs, and the finding when it lacks one."""

    role: str = required("The role the site needs.", "hub-transport")
    finding: Literal["EXDR010", "EXDR011"] = required(
        "Finding raised for a site without it: EXDR010 (Hub Transport) or EXDR011 (Client Access).",
        "EXDR010",
    )
    source: str = source()
    where: Location = _where()


@dataclass(frozen=True)
class Constraint:
    """A rule about which roles, editions and memberships go together."""

    kind: Literal["alone", "requires-role", "only-roles", "edition", "not-domain-member"] = (
        required("Kind of rule.", "alone")
    )
    message: str = required(
        "What is wrong when the rule is broken.", "Edge Transport must be the only role."
    )
    source: str = source()
    roles: list[str] = doc("Roles for requires-role and only-roles.", [], default=[])
    editions: list[str] = doc("Allowed editions for edition.", ["Enterprise"], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class Procedure:
    """A rebuild procedure shared by several roles; its steps appear once per server."""

    id: str = required("Procedure id.", "recover-server", pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = required("Name.", "Rebuild with Setup /m:RecoverServer")
    summary: str = required(
        "What it does and when it applies.", "Rebuilds a server from Active Directory."
    )
    source: str = source()
    precedence: int = doc(
        "When a server's roles name several procedures, the highest wins.", 0, default=0
    )
    same_drive_layout: bool = doc(
        "The rebuild needs the lost server's drive layout; the page lists its disks for it.",
        True,
        default=False,
    )
    steps: list[Step] = doc("Its steps.", [], default=[])
    default_scenario: Scenario | None = doc(
        "Offered to a server rebuilt by this procedure when none of its roles offers a scenario "
        "(a role added by a user policy, say).",
        None,
    )
    remove: list[str] = doc("Override: step ids to remove.", [], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class RolePolicy:
    """Backup and recovery policy of one role (or of clustered mailbox servers)."""

    id: str = required("Role id used in the inventory.", "mailbox", pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str | None = doc("Display name.", "Mailbox")
    summary: str | None = doc("One paragraph for the role page.", None)
    summary_source: str | None = doc("Source of the summary.", None, pattern=URL_PATTERN)
    applies_to: Literal["role", "cluster"] = doc(
        "role: servers listing the id in roles; cluster: servers with a cluster entry.",
        "role",
        default="role",
    )
    procedure: str | None = doc("Id of the rebuild procedure.", "recover-server")
    domain_member: bool | None = doc("Default domain membership of servers with this role.", True)
    rank: int | None = doc("Order of role sections on a server page (low first).", 10)
    restore_test_max_age: Duration | None = doc(
        "Oldest acceptable restore test for this role.", "13w"
    )
    rebuild_time: Duration | None = doc(
        "Time to rebuild a server of this role before any restore (settings can change it).", "6h"
    )
    configuration: list[ConfigStore] = doc("Where the configuration lives.", [], default=[])
    backup_items: list[BackupItem] = doc("What to back up.", [], default=[])
    data: list[DataItem] = doc("Data and how it comes back.", [], default=[])
    scenarios: list[Scenario] = doc("Recovery scenarios this role offers.", [], default=[])
    steps: list[Step] = doc(
        "The role's own rebuild steps, in every scenario that rebuilds the server.", [], default=[]
    )
    verify: list[Step] = doc("Verification steps.", [], default=[])
    depends_on: list[Dependency] = doc("Dependencies for the recovery order.", [], default=[])
    site_needs: list[SiteNeed] = doc(
        "Roles every site with servers of this role needs (EXDR010, EXDR011).", [], default=[]
    )
    lists_storage_groups: bool = doc(
        "Servers of this role should list their storage groups (EXDR022 when they do not).",
        True,
        default=False,
    )
    portability_target: bool = doc(
        "Servers of this role can mount another server's mailbox databases (database portability).",
        True,
        default=False,
    )
    constraints: list[Constraint] = doc("Combination rules.", [], default=[])
    remove: list[str] = doc("Override: ids of items, steps or data to remove.", [], default=[])
    where: Location = _where()


def by_rank(policy: RolePolicy) -> tuple[int, str]:
    """Sort key of role policies: rank (unset: last), then id."""
    return (policy.rank if policy.rank is not None else 100, policy.id)


@dataclass(frozen=True)
class PolicyFile:
    """A policy file holds one role policy, one procedure, or order rules."""

    role: RolePolicy | None = doc("A role policy.", None)
    procedure: Procedure | None = doc("A shared procedure.", None)
    rules: list[OrderRule] = doc("Safe-order rules.", [], default=[])
    where: Location = _where()
