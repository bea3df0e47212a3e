"""The DR plan: what the engine concludes from an inventory and the role policies.

Plain frozen dataclasses, no MkDocs, no Markdown; ``plan_organization`` in ``engine.py``
builds them, the render step turns them into pages, ``to_json`` into ``plan.json``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from mkdocs_exdr.common.durations import Duration
from mkdocs_exdr.inventory.model import (
    BackupJob,
    Contact,
    Inventory,
    Review,
    Server,
)
from mkdocs_exdr.plan.findings import Finding, at_least
from mkdocs_exdr.plan.fingerprint import plan_fingerprint
from mkdocs_exdr.policies.catalog import Catalog
from mkdocs_exdr.policies.model import (
    BackupItem,
    ConfigStore,
    DataItem,
    Procedure,
    RolePolicy,
    Step,
)

PLAN_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class CoveredItem:
    """A backup item of a server, its effective level and the jobs that cover it."""

    item: BackupItem
    level: str
    roles: tuple[str, ...]
    jobs: tuple[BackupJob, ...]
    paths: tuple[str, ...] = ()

    @property
    def covered(self) -> bool:
        """Whether any backup job covers the item."""
        return bool(self.jobs)

    @property
    def status(self) -> str:
        """covered, missing (required but not covered), or not covered."""
        if self.jobs:
            return "covered"
        return "missing" if self.level == "required" else "not covered"


@dataclass(frozen=True)
class DataOutcome:
    """What happens to a kind of data when the server is lost."""

    item: DataItem
    role: str
    outcome: str  # "active-directory", "backup", "reinstall", "replication", "reapply", "lost"


@dataclass(frozen=True)
class PlannedStep:
    """A step of the runbook, bound to its loop item when it repeats."""

    step: Step
    owner: str
    context: dict[str, Any] = field(compare=False, repr=False)
    label: str | None = None


@dataclass(frozen=True)
class RenderedStep:
    """A runbook step with the server's own names and paths filled in."""

    number: int
    id: str
    owner: str
    phase: int
    action: str | None
    title: str
    text: str | None
    command: str | None
    shell: str
    note: str | None
    unverified: str | None
    practice: bool
    source: str
    label: str | None


@dataclass(frozen=True)
class ScenarioPlan:
    """One recovery scenario of a server: when to choose it, its steps, what it loses, how long."""

    id: str
    roles: tuple[str, ...]
    title: str
    lost: str
    choose: str
    loses: str
    source: str
    rebuilds: bool
    unavailable: str | None
    steps: tuple[RenderedStep, ...]
    rules: tuple[str, ...]
    time_parts: tuple[tuple[str, float | None], ...]
    hours: float | None
    #: Hours until users work again, when the scenario says so and it is known.
    service_hours: float | None = None

    @property
    def anchor(self) -> str:
        """The stable anchor people link to from incident tickets."""
        return f"scenario-{self.id}"


@dataclass(frozen=True)
class ServerPlan:
    """Everything the plan says about one active server."""

    server: Server
    slug: str
    policies: tuple[RolePolicy, ...]
    procedure: Procedure | None
    domain_member: bool
    configuration: tuple[tuple[str, ConfigStore], ...]
    items: tuple[CoveredItem, ...]
    data: tuple[DataOutcome, ...]
    scenarios: tuple[ScenarioPlan, ...]
    verification: tuple[RenderedStep, ...]
    rpo: Duration | None
    rto: Duration | None
    database_gb: float
    restore_hours: float | None
    contacts: tuple[Contact, ...]
    context: dict[str, Any] = field(compare=False, repr=False)
    findings: tuple[Finding, ...] = ()

    def step_title(self, step_id: str) -> str | None:
        """The rendered title of a step of any scenario, by id."""
        for scenario in self.scenarios:
            for step in scenario.steps:
                if step.id == step_id:
                    return step.title
        return None


@dataclass(frozen=True)
class OrderEntry:
    """One action in a recovery wave: rebuild a server, or one of its waiting steps."""

    server: str | None
    action: str
    site: str | None = None
    step: str | None = None


@dataclass(frozen=True)
class RecoveryOrder:
    """Waves of actions that can run in parallel, for the loss of one site or of everything."""

    scope: str  # "organization" or a site name
    waves: tuple[tuple[OrderEntry, ...], ...]

    @cached_property
    def _rebuild_waves(self) -> dict[str, int]:
        return {
            entry.server: number
            for number, wave in enumerate(self.waves, 1)
            for entry in wave
            if entry.server and entry.step is None
        }

    def wave_of(self, server: str) -> int | None:
        """The 1-based wave in which ``server`` is rebuilt."""
        return self._rebuild_waves.get(server)


@dataclass(frozen=True)
class Plan:
    """The DR plan of the organisation."""

    inventory: Inventory
    catalog: Catalog
    as_of: dt.date
    servers: tuple[ServerPlan, ...]
    decommissioned: tuple[Server, ...]
    findings: tuple[Finding, ...]
    orders: tuple[RecoveryOrder, ...]
    settings: dict[str, Any]

    @cached_property
    def fingerprint(self) -> str:
        """The plan's fingerprint (see fingerprint.py); computed when first asked for."""
        return plan_fingerprint(self.inventory, self.catalog)

    @property
    def last_review(self) -> Review | None:
        """The most recent plan review, if any."""
        return self.inventory.reviews[-1] if self.inventory.reviews else None

    @property
    def next_review_due(self) -> dt.date:
        """When the next review is due: the last one plus the review interval (as of, if none)."""
        last = self.last_review
        if last is None:
            return self.as_of
        return last.date + dt.timedelta(seconds=self.settings["review_interval"].seconds)

    @property
    def changed_since_review(self) -> bool | None:
        """Whether the plan differs from the one last reviewed (None: unknown fingerprint)."""
        last = self.last_review
        if last is None or last.fingerprint is None:
            return None
        return last.fingerprint != self.fingerprint

    def counted(self, fail_on: str) -> list[Finding]:
        """Unaccepted findings at or above ``fail_on``."""
        return [f for f in self.findings if f.accepted is None and at_least(f.severity, fail_on)]
