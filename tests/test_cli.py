"""The command-line tool: output, exit codes, settings precedence."""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli import main as cli
from mkdocs_exdr.cli import options
from mkdocs_exdr.pipeline import resolve_as_of
from tests.conftest import SOUND_SERVER, make_project


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, args)
    return result.exit_code, result.stdout, result.stderr


def test_check_sound_project_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_project(tmp_path))
    code, out, _ = run(["check"])
    assert code == 0, out
    assert out.splitlines()[0] == "Contoso: 1 server, as of 2026-11-20"
    assert out.splitlines()[-1].endswith("0 at or above warning")


def test_check_groups_findings_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.chdir(
        make_project(
            tmp_path, inventory=SOUND_SERVER.replace("location: offsite", "location: Seattle")
        )
    )
    code, out, _ = run(["check"])
    assert code == 1
    assert "EX01\n  warning EXDR007 EX01: every backup copy of EX01 is kept in site Seattle" in out
    code, out, _ = run(["check", "--fail-on", "error", "--format", "json"])
    data = json.loads(out)
    assert code == 0 and data["schema_version"] == 1 and data["fail_on"] == "error"
    assert [f["key"] for f in data["findings"] if f["severity"] == "warning"] == ["EXDR007:EX01"]


def test_fail_on_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    weak = SOUND_SERVER.replace("location: offsite", "location: Seattle")
    project = make_project(
        tmp_path,
        inventory=weak,
        mkdocs="""
        site_name: t
        plugins:
          - exdr:
              as_of: "2026-11-20"
              fail_on: error
        """,
    )
    monkeypatch.chdir(project)
    assert run(["check"])[0] == 0  # mkdocs.yml says error
    assert run(["check", "--fail-on", "warning"])[0] == 1  # the flag wins
    (project / "mkdocs.yml").write_text(
        "site_name: t\nplugins:\n  - exdr:\n      as_of: '2026-11-20'\n"
    )
    org = (project / "inventory" / "org.yml").read_text()
    (project / "inventory" / "org.yml").write_text(
        org.replace("  rto: 24h\n", "  rto: 24h\n  settings: {fail_on: error}\n")
    )
    assert run(["check"])[0] == 0  # the organisation's settings
    (project / "inventory" / "org.yml").write_text(org)
    assert run(["check"])[0] == 1  # the default, warning


def test_invalid_input_exits_2_with_every_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(
        tmp_path,
        inventory="""
        servers:
          - name: EX01
            roles: [mailbx]
            bakups: []
          - name: EX02
        """,
    )
    monkeypatch.chdir(project)
    code, out, err = run(["check"])
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "inventory/servers.yml:3:13: servers[0].roles[0]: unknown role 'mailbx'; expected one of "
        "client-access, edge-transport, hub-transport, mailbox, public-folder, unified-messaging; "
        "did you mean 'mailbox'?",
        "inventory/servers.yml:4:5: servers[0].bakups: unknown key 'bakups'; expected one of accept, "
        "backups, certificates, cluster, contacts, credentials, customizations, disks, domain_member, "
        "edge_export, edge_sync_site, edition, exchange_version, fqdn, install_path, media, name, "
        "notes, os, portability, restore_tests, roles, site, software, status, storage_groups, "
        "update_rollup; did you mean 'backups'?",
        "inventory/servers.yml:5:5: servers[1]: missing required key 'roles'",
        "3 problems in the input",
    ]
    code, out, _ = run(["check", "--format", "json"])
    assert code == 2 and len(json.loads(out)["problems"]) == 3


def test_internal_error_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_project(tmp_path))

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(options, "build_plan", broken)
    code, _, err = run(["check"])
    assert code == 3
    assert err.strip().splitlines() == [
        f"mkdocs-exdr: internal error: RuntimeError: boom; {options.REPORT}"
    ]
    code, _, err = run(["check", "--debug"])
    assert code == 3 and "Traceback" in err


def test_usage_error_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["check", "-f", "missing.yml"])[0] == 2
    assert run(["check", "--fail-on", "fatal"])[0] == 2


def test_as_of_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    assert resolve_as_of("2026-05-01", "2026-06-01") == dt.date(2026, 5, 1)
    assert resolve_as_of(None, "2026-06-01") == dt.date(2026, 6, 1)
    assert resolve_as_of(None, None) == dt.date(2026, 1, 1)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert resolve_as_of(None, None) == dt.date.today()


def test_plan_json_is_versioned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_project(tmp_path))
    code, out, _ = run(["plan", "--format", "json"])
    data = json.loads(out)
    assert code == 0 and data["schema_version"] == 1
    for scenario in data["servers"][0]["scenarios"]:
        steps = scenario["steps"]
        assert [s["number"] for s in steps] == list(range(1, len(steps) + 1))
    code, out, _ = run(["plan"])
    assert code == 0 and "Recovery order, loss of the whole organisation:" in out


def test_console_script_exit_codes(tmp_path: Path) -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "mkdocs-exdr"
    project = make_project(
        tmp_path, inventory=SOUND_SERVER.replace("location: offsite", "location: Seattle")
    )
    found = subprocess.run(
        [str(exe), "check"], cwd=project, capture_output=True, text=True, check=False
    )
    assert found.returncode == 1 and "EXDR007 EX01" in found.stdout
    bad = subprocess.run(
        [str(exe), "check", "missing-folder"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and bad.stderr.startswith(
        "missing-folder: inventory folder not found"
    )
    usage = subprocess.run(
        [str(exe), "nonsense"], cwd=project, capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2 and "No such command" in usage.stderr


def test_broken_policy_template_is_invalid_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(
        tmp_path,
        docs={
            "policies/hub.yml": """
role:
  id: hub-transport
  steps:
    - {id: broken, title: "Drain {{ server.name", source: "https://example.org/x"}
    - {id: cond, title: Fine, when: "server.name ==", source: "https://example.org/x"}
"""
        },
    )
    monkeypatch.chdir(project)
    code, _, err = run(["check"])
    assert code == 2
    assert "policies/hub.yml:4:7: role hub-transport: broken: title: template error" in err
    assert "policies/hub.yml:5:7: role hub-transport: cond: when: expression error" in err


def test_secret_in_a_second_document_names_its_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    second = "---\nservers:\n  - {name: EX02, site: Seattle, roles: [hub-transport], notes: 'admin password: Hunter2'}\n"
    monkeypatch.chdir(make_project(tmp_path, inventory=SOUND_SERVER + second))
    code, out, _ = run(["check", "--format", "json"])
    keys = [f["key"] for f in json.loads(out)["findings"]]
    assert code == 1 and "EXDR018:EX02/notes" in keys and "Hunter2" not in out


def test_garbage_collection_stays_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_project(tmp_path))
    assert gc.isenabled()
    for command in (["check"], ["plan"], ["diff", "inventory", "inventory"]):
        assert run(command)[0] == 0
        assert gc.isenabled(), command


def _module_state() -> dict[str, int]:
    """The size of every dict, list and set held at module level in the package."""
    return {
        f"{name}.{attr}": len(value)
        for name, module in list(sys.modules.items())
        if name.startswith("mkdocs_exdr")
        for attr, value in vars(module).items()
        if isinstance(value, (dict, list, set))
    }


def test_a_build_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Caches belong to one build: a second project leaves module-level state as it was."""
    monkeypatch.chdir(make_project(tmp_path / "a"))
    assert run(["check"])[0] == 0
    before = _module_state()
    other = SOUND_SERVER.replace("Version 8.3 (Build 83.6)", "Version 8.1 (Build 240.6)")
    other = other.replace("Windows Server 2003 R2 x64 SP2", "Windows Server 2008 x64")
    monkeypatch.chdir(make_project(tmp_path / "b", inventory=other))
    code, out, _ = run(["check"])
    assert code == 0, out
    after = _module_state()
    assert {k: after[k] for k in before} == before
