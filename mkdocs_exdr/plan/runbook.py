"""A server's runbook: its recovery scenarios, each with its steps in a checked, safe order.

The scenarios of a server's roles merge by id. A scenario that rebuilds the server takes in the
server's rebuild procedure (RecoverServer once, whatever the roles) and every role's own rebuild
steps. Steps run in phase order; the engine then checks each scenario against the steps' own
``after``/``before`` lists and the order rules of the policies. A broken rule is invalid input
at the step's file and line, never a page that loses data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.plan.model import PlannedStep, RenderedStep, ScenarioPlan
from mkdocs_exdr.policies import facts
from mkdocs_exdr.policies.catalog import Catalog
from mkdocs_exdr.policies.facts import TemplateRuns
from mkdocs_exdr.policies.model import OrderRule, Procedure, RolePolicy, Scenario, Step


@dataclass(frozen=True)
class Times:
    """Hours each part of an estimate takes on this server; ``None`` where unknown."""

    rebuild: float | None
    restore: float | None

    def part(self, name: str) -> float | None:
        """Hours of one part: rebuild; restore, copy and seed all move the databases' bytes."""
        return self.rebuild if name == "rebuild" else self.restore


def expand(
    steps: Iterable[tuple[str, Step]], context: dict[str, Any], runs: TemplateRuns
) -> list[PlannedStep]:
    """Steps bound to the server's facts: repeated per loop item, dropped where ``when`` fails."""
    planned: list[PlannedStep] = []
    for owner, step in steps:
        field = f"step {step.id}: when"
        if step.for_each:
            variable, source = facts.LOOPS[step.for_each]
            for value in context["server"][source]:
                bound = {**context, variable: value}
                if runs.holds(step.when, bound, step.where, field):
                    planned.append(PlannedStep(step, owner, bound, value.label()))
        elif runs.holds(step.when, context, step.where, field):
            planned.append(PlannedStep(step, owner, context))
    return planned


def missing_facts(steps: Iterable[PlannedStep]) -> list[str]:
    """Facts the steps name that the inventory does not give, once each."""
    names: list[str] = []
    for planned in steps:
        step = planned.step
        pairs = facts.needed_by(step.title, step.text, step.command, step.note)
        for name in facts.missing_in(pairs, planned.context):
            names.append(f"{name} ({planned.label})" if planned.label else name)
    return list(dict.fromkeys(names))


def render_steps(steps: Iterable[PlannedStep], runs: TemplateRuns) -> list[RenderedStep]:
    """Number and render ``steps``; a template error is a problem at its step (in ``runs``)."""
    rendered: list[RenderedStep] = []
    for planned in steps:
        step, context = planned.step, planned.context
        field = f"step {step.id}"
        title = runs.render(step.title, context, step.where, field) or step.id
        text = runs.render(step.text, context, step.where, field)
        command = runs.render(step.command, context, step.where, field)
        note = runs.render(step.note, context, step.where, field)
        rendered.append(
            RenderedStep(
                number=len(rendered) + 1,
                id=step.id,
                owner=planned.owner,
                phase=step.phase,
                action=step.action,
                title=title,
                text=text,
                command=command,
                shell=step.shell,
                note=note,
                unverified=step.unverified,
                practice=step.practice,
                source=step.source,
                label=planned.label,
            )
        )
    return rendered


def _applies(scenario: Scenario, context: dict[str, Any], runs: TemplateRuns) -> bool:
    field = f"scenario {scenario.id}: applies_when"
    return runs.holds(scenario.applies_when, context, scenario.where, field)


def _offered(
    policies: list[RolePolicy],
    procedure: Procedure | None,
    context: dict[str, Any],
    runs: TemplateRuns,
) -> dict[str, list[Any]]:
    """The scenarios of the server's roles that apply, grouped by id, in rank order; the
    procedure's default scenario when no role offers one."""
    groups: dict[str, list[tuple[str, Scenario]]] = {}
    for policy in policies:
        for scenario in policy.scenarios:
            if _applies(scenario, context, runs):
                groups.setdefault(scenario.id, []).append((policy.id, scenario))
    default = procedure.default_scenario if procedure else None
    if not groups and procedure and default and _applies(default, context, runs):
        groups[default.id] = [(procedure.id, default)]
    rebuilding = any(s.rebuilds and not s.fallback for g in groups.values() for _, s in g)
    return {
        sid: group
        for sid, group in sorted(groups.items(), key=lambda kv: (kv[1][0][1].rank, kv[0]))
        if not (rebuilding and all(s.fallback for _, s in group))
    }


def _scenario_steps(
    group: list[tuple[str, Scenario]],
    policies: list[RolePolicy],
    procedure: Procedure | None,
    catalog: Catalog,
) -> list[tuple[str, Step]]:
    """Every step that joins a merged scenario, each id once (the first one wins)."""
    found: list[tuple[str, Step]] = []
    if any(s.rebuilds for _, s in group):
        if procedure is not None:
            found += [(procedure.id, step) for step in procedure.steps]
        found += [(p.id, step) for p in policies for step in p.steps]
    shared = dict.fromkeys(pid for _, s in group for pid in s.procedures)
    found += [(pid, step) for pid in shared for step in catalog.procedures[pid].steps]
    found += [(owner, step) for owner, s in group for step in s.steps]
    unique = {step.id: (owner, step) for owner, step in reversed(found)}
    return [unique[step.id] for _, step in found if unique[step.id][1] is step]


def _place(step: Step) -> str:
    where: Location = step.where
    return f"{where.file}:{where.line}" if where.line else where.file


def check_order(
    scenario_id: str, steps: list[PlannedStep], rules: Iterable[OrderRule]
) -> list[Problem]:
    """Problems where ``steps`` break their own ``after``/``before`` lists or an order rule."""
    index: dict[str, list[int]] = {}
    by_action: dict[str, list[int]] = {}
    for number, planned in enumerate(steps):
        index.setdefault(planned.step.id, []).append(number)
        if planned.step.action:
            by_action.setdefault(planned.step.action, []).append(number)
    problems: list[Problem] = []

    def broken(at: Step, other: Step, which: str, why: str) -> None:
        problems.append(
            Problem(
                at.where,
                f"scenario {scenario_id}: step {at.id}",
                f"comes {which} step {other.id} ({_place(other)}); it must come "
                f"{'after' if which == 'before' else 'before'} it: {why}",
            )
        )

    for planned in steps:
        step = planned.step
        for other in step.after:
            if other in index and max(index[other]) > min(index[step.id]):
                broken(
                    step, steps[max(index[other])].step, "before", f"it lists {other} under after"
                )
        for other in step.before:
            if other in index and min(index[other]) < max(index[step.id]):
                broken(
                    step, steps[min(index[other])].step, "after", f"it lists {other} under before"
                )
    for rule in rules:
        first = [i for a in rule.first for i in by_action.get(a, [])]
        then = [i for a in rule.then for i in by_action.get(a, [])]
        if first and then and max(first) > min(then):
            broken(
                steps[max(first)].step,
                steps[min(then)].step,
                "after",
                f"rule {rule.id}: {rule.why}",
            )
        never = [i for a in rule.never for i in by_action.get(a, [])]
        alongside = [i for a in rule.alongside for i in by_action.get(a, [])]
        if never and alongside:
            step = steps[never[0]].step
            problems.append(
                Problem(
                    step.where,
                    f"scenario {scenario_id}: step {step.id}",
                    f"a {step.action} step has no place beside a "
                    f"{steps[alongside[0]].step.action} step: rule {rule.id}: {rule.why}",
                )
            )
    return problems


def _rules_for(steps: list[PlannedStep], rules: Iterable[OrderRule]) -> tuple[str, ...]:
    """Ids of the order rules that speak about the actions of ``steps``."""
    actions = {p.step.action for p in steps if p.step.action}
    return tuple(r.id for r in rules if actions & {*r.first, *r.then, *r.never, *r.alongside})


def _service_hours(scenario: Scenario, times: Times) -> float | None:
    """Hours until users work again, where the scenario names the parts that take."""
    if scenario.service is None:
        return None
    hours = [times.part(name) for name in scenario.service]
    return None if any(h is None for h in hours) else sum(h or 0.0 for h in hours)


def plan_scenarios(
    policies: list[RolePolicy],
    procedure: Procedure | None,
    catalog: Catalog,
    context: dict[str, Any],
    times: Times,
    runs: TemplateRuns,
) -> tuple[list[ScenarioPlan], list[PlannedStep], list[Problem]]:
    """The server's scenarios, the planned steps of all of them, and the order problems found
    (template errors are in ``runs``)."""
    plans: list[ScenarioPlan] = []
    every: list[PlannedStep] = []
    problems: list[Problem] = []
    rules = list(catalog.rules.values())
    for sid, group in _offered(policies, procedure, context, runs).items():
        first = group[0][1]
        joined = _scenario_steps(group, policies, procedure, catalog)
        planned = sorted(expand(joined, context, runs), key=lambda p: p.step.phase)
        problems += check_order(sid, planned, rules)
        rendered = render_steps(planned, runs)
        every += planned
        parts = tuple((name, times.part(name)) for name in first.time)
        unknown = any(hours is None for _, hours in parts)
        unavailable = any(
            runs.holds(s.unavailable_when, context, s.where, f"scenario {sid}: unavailable_when")
            for _, s in group
            if s.unavailable_when
        )
        texts = {
            name: runs.render(getattr(first, name), context, first.where, f"scenario {sid}") or ""
            for name in ("title", "lost", "choose", "loses")
        }
        reason = (
            runs.render(first.unavailable, context, first.where, f"scenario {sid}")
            if unavailable
            else None
        )
        plans.append(
            ScenarioPlan(
                id=sid,
                roles=tuple(owner for owner, _ in group),
                **texts,
                source=first.source,
                rebuilds=any(s.rebuilds for _, s in group),
                unavailable=(reason or "This scenario cannot be followed here.")
                if unavailable
                else None,
                steps=tuple(rendered),
                rules=_rules_for(planned, rules),
                time_parts=parts,
                hours=None if unknown or not parts else sum(h or 0.0 for _, h in parts),
                service_hours=_service_hours(first, times),
            )
        )
    return plans, every, problems
