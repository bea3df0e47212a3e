"""Scenario planning on small inventories: estimates, availability, order, template errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan, ScenarioPlan
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, write

AS_OF = dt.date(2026, 11, 20)
SOURCE = "http://technet.microsoft.com/en-us/library/bb124349(v=exchg.80).aspx"


def plan_of(tmp_path: Path, servers: str = SOUND_SERVER, policies: str | None = None) -> Plan:
    write(tmp_path, {"inventory/org.yml": MINIMAL_ORG, "inventory/servers.yml": servers})
    if policies is not None:
        write(tmp_path, {"policies/extra.yml": policies})
    return build_plan(
        tmp_path / "inventory",
        tmp_path / "policies",
        AS_OF,
        shown_inventory="inventory",
        shown_policies="policies",
    )


def scenario(plan: Plan, sid: str) -> ScenarioPlan:
    return next(sc for sc in plan.servers[0].scenarios if sc.id == sid)


def test_an_estimate_adds_its_parts(tmp_path: Path) -> None:
    restore = scenario(plan_of(tmp_path), "rebuild-restore")
    parts = dict(restore.time_parts)
    assert parts["restore"] == pytest.approx(50 / 20)  # 50 GB at the default 20 GB/hour
    assert restore.hours == pytest.approx(parts["rebuild"] + parts["restore"])
    assert restore.roles[0] == "mailbox" and restore.source.startswith("http")


def test_an_estimate_with_an_unknown_part_is_unknown(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SOUND_SERVER.replace(", size_gb: 50", ""))
    restore = scenario(plan, "rebuild-restore")
    assert dict(restore.time_parts)["restore"] is None
    assert restore.hours is None
    keep = scenario(plan, "rebuild-keep-data")
    assert keep.hours == dict(keep.time_parts)["rebuild"], "a known part alone is the estimate"


ADDED = f"""
role:
  id: unified-messaging
  scenarios:
    - id: prompts-only
      title: Prompts lost
      lost: The prompts of {{{{ server.name }}}}
      choose: The prompts were deleted.
      loses: Nothing.
      source: {SOURCE}
      rank: 1
      unavailable_when: server.site == "Seattle"
      steps:
        - id: copy-prompts
          title: Copy the prompts to {{{{ server.name }}}}
          note: Keep the old ones.
          source: {SOURCE}
          practice: true
"""
UM = "servers:\n  - {name: UM01, site: Seattle, roles: [unified-messaging]}\n"


def test_scenarios_sort_by_rank_and_keep_their_step_texts(tmp_path: Path) -> None:
    um = plan_of(tmp_path, UM, ADDED).servers[0]
    assert [sc.id for sc in um.scenarios] == ["prompts-only", "rebuild"]
    added = um.scenarios[0]
    assert added.lost == "The prompts of UM01"
    assert added.roles == ("unified-messaging",)
    only = added.steps[0]
    assert (only.number, only.id, only.title) == (1, "copy-prompts", "Copy the prompts to UM01")
    assert (only.note, only.practice, only.owner, only.shell) == (
        "Keep the old ones.",
        True,
        "unified-messaging",
        "cmd",
    )


def test_an_unavailable_scenario_without_a_reason_gets_a_plain_one(tmp_path: Path) -> None:
    um = plan_of(tmp_path, UM, ADDED).servers[0]
    assert um.scenarios[0].unavailable == "This scenario cannot be followed here."
    assert um.scenarios[1].unavailable is None
    elsewhere = plan_of(tmp_path / "b", UM.replace("Seattle", "Portland"), ADDED)
    assert elsewhere.servers[0].scenarios[0].unavailable is None


def test_a_scenario_of_no_time_parts_has_no_estimate(tmp_path: Path) -> None:
    um = plan_of(tmp_path, UM, ADDED).servers[0]
    assert um.scenarios[0].time_parts == () and um.scenarios[0].hours is None


def test_a_template_that_fails_while_rendering_is_a_located_problem(tmp_path: Path) -> None:
    broken = ADDED.replace("Copy the prompts to {{ server.name }}", "Copy {{ nosuch.attribute }}")
    with pytest.raises(InvalidInput) as caught:
        plan_of(tmp_path, UM, broken)
    (problem,) = caught.value.problems
    assert problem.where.file == "policies/extra.yml" and problem.where.line == 13
    assert problem.field == "step copy-prompts"
    assert problem.message.startswith("template error: ")


def test_a_scenario_text_that_fails_is_a_located_problem(tmp_path: Path) -> None:
    broken = ADDED.replace("The prompts of {{ server.name }}", "Prompts {{ nosuch.attribute }}")
    with pytest.raises(InvalidInput) as caught:
        plan_of(tmp_path, UM, broken)
    (problem,) = caught.value.problems
    assert (problem.where.file, problem.where.line) == ("policies/extra.yml", 4)
    assert problem.field == "scenario prompts-only"
    assert problem.message.startswith("template error: ")


def test_facts_missing_from_commands_and_notes_are_reported(tmp_path: Path) -> None:
    policies = ADDED.replace("note: Keep the old ones.", "note: Ask {{ server.fqdn }}.").replace(
        "          practice: true",
        "          practice: true\n          command: copy x {{ server.install_path }}",
    )
    plan = plan_of(tmp_path, UM, policies)
    missing = [f for f in plan.findings if f.code == "EXDR021"]
    assert missing and "server.fqdn" in missing[0].message


ACCEPTED = SOUND_SERVER.replace(
    "    restore_tests:",
    "    accept:\n"
    "      - {code: EXDR014, reason: Desk phone only, owner: Ops, expires: 2026-11-20}\n"
    "      - {code: EXDR012, subject: EX01/none, owner: Ops}\n"
    "    restore_tests:",
).replace('contacts: [{name: On-call, phone: "555-0100"}]', "contacts: []")


def test_acceptances_expire_after_their_date_and_say_what_they_lack(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "inventory/org.yml": MINIMAL_ORG.replace(
                '  contacts: [{name: On-call, phone: "555-0100"}]\n', ""
            )
        },
    )
    write(tmp_path, {"inventory/servers.yml": ACCEPTED})
    plan = build_plan(tmp_path / "inventory", None, AS_OF, shown_inventory="inventory")
    by_key = {f.key: f for f in plan.findings}
    assert by_key["EXDR014:EX01"].accepted is not None, "accepted on its expiry date itself"
    lacking = by_key["EXDR020:EXDR012:EX01/none"]
    assert lacking.message == (
        "the acceptance of EXDR012 for EX01/none has no reason, expires; "
        "an accepted risk needs all three"
    )
    assert (lacking.server, lacking.where and lacking.where.line) == ("EX01", 21)
    unmatched = by_key["EXDR025:EXDR012:EX01/none"]
    assert unmatched.message == (
        "nothing to accept: there is no EXDR012 finding for EX01/none; "
        "remove the acceptance or correct its subject"
    )
    later = build_plan(tmp_path / "inventory", None, AS_OF + dt.timedelta(days=1))
    expired = {f.key: f for f in later.findings}["EXDR019:EXDR014:EX01"]
    assert expired.server == "EX01" and expired.site == "Seattle"
    assert expired.where is not None and expired.where.line == 20
    assert "expired on 2026-11-20" in expired.message


def test_the_default_scenario_only_fills_a_gap(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, UM)  # unified messaging offers its own rebuild scenario
    assert [sc.id for sc in plan.servers[0].scenarios] == ["rebuild"]
    assert plan.servers[0].scenarios[0].roles == ("unified-messaging",)


def test_an_unavailable_scenario_renders_its_reason(tmp_path: Path) -> None:
    policies = ADDED.replace(
        '      unavailable_when: server.site == "Seattle"',
        '      unavailable_when: server.site == "Seattle"\n'
        "      unavailable: No prompt share in {{ server.site }}.",
    )
    um = plan_of(tmp_path, UM, policies).servers[0]
    assert um.scenarios[0].unavailable == "No prompt share in Seattle."


def test_a_scenario_lists_the_rules_that_speak_about_its_steps(tmp_path: Path) -> None:
    restore = scenario(plan_of(tmp_path), "rebuild-restore")
    assert {"agent-before-restore", "restore-before-mount"} <= set(restore.rules)
    assert "certificate-before-edge-subscription" not in restore.rules


def test_dial_tone_says_when_users_work_again(tmp_path: Path) -> None:
    dial = scenario(plan_of(tmp_path), "dial-tone")
    parts = dict(dial.time_parts)
    assert dial.service_hours == parts["rebuild"] < dial.hours  # type: ignore[operator]
    assert scenario(plan_of(tmp_path / "b"), "rebuild-restore").service_hours is None


def test_estimates_read_as_a_reader_plans() -> None:
    from mkdocs_exdr.render.pages import about_hours

    assert [about_hours(h) for h in (0.9, 1.0, 2.5, 9.8, 31.2, 52.4)] == [
        "1 hour",
        "1 hour",
        "2.5 hours",
        "10 hours",
        "31 hours",
        "52 hours (2.2 days)",
    ]
