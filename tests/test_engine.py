"""The plan engine on small inventories: runbooks, coverage, findings, acceptances, orders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan, RenderedStep, ServerPlan
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, write

AS_OF = dt.date(2026, 11, 20)


def plan_of(
    tmp_path: Path, servers: str, *, policies: dict[str, str] | None = None, org: str = MINIMAL_ORG
) -> Plan:
    write(tmp_path, {"inventory/org.yml": org, "inventory/servers.yml": servers})
    if policies:
        write(tmp_path, {f"policies/{k}": v for k, v in policies.items()})
    return build_plan(
        tmp_path / "inventory", tmp_path / "policies", AS_OF, shown_inventory="inventory"
    )


def server(plan: Plan, name: str) -> ServerPlan:
    return next(s for s in plan.servers if s.server.name == name)


def keys(plan: Plan) -> list[str]:
    return sorted(f.key for f in plan.findings if f.severity != "info")


def steps(plan: ServerPlan, scenario: str | None = None) -> list[RenderedStep]:
    """The steps of one scenario (default: the first), numbered as on the page."""
    chosen = next(s for s in plan.scenarios if scenario in (None, s.id))
    return list(chosen.steps)


def commands(plan: ServerPlan, scenario: str | None = None) -> list[str]:
    return [s.command for s in steps(plan, scenario) if s.command]


def test_three_role_server_runs_recoverserver_once(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SOUND_SERVER)
    ex01 = server(plan, "EX01")
    assert [p.id for p in ex01.policies] == ["mailbox", "hub-transport", "client-access"]
    assert ex01.procedure is not None and ex01.procedure.id == "recover-server"
    for scenario in ex01.scenarios:
        runs = [s.command for s in scenario.steps if "/m:RecoverServer" in (s.command or "")]
        assert len(runs) == (1 if scenario.rebuilds else 0), scenario.id
        assert all("/TargetDir" not in run for run in runs)
        phases = [s.phase for s in scenario.steps]
        assert phases == sorted(phases)
        assert [s.number for s in scenario.steps] == list(range(1, len(scenario.steps) + 1))
    assert any("E00" in c for c in commands(ex01, "rebuild-keep-data")), (
        "eseutil uses the storage group's log prefix"
    )
    assert keys(plan) == []


def test_non_default_install_path_gets_targetdir_with_a_caveat(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path,
        SOUND_SERVER.replace(
            "edition: Standard", "edition: Standard\n    install_path: 'D:\\Exchange'"
        ),
    )
    run = next(s for s in steps(server(plan, "EX01")) if "/m:RecoverServer" in (s.command or ""))
    assert '/TargetDir:"D:\\Exchange"' in run.command
    assert run.unverified and "TargetDir" in run.unverified


def test_uncovered_required_item_and_restore_tests(tmp_path: Path) -> None:
    weak = SOUND_SERVER.replace(
        "covers: [storage-groups, system-state]", "covers: [system-state]"
    ).replace("result: passed", "result: failed")
    plan = plan_of(tmp_path, weak)
    assert "EXDR001:EX01/storage-groups" in keys(plan)
    assert "EXDR003:EX01/First Storage Group" in keys(plan)
    data = {d.item.id: d.outcome for d in server(plan, "EX01").data}
    assert "lost" in data.values()


def test_old_and_missing_restore_tests(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SOUND_SERVER.replace("date: 2026-11-01", "date: 2026-01-01"))
    assert "EXDR004:EX01/First Storage Group" in keys(plan)
    plan = plan_of(
        tmp_path,
        SOUND_SERVER.replace(
            "    restore_tests:\n      - {date: 2026-11-01, scope: First Storage Group, result: passed, by: Ops}\n",
            "",
        ),
    )
    assert "EXDR002:EX01/First Storage Group" in keys(plan)


def test_rpo_rto_and_backup_site(tmp_path: Path) -> None:
    slow = (
        SOUND_SERVER.replace("frequency: daily", "frequency: weekly")
        .replace("size_gb: 50", "size_gb: 900")
        .replace("location: offsite", "location: Seattle")
    )
    assert {"EXDR005:EX01/storage-groups", "EXDR006:EX01", "EXDR007:EX01"} <= set(
        keys(plan_of(tmp_path, slow))
    )


EDGE = """
servers:
  - name: EDGE01
    roles: [edge-transport]
    edge_sync_site: Seattle
    backups: [{method: script, frequency: daily, covers: [edge-cloned-config], location: offsite}]
  - name: HUB01
    site: Seattle
    roles: [hub-transport]
"""


def test_edge_server_has_its_own_procedure_and_waits_for_hub(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, EDGE)
    edge = server(plan, "EDGE01")
    assert edge.procedure is not None and edge.procedure.id == "edge-clone"
    assert not edge.domain_member
    text = "\n".join(commands(edge))
    assert "ImportEdgeConfig.ps1" in text and "/m:RecoverServer" not in text
    assert "New-EdgeSubscription" in text
    order = plan.orders[0]
    assert order.wave_of("EDGE01") == 1
    assert order.wave_of("HUB01") == 2
    waits = [
        n for n, wave in enumerate(order.waves, 1) for e in wave if e.server == "EDGE01" and e.step
    ]
    assert waits == [3]


def test_edge_findings(tmp_path: Path) -> None:
    plan = plan_of(
        tmp_path,
        EDGE.replace("edge_sync_site: Seattle", "edge_sync_site: Seatle").replace(
            "covers: [edge-cloned-config]", "covers: []"
        ),
    )
    found = {f.key: f for f in plan.findings}
    assert "EXDR001:EDGE01/edge-cloned-config" in found
    assert "did you mean 'Seattle'?" in found["EXDR009:EDGE01"].message
    plan = plan_of(
        tmp_path,
        EDGE.replace("    edge_sync_site: Seattle\n", "").replace(
            "roles: [edge-transport]", "roles: [edge-transport, mailbox]\n    domain_member: true"
        ),
    )
    assert {"EXDR008:EDGE01", "EXDR016:EDGE01/edge-transport/alone"} <= set(keys(plan))


CCR = """
servers:
  - name: CMS01
    site: Seattle
    roles: [mailbox, hub-transport]
    edition: Standard
    cluster: {type: ccr, nodes: [N1, N2]}
"""


def test_clustered_mailbox_server_uses_recovercms(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, CCR)
    cms = server(plan, "CMS01")
    assert cms.procedure is not None and cms.procedure.id == "recover-cms"
    assert [s.id for s in cms.scenarios][:2] == ["ccr-node", "recover-cms"]
    assert any("/RecoverCMS" in c for c in commands(cms, "recover-cms"))
    every = [c for sc in cms.scenarios for c in (s.command or "" for s in sc.steps)]
    assert not any("/m:RecoverServer" in c for c in every)
    subjects = {f.subject for f in plan.findings if f.code == "EXDR016"}
    assert subjects == {"CMS01/clustered-mailbox/only-roles", "CMS01/clustered-mailbox/edition"}


def test_public_folder_without_mailbox_and_site_roles(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, "servers:\n  - {name: PF01, site: Seattle, roles: [public-folder]}\n")
    assert "EXDR016:PF01/public-folder/requires-role" in keys(plan)
    plan = plan_of(tmp_path, "servers:\n  - {name: MB01, site: Seattle, roles: [mailbox]}\n")
    assert {"EXDR010:site:Seattle", "EXDR011:site:Seattle"} <= set(keys(plan))


def test_undeclared_site_suggests_the_nearest(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SOUND_SERVER.replace("site: Seattle", "site: Seatle"))
    finding = next(f for f in plan.findings if f.code == "EXDR015")
    assert "did you mean 'Seattle'?" in finding.message


def test_windows_server_backup_before_sp2(tmp_path: Path) -> None:
    wsb = (
        SOUND_SERVER.replace("Windows Server 2003 R2 x64 SP2", "Windows Server 2008 x64 SP2")
        .replace("Version 8.3 (Build 83.6)", "Version 8.1 (Build 240.6)")
        .replace("'NTBackup, Exchange-aware full'", "Windows Server Backup")
    )
    assert "EXDR017:EX01" in keys(plan_of(tmp_path, wsb))


def test_certificates_and_contacts(tmp_path: Path) -> None:
    certs = (
        SOUND_SERVER
        + "    certificates:\n      - {subject: old.contoso.com, expires: 2026-10-01}\n      - {subject: soon.contoso.com, expires: 2026-12-01}\n"
    )
    found = keys(plan_of(tmp_path, certs))
    assert "EXDR012:EX01/old.contoso.com" in found and "EXDR013:EX01/soon.contoso.com" in found
    lonely = MINIMAL_ORG.replace('  contacts: [{name: On-call, phone: "555-0100"}]\n', "")
    assert "EXDR014:EX01" in keys(plan_of(tmp_path, SOUND_SERVER, org=lonely))


def test_acceptance_valid_expired_incomplete_and_unmatched(tmp_path: Path) -> None:
    base = SOUND_SERVER.replace("location: offsite", "location: Seattle")
    accepted = plan_of(
        tmp_path,
        base
        + "    accept:\n      - {code: EXDR007, reason: vault, owner: IT, expires: 2027-01-01}\n",
    )
    finding = next(f for f in accepted.findings if f.code == "EXDR007")
    assert finding.accepted is not None and accepted.counted("warning") == []
    expired = plan_of(
        tmp_path,
        base
        + "    accept:\n      - {code: EXDR007, reason: vault, owner: IT, expires: 2026-01-01}\n",
    )
    assert {"EXDR007:EX01", "EXDR019:EXDR007:EX01"} <= {f.key for f in expired.counted("warning")}
    incomplete = plan_of(
        tmp_path,
        base
        + "    accept:\n      - {code: EXDR007}\n      - {code: EXDR012, subject: EX01/x, reason: r, owner: o, expires: 2027-01-01}\n",
    )
    assert {"EXDR020:EXDR007:EX01", "EXDR025:EXDR012:EX01/x"} <= {
        f.key for f in incomplete.findings
    }


OVERRIDE = """
role:
  id: hub-transport
  backup_items:
    - id: queue-database
      title: Queue database (kept for forensics here)
      level: required
      why: Our compliance team wants the queue.
      source: https://example.org/our-policy
  remove: [transport-logs, transport-log-files]
"""
NEW_ROLE = """
role:
  id: blackberry
  title: BlackBerry Enterprise Server
  procedure: recover-server
  depends_on:
    - {role: mailbox, scope: site, why: BES reads mailboxes., source: "https://example.org/bes"}
  backup_items:
    - {id: bes-database, title: BES configuration database, level: required, why: Device activations., source: "https://example.org/bes"}
  steps:
    - {id: reinstall-bes, phase: 50, title: "Reinstall BES on {{ server.name }}", source: "https://example.org/bes"}
"""


def test_user_policies_override_by_id_and_add_a_role(tmp_path: Path) -> None:
    servers = SOUND_SERVER + "  - {name: BES01, site: Seattle, roles: [blackberry]}\n"
    plan = plan_of(tmp_path, servers, policies={"hub.yml": OVERRIDE, "bes.yml": NEW_ROLE})
    hub = plan.catalog.roles["hub-transport"]
    ids = [i.id for i in hub.backup_items]
    assert "transport-logs" not in ids and "queue-database" in ids
    assert next(i for i in hub.backup_items if i.id == "queue-database").level == "required"
    assert hub.steps, "keys the override does not name keep their built-in value"
    bes = server(plan, "BES01")
    assert "EXDR001:BES01/bes-database" in keys(plan)
    assert [s.id for s in bes.scenarios] == ["rebuild"], "the procedure's default scenario"
    assert any(s.title == "Reinstall BES on BES01" for s in steps(bes))
    assert plan.orders[0].wave_of("BES01") == 3  # after EX01 (mailbox) in wave 2


def test_site_and_organisation_recovery_orders(tmp_path: Path) -> None:
    servers = """
servers:
  - {name: MB1, site: Seattle, roles: [mailbox]}
  - {name: HUB1, site: Seattle, roles: [hub-transport]}
  - {name: CAS1, site: Seattle, roles: [client-access]}
  - {name: UM1, site: Seattle, roles: [unified-messaging]}
  - {name: MB2, site: Boston, roles: [mailbox, hub-transport, client-access]}
"""
    org = MINIMAL_ORG + "  - name: Boston\n"
    plan = plan_of(tmp_path, servers, org=org)
    whole = plan.orders[0]
    assert [whole.wave_of(n) for n in ("MB1", "HUB1", "CAS1", "UM1", "MB2")] == [2, 2, 3, 3, 2]
    boston = next(o for o in plan.orders if o.scope == "Boston")
    assert [e.server for w in boston.waves for e in w] == [None, "MB2"]


@pytest.mark.parametrize(
    "role",
    [
        "mailbox",
        "public-folder",
        "hub-transport",
        "client-access",
        "unified-messaging",
        "edge-transport",
    ],
)
def test_every_role_renders_a_runbook_without_unknown_template_names(
    tmp_path: Path, role: str
) -> None:
    roles = "[mailbox, public-folder]" if role == "public-folder" else f"[{role}]"
    if role == "edge-transport":
        roles += "\n    edge_sync_site: Seattle"
    plan = plan_of(
        tmp_path,
        SOUND_SERVER.replace("roles: [mailbox, hub-transport, client-access]", f"roles: {roles}"),
    )
    ex01 = server(plan, "EX01")
    assert ex01.scenarios
    every = [st for sc in ex01.scenarios for st in sc.steps] + list(ex01.verification)
    assert every and all(s.title and s.source.startswith("http") for s in every)
    assert not any("<UNKNOWN" in f"{s.title} {s.text} {s.command}" for s in every)


ZOO_ORG = """
organization:
  name: Zoo
  accept:
    - {code: EXDR012, subject: nothing-here, reason: r, owner: o, expires: 2027-01-01}
sites:
  - name: Seattle
    rpo: 1d
    rto: 8h
    accept:
      - {code: EXDR011}
"""
ZOO = """
servers:
  - name: MB1
    site: Seattle
    roles: [mailbox]
    os: Windows Server 2008 x64 SP2
    exchange_version: Version 8.1 (Build 240.6)
    notes: "admin password: Hunter2!"
    certificates:
      - {subject: old.example, expires: 2026-01-01}
      - {subject: soon.example, expires: 2026-12-01, kept_in: [Seattle]}
    storage_groups:
      - name: SG1
        databases: [{name: DB1, size_gb: 5000}]
      - name: SG2
        databases: [{name: DB2}]
      - name: SG3
    backups:
      - {method: Windows Server Backup, frequency: weekly, covers: [storage-groups], location: Seattle}
    restore_tests:
      - {date: 2026-11-01, scope: SG2, result: failed}
      - {date: 2025-01-01, scope: SG3, result: passed}
    accept:
      - {code: EXDR007, reason: r, owner: o, expires: 2026-01-01}
  - name: MB2
    site: Nowhere
    roles: [mailbox]
  - name: EDGE1
    roles: [edge-transport, hub-transport]
    domain_member: true
  - name: EDGE2
    roles: [edge-transport]
    edge_sync_site: Boston
  - name: PF1
    roles: [public-folder]
"""


def test_every_finding_code_can_be_raised(tmp_path: Path) -> None:
    from mkdocs_exdr.plan.findings import CODES

    plan = plan_of(tmp_path, ZOO, org=ZOO_ORG)
    raised = {f.code for f in plan.findings}
    assert raised == set(CODES), f"never raised: {sorted(set(CODES) - raised)}"
    assert all("Hunter2" not in f.message for f in plan.findings)


def test_a_dependency_waits_for_the_first_server_that_can_provide_it(tmp_path: Path) -> None:
    servers = """
servers:
  - {name: MB1, site: Seattle, roles: [mailbox]}
  - {name: MB2, site: Seattle, roles: [mailbox, unified-messaging]}
  - {name: HUB1, site: Seattle, roles: [hub-transport]}
  - {name: CAS1, site: Seattle, roles: [client-access]}
"""
    order = plan_of(tmp_path, servers).orders[0]
    assert [order.wave_of(n) for n in ("MB1", "HUB1", "MB2", "CAS1")] == [2, 2, 3, 3]
