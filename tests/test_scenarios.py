"""Recovery scenarios: the safe order of every scenario, the page, plan.json and the printout."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan, ScenarioPlan, ServerPlan
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.render.escape import inline
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import EXAMPLE_INVENTORY, REPO, write

AS_OF = dt.date(2026, 11, 20)  # the example's pinned as_of (mkdocs.yml)
ENV_BUILD = {"NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build_plan(EXAMPLE_INVENTORY, None, AS_OF)


def server(plan: Plan, name: str) -> ServerPlan:
    return next(s for s in plan.servers if s.server.name == name)


def actions(scenario: ScenarioPlan) -> list[str | None]:
    return [step.action for step in scenario.steps]


def positions(scenario: ScenarioPlan, *names: str) -> list[int]:
    return [i for i, action in enumerate(actions(scenario)) if action in names]


def every_scenario(plan: Plan) -> list[tuple[str, ScenarioPlan]]:
    return [(s.server.name, sc) for s in plan.servers for sc in s.scenarios]


#: The issue's rules, written out here independently of the policies that state them.
BEFORE = [
    (("prerequisites",), ("restore", "restore-rsg", "setup")),
    (("backup-agent",), ("restore", "restore-rsg")),
    (("restore",), ("mount",)),
    (("mount", "restore"), ("seed",)),
    (("swap",), ("merge",)),
    (("certificate",), ("edge-subscription",)),
]


def test_every_scenario_of_every_example_server_keeps_the_safe_order(plan: Plan) -> None:
    checked: set[int] = set()
    for name, scenario in every_scenario(plan):
        for number, (first, then) in enumerate(BEFORE):
            early, late = positions(scenario, *first), positions(scenario, *then)
            if early and late:
                assert max(early) < min(late), (name, scenario.id, first, then, actions(scenario))
                checked.add(number)
        if "dial-tone" in actions(scenario):
            assert "restore" not in actions(scenario), (name, scenario.id)
            assert positions(scenario, "restore-rsg"), "dial tone restores into an RSG"
        if scenario.rebuilds:
            assert actions(scenario).count("setup") <= 1, (name, scenario.id, "one Setup run")
    assert checked == set(range(len(BEFORE))), "the example exercises every rule"


def test_each_server_offers_the_scenarios_of_its_roles(plan: Plan) -> None:
    found = {s.server.name: [sc.id for sc in s.scenarios] for s in plan.servers}
    assert {"ccr-node", "recover-cms"} <= set(found["LON-CMS01"])
    assert not {"rebuild-keep-data", "rebuild-restore", "dial-tone"} & set(found["LON-CMS01"])
    assert {"rebuild-keep-data", "rebuild-restore", "dial-tone", "portability"} <= set(
        found["LON-MBX03"]
    )
    assert found["LON-HUB01"] == ["rebuild"]
    assert found["LON-CAS01"] == ["rebuild"]
    assert found["DMZ-EDGE01"] == ["edge-clone", "resubscribe"]
    multi = set(found["MAN-EX01"])
    assert {"rebuild-keep-data", "rebuild-restore"} <= multi and "rebuild" not in multi, (
        "a mailbox server with other roles is not offered a rebuild without its data"
    )


def test_multi_role_scenarios_hold_each_roles_steps_and_one_setup(plan: Plan) -> None:
    scenario = next(sc for sc in server(plan, "MAN-EX01").scenarios if sc.id == "rebuild-restore")
    owners = {step.owner for step in scenario.steps}
    assert {"hub-transport", "client-access"} <= owners or {"client-access"} <= owners
    assert sum("/m:RecoverServer" in (st.command or "") for st in scenario.steps) == 1


def test_portability_is_for_mailbox_databases_only(plan: Plan) -> None:
    for name, scenario in every_scenario(plan):
        if scenario.id != "portability":
            continue
        pf = [
            d.name
            for g in server(plan, name).server.storage_groups
            for d in g.databases
            if d.type == "public-folder"
        ]
        text = " ".join(f"{s.title} {s.command or ''}" for s in scenario.steps)
        for database in pf:
            assert database not in text, (name, database)


def test_portability_says_when_the_site_has_no_other_mailbox_server(plan: Plan) -> None:
    for s in plan.servers:
        scenario = next((sc for sc in s.scenarios if sc.id == "portability"), None)
        if scenario is None:
            continue
        others = [
            o
            for o in plan.servers
            if o is not s and "mailbox" in o.server.roles and o.server.site == s.server.site
        ]
        assert (scenario.unavailable is None) == bool(others and s.server.portability), (
            s.server.name
        )


def test_recover_cms_uses_the_name_and_addresses_of_the_inventory(plan: Plan) -> None:
    cms = server(plan, "LON-CMS01")
    assert cms.server.cluster and cms.server.cluster.ip_addresses
    scenario = next(sc for sc in cms.scenarios if sc.id == "recover-cms")
    command = next(st.command for st in scenario.steps if "/RecoverCMS" in (st.command or ""))
    assert command and "LON-CMS01" in command and "<" not in command
    for address in cms.server.cluster.ip_addresses:
        assert address in command
    assert not any("ClearLocalCMS" in (st.command or "") for st in scenario.steps)


def test_ccr_node_loss_is_not_called_lossless(plan: Plan) -> None:
    scenario = next(sc for sc in server(plan, "LON-CMS01").scenarios if sc.id == "ccr-node")
    assert scenario.loses.strip().lower() not in ("nothing", "none", "")
    text = " ".join((st.command or "") for st in scenario.steps)
    assert "Update-StorageGroupCopy" in text and "Get-StorageGroupCopyStatus" in text


def copy_example(root: Path) -> Path:
    inventory = root / "inventory"
    for path in EXAMPLE_INVENTORY.rglob("*.yml"):
        target = inventory / path.relative_to(EXAMPLE_INVENTORY)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return inventory


NO_ROOM = "By the inventory's counts no single target has room for all 3 mailbox databases"


def test_portability_says_first_when_no_target_has_room_for_all_databases(plan: Plan) -> None:
    # LON-MBX02, the only target of LON-MBX03, is Standard Edition with 4 of 5 databases in use.
    scenario = next(sc for sc in server(plan, "LON-MBX03").scenarios if sc.id == "portability")
    assert scenario.unavailable is None
    assert scenario.choose.startswith(f"{NO_ROOM} of LON-MBX03 (the most any one can take is 1)")
    capacity = next(s for s in scenario.steps if s.id == "portability-check-target-capacity")
    assert capacity.text is not None
    assert "- LON-MBX02: Standard Edition, 3 of 5 storage groups and 4 of 5 databases in use:" in (
        capacity.text
    )
    assert "room for 1 more database, not enough for all 3" in capacity.text
    assert f"{NO_ROOM} of LON-MBX03: spread them over several targets" in capacity.text
    assert capacity.source == "http://technet.microsoft.com/en-us/library/bb232170(v=exchg.80).aspx"


def test_portability_gives_no_warning_when_a_target_has_room(tmp_path: Path) -> None:
    inventory = copy_example(tmp_path)
    london = inventory / "servers" / "london.yml"
    text = london.read_text(encoding="utf-8")
    start = text.index("  - name: LON-MBX02")
    at = text.index("    edition: Standard", start)
    london.write_text(text[:at] + "    edition: Enterprise" + text[at + 21 :], encoding="utf-8")
    changed = build_plan(inventory, None, AS_OF)
    scenario = next(sc for sc in server(changed, "LON-MBX03").scenarios if sc.id == "portability")
    assert "no single target" not in scenario.choose
    assert scenario.choose.startswith("LON-MBX03 stays down for long")
    capacity = next(s for s in scenario.steps if s.id == "portability-check-target-capacity")
    assert capacity.text is not None
    assert "room for 46 more databases, enough for all 3" in capacity.text
    assert "no single target" not in capacity.text


def test_a_single_part_estimate_says_what_it_is(plan: Plan) -> None:
    page = render_pages(plan).pages["servers/lon-mbx03.md"]
    assert re.search(r"\(#scenario-portability\) \| about \d+ hours \(restore time\) \|", page)
    assert "**Time:** about 10 hours (restore time)." in page
    assert "(#scenario-rebuild-keep-data) | about 6 hours (rebuild time) |" in page
    assert (
        "(#scenario-rebuild-restore) | about 16 hours (rebuild 6 hours + restore 10 hours) |"
        in (page)
    )


def test_attaching_the_surviving_disks_names_every_database_log_and_system_path(
    plan: Plan,
) -> None:
    checked = 0
    for name, scenario in every_scenario(plan):
        step = next((s for s in scenario.steps if s.id == "present-data-volumes"), None)
        if step is None:
            continue
        assert step.text is not None
        for group in server(plan, name).server.storage_groups:
            paths = [group.log_path, group.system_path, *(d.edb_path for d in group.databases)]
            for path in paths:
                assert path and inline(path) in step.text, (name, path)
                checked += 1
    assert checked > 20
    lon = next(sc for sc in server(plan, "LON-MBX02").scenarios if sc.id == "rebuild-keep-data")
    text = next(s.text for s in lon.steps if s.id == "present-data-volumes") or ""
    assert (
        "- Third Storage Group: database file "
        + inline("F:\\Third Storage Group\\Journal Mailboxes.edb")
        + "; logs "
        + inline("L:\\Third Storage Group")
        + "; system files "
        + inline("L:\\Third Storage Group")
    ) in text


def test_estimates_add_rebuild_and_restore(plan: Plan) -> None:
    mbx = server(plan, "LON-MBX03")
    scenario = next(sc for sc in mbx.scenarios if sc.id == "rebuild-restore")
    parts = dict(scenario.time_parts)
    assert parts["rebuild"] and parts["restore"] == pytest.approx(mbx.restore_hours)
    assert scenario.hours == pytest.approx(parts["rebuild"] + parts["restore"])


def test_rebuild_times_in_the_settings_change_the_estimate(tmp_path: Path) -> None:
    base = build_plan(EXAMPLE_INVENTORY, None, AS_OF)
    inventory = copy_example(tmp_path)
    org = inventory / "organization.yml"
    text = org.read_text(encoding="utf-8")
    assert "{role: edge-transport, time: 3h}" in text
    org.write_text(text.replace("edge-transport, time: 3h", "edge-transport, time: 11h"))
    changed = build_plan(inventory, None, AS_OF)
    before = next(sc for sc in server(base, "DMZ-EDGE01").scenarios if sc.id == "edge-clone")
    after = next(sc for sc in server(changed, "DMZ-EDGE01").scenarios if sc.id == "edge-clone")
    assert dict(after.time_parts)["rebuild"] == 11.0 != dict(before.time_parts)["rebuild"]


def test_edge_certificate_comes_before_the_subscription_and_software_after(plan: Plan) -> None:
    scenario = next(sc for sc in server(plan, "DMZ-EDGE01").scenarios if sc.id == "edge-clone")
    text = [f"{st.title} {st.command or ''}" for st in scenario.steps]
    cert = next(i for i, t in enumerate(text) if "Import-ExchangeCertificate" in t)
    subscribe = next(i for i, t in enumerate(text) if "New-EdgeSubscription" in t)
    assert cert < subscribe
    software = positions(scenario, "software")
    assert software and min(software) > subscribe


def test_media_kept_only_in_the_own_site_is_a_finding(plan: Plan) -> None:
    found = [f for f in plan.findings if f.code == "EXDR027"]
    assert found, "the example keeps one server's media only in its own site"
    for finding in found:
        subject = server(plan, finding.server or "")
        assert subject.server.site and subject.server.site in finding.message


def _step_owned_by_a_procedure(action: str) -> tuple[str, str, str]:
    """The step doing ``action`` in the rebuild procedure of mailbox servers."""
    catalog = load_catalog()
    procedure = catalog.procedures[catalog.roles["mailbox"].procedure or ""]
    for step in procedure.steps:
        if step.action == action:
            return procedure.id, step.id, step.for_each or ""
    raise AssertionError(f"no step of {procedure.id} does {action}")


def test_a_step_moved_to_the_wrong_place_is_a_located_problem(tmp_path: Path) -> None:
    procedure, step, loop = _step_owned_by_a_procedure("backup-agent")
    policies = write(
        tmp_path / "policies",
        {
            "late-agent.yml": f"""
            # The backup agent moved after the restores that need it.
            procedure:
              id: {procedure}
              title: Same procedure, backup agent moved late
              summary: The backup agent step of the built-in procedure, moved after the restores.
              source: https://learn.microsoft.com/example
              steps:
                - id: {step}
                  title: Reinstall the backup agent
                  source: https://learn.microsoft.com/example
                  phase: 99
                  action: backup-agent
                  {"for_each: " + loop if loop else ""}
            """
        },
    )
    with pytest.raises(InvalidInput) as caught:
        build_plan(EXAMPLE_INVENTORY, policies, AS_OF)
    problems = [p for p in caught.value.problems if p.where.file.endswith("late-agent.yml")]
    assert problems, [str(p) for p in caught.value.problems]
    first = problems[0]
    assert first.where.line == 8
    assert "comes after step" in first.message and "agent" in first.message, first.message
    write(
        tmp_path,
        {
            "mkdocs.yml": f"""
            site_name: Late agent
            plugins:
              - exdr:
                  inventory: {EXAMPLE_INVENTORY.as_posix()}
                  policies: policies
            """
        },
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mkdocs-exdr"), "check", "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**ENV_BUILD, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "late-agent.yml:8:" in result.stdout + result.stderr


def test_a_policy_can_add_a_scenario(tmp_path: Path) -> None:
    policies = write(
        tmp_path / "policies",
        {
            "um-prompts.yml": """
            role:
              id: unified-messaging
              scenarios:
                - id: prompts-only
                  title: Only the custom prompts were lost
                  lost: The custom prompt files of {{ server.name }}
                  choose: The server runs but its prompt files were deleted.
                  loses: Nothing, once the prompts are copied back.
                  source: http://technet.microsoft.com/en-us/library/bb124349(v=exchg.80).aspx
                  rank: 90
                  steps:
                    - id: copy-prompts
                      title: Copy the prompts back to {{ server.name }}
                      source: http://technet.microsoft.com/en-us/library/bb124349(v=exchg.80).aspx
            """
        },
    )
    plan = build_plan(EXAMPLE_INVENTORY, policies, AS_OF)
    um = server(plan, "LON-UM01")
    added = next(sc for sc in um.scenarios if sc.id == "prompts-only")
    assert added.lost == "The custom prompt files of LON-UM01"
    assert [st.title for st in added.steps] == ["Copy the prompts back to LON-UM01"]
    assert "rebuild" in [sc.id for sc in um.scenarios], "built-in scenarios stay"


def test_page_opens_with_what_was_lost_and_anchors_each_scenario(plan: Plan) -> None:
    pages = render_pages(plan).pages
    page = pages["servers/lon-mbx03.md"]
    assert page.index("## What was lost?") < page.index("## At a glance")
    for scenario in server(plan, "LON-MBX03").scenarios:
        assert f"](#scenario-{scenario.id})" in page
        assert f"{{ #scenario-{scenario.id} }}" in page
    dial = page[page.index("{ #scenario-dial-tone }") :]
    dial = dial[: dial.index("{ #scenario-", 1)] if "{ #scenario-" in dial[1:] else dial
    assert "AllowFileRestore $true" not in dial, "no overwrite of the dial tone database"


def test_plan_json_lists_scenarios_with_steps_rules_and_estimates(plan: Plan) -> None:
    data = json.loads(render_pages(plan).pages["plan.json"])
    mbx = next(s for s in data["servers"] if s["name"] == "LON-MBX03")
    scenarios = {s["id"]: s for s in mbx["scenarios"]}
    restore = scenarios["rebuild-restore"]
    assert restore["steps"] and restore["rules"] and restore["hours"] > 0
    assert restore["steps"][0]["number"] == 1


def test_printout_gives_each_scenario_its_own_checklist(plan: Plan) -> None:
    pages = render_pages(plan).pages
    printed = next(text for path, text in pages.items() if path.startswith("print/site-london"))
    part = printed[printed.index(f"## {inline('LON-MBX03')}\n") :]
    part = part[: part.index('<div class="exdr-print-break">')]
    for scenario in server(plan, "LON-MBX03").scenarios:
        heading = f"### Scenario: {inline(scenario.title)}\n"
        assert heading in part
        section = part[part.index(heading) :]
        assert "#### 1. " in section
    assert "## What to back up" not in printed and "| Severity | Code |" not in printed


def test_example_server_pages_link_scenarios_in_html(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env={**ENV_BUILD, "PATH": "/usr/bin:/bin"},
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "site" / "dr" / "servers" / "lon-cms01" / "index.html").read_text()
    assert 'id="scenario-recover-cms"' in page and 'href="#scenario-ccr-node"' in page
    assert page.index('id="what-was-lost"') < page.index('id="at-a-glance"')


def test_an_unavailable_scenario_says_why_and_shows_no_steps(plan: Plan) -> None:
    cms = server(plan, "LON-CMS01")
    portability = next(sc for sc in cms.scenarios if sc.id == "portability")
    assert portability.unavailable and portability.steps, "plan.json keeps the steps"
    page = render_pages(plan).pages["servers/lon-cms01.md"]
    section = page[page.index("{ #scenario-portability }") :]
    section = section[: section.index("\n## ")]  # up to the next section of the page
    assert "Not available for this server" in section
    assert "{ .exdr-step }" not in section
