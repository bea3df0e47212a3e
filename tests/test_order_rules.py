"""The order checker on its own: each kind of rule, broken and kept, with its exact message."""

from __future__ import annotations

from mkdocs_exdr.common.problems import Location
from mkdocs_exdr.plan.model import PlannedStep
from mkdocs_exdr.plan.runbook import check_order
from mkdocs_exdr.policies.model import OrderRule, Step

SOURCE = "https://learn.microsoft.com/en-us/previous-versions/office/exchange-server-2007/x"


def step(sid: str, line: int, action: str | None = None, **lists: list[str]) -> PlannedStep:
    made = Step(
        id=sid,
        title=sid,
        source=SOURCE,
        action=action,  # type: ignore[arg-type]
        after=lists.get("after", []),
        before=lists.get("before", []),
        where=Location("policies/p.yml", line, 7),
    )
    return PlannedStep(made, "mailbox", {})


def rule(rid: str, **actions: list[str]) -> OrderRule:
    return OrderRule(id=rid, why=f"why {rid}", source=SOURCE, **actions)  # type: ignore[arg-type]


def messages(steps: list[PlannedStep], rules: list[OrderRule] = ()) -> list[str]:  # type: ignore[assignment]
    return [str(p) for p in check_order("s1", steps, rules)]


def test_a_step_before_what_it_lists_under_after_is_reported_at_itself() -> None:
    found = messages([step("mount", 3, after=["restore"]), step("restore", 9)])
    assert found == [
        "policies/p.yml:3:7: scenario s1: step mount: comes before step restore "
        "(policies/p.yml:9); it must come after it: it lists restore under after"
    ]


def test_a_step_after_what_it_lists_under_before_is_reported_at_itself() -> None:
    found = messages([step("mount", 3), step("restore", 9, before=["mount"])])
    assert found == [
        "policies/p.yml:9:7: scenario s1: step restore: comes after step mount "
        "(policies/p.yml:3); it must come before it: it lists mount under before"
    ]


def test_kept_lists_and_absent_steps_are_no_problem() -> None:
    steps = [
        step("restore", 1, before=["mount", "elsewhere"]),
        step("mount", 2, after=["restore", "missing"]),
    ]
    assert messages(steps) == []


def test_repeated_steps_are_compared_by_their_last_and_first_places() -> None:
    # restore (for SG1), mount, restore (for SG2): the second restore comes after a mount.
    steps = [step("restore", 1), step("mount", 2, after=["restore"]), step("restore", 3)]
    assert messages(steps) == [
        "policies/p.yml:2:7: scenario s1: step mount: comes before step restore "
        "(policies/p.yml:3); it must come after it: it lists restore under after"
    ]
    steps = [step("mount", 1), step("restore", 2, before=["mount"]), step("mount", 3)]
    assert len(messages(steps)) == 1
    assert (
        messages([step("restore", 1), step("restore", 2), step("mount", 3, after=["restore"])])
        == []
    )


def test_a_rule_over_actions_is_reported_at_the_step_that_came_too_late() -> None:
    steps = [
        step("prereq", 1, "prerequisites"),
        step("restore-sg", 5, "restore"),
        step("agent", 8, "backup-agent"),
        step("mount", 9, "mount"),
    ]
    rules = [
        rule("agent-first", first=["backup-agent"], then=["restore", "restore-rsg"]),
        rule("prereq-first", first=["prerequisites"], then=["restore"]),
        rule("restore-then-mount", first=["restore"], then=["mount"]),
    ]
    assert messages(steps, rules) == [
        "policies/p.yml:8:7: scenario s1: step agent: comes after step restore-sg "
        "(policies/p.yml:5); it must come before it: rule agent-first: why agent-first"
    ]


def test_a_rule_looks_at_the_latest_first_and_the_earliest_then() -> None:
    steps = [
        step("agent-a", 1, "backup-agent"),
        step("restore-a", 2, "restore"),
        step("agent-b", 3, "backup-agent"),
        step("restore-b", 4, "restore"),
    ]
    found = messages(steps, [rule("agent-first", first=["backup-agent"], then=["restore"])])
    assert found == [
        "policies/p.yml:3:7: scenario s1: step agent-b: comes after step restore-a "
        "(policies/p.yml:2); it must come before it: rule agent-first: why agent-first"
    ]


def test_a_rule_with_one_side_missing_is_kept() -> None:
    rules = [rule("agent-first", first=["backup-agent"], then=["restore"])]
    assert messages([step("restore-sg", 1, "restore")], rules) == []
    assert messages([step("agent", 1, "backup-agent")], rules) == []


def test_a_forbidden_pair_of_actions_is_reported_at_the_forbidden_step() -> None:
    steps = [
        step("empty-db", 2, "dial-tone"),
        step("overwrite", 4, "allow-restore"),
        step("restore-sg", 6, "restore"),
    ]
    rules = [rule("no-restore", never=["restore", "allow-restore"], alongside=["dial-tone"])]
    assert messages(steps, rules) == [
        "policies/p.yml:6:7: scenario s1: step restore-sg: a restore step has no place beside "
        "a dial-tone step: rule no-restore: why no-restore"
    ]
    assert messages(steps[1:], rules) == [], "without the dial tone step, restores are fine"
    assert messages(steps[:1], rules) == []
