"""Planned steps rendered into the text an administrator reads: titles, notes, commands."""

from __future__ import annotations

from dataclasses import dataclass

import jinja2

from mkdocs_exdr.common.problems import InvalidInput, Problem
from mkdocs_exdr.plan.model import CoveredItem, PlannedStep, ServerPlan
from mkdocs_exdr.policies import facts


@dataclass(frozen=True)
class RenderedStep:
    """A runbook step with the server's own names and paths filled in."""

    number: int
    id: str
    owner: str
    phase: int
    title: str
    text: str | None
    command: str | None
    shell: str
    note: str | None
    unverified: str | None
    source: str
    label: str | None


def render_steps(steps: tuple[PlannedStep, ...]) -> list[RenderedStep]:
    """Number and render ``steps`` in order; a template error is invalid input at the step."""
    try:
        return _render(steps)
    except jinja2.TemplateError as error:
        step = next((s.step for s in steps if _fails(s)), steps[0].step)
        raise InvalidInput(
            [Problem(step.where, f"step {step.id}", f"template error: {error}")]
        ) from None


def _fails(planned: PlannedStep) -> bool:
    try:
        _render((planned,))
    except jinja2.TemplateError:
        return True
    return False


def _render(steps: tuple[PlannedStep, ...]) -> list[RenderedStep]:
    rendered = []
    for number, planned in enumerate(steps, 1):
        step, context = planned.step, planned.context
        rendered.append(
            RenderedStep(
                number=number,
                id=step.id,
                owner=planned.owner,
                phase=step.phase,
                title=facts.render(step.title, context) or step.id,
                text=facts.render(step.text, context),
                command=facts.render(step.command, context),
                shell=step.shell,
                note=facts.render(step.note, context),
                unverified=step.unverified,
                source=step.source,
                label=planned.label,
            )
        )
    return rendered


def item_paths(plan: ServerPlan, covered: CoveredItem) -> list[str]:
    """Where a backup item is on this server's disks (one path per storage group if per-group)."""
    item = covered.item
    if not item.path:
        return []
    groups = plan.context["server"]["storage_groups"] if item.per == "storage-group" else [None]
    paths = [facts.render(item.path, {**plan.context, "sg": group}) for group in groups]
    return list(dict.fromkeys(p for p in paths if p))
