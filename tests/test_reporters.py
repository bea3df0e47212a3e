"""What the CLI prints: plain terminal text, escaped Markdown, JSON; every kind of diff change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.cli.reporters import REPORTERS, DiffResult, MarkdownReporter, TextReporter, plain
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.review.diff import SECTIONS, diff_plans
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, make_project, write

AS_OF = dt.date(2026, 11, 20)
EX02 = (
    "  - {name: EX02, site: Seattle, roles: [hub-transport], fqdn: ex02.corp.contoso.com, "
    "os: Windows Server 2003 R2 x64 SP2, exchange_version: Version 8.3 (Build 83.6), "
    "media: {windows: w, exchange: e, update_rollup: u}}\n"
)
ACCEPT = "    accept:\n      - {code: EXDR007, reason: vault, owner: IT, expires: 2027-06-30}\n"
PLAIN = "SG-1 (databases)"  # a storage group name as an inventory may hold it
HOSTILE = "SG-1\x1b[2J\r\u202egpj.exe (databases)"  # check refuses it; reporters must cope
SHOWN = "SG-1\\x1b[2J\\x0d\\u202egpj.exe (databases)"
NEVER_TESTED = (
    f"warning EXDR002 EX01/{SHOWN}: storage group {SHOWN} has never been restore-tested; "
    "restore it to a recovery storage group and record the test."
)


def servers(*edits: tuple[str, str], base: str = SOUND_SERVER + EX02) -> str:
    for old, new in edits:
        assert old in base
        base = base.replace(old, new, 1)
    return base


def accepted(accept: str = ACCEPT) -> str:
    return servers(LOCAL, ("    restore_tests:", accept + "    restore_tests:"))


SOUND = SOUND_SERVER + EX02
LOCAL = ("location: offsite", "location: Seattle")  # EXDR007: every backup copy in one site
WEAK = servers(LOCAL)
UNCOVERED = servers(("covers: [storage-groups, system-state]", "covers: [system-state]"))
EX007 = (
    "EXDR007 EX01: every backup copy of EX01 is kept in site Seattle; losing the site loses the "
    "backups too. Keep a copy offsite or in another site."
)
SG = "Storage groups (databases, transaction logs, checkpoint) of EX01"
WITH_CAS = servers(("roles: [hub-transport]", "roles: [hub-transport, client-access]"))
OBJECTIVES = MINIMAL_ORG.replace("rpo: 1d", "rpo: 2d").replace(
    "  - name: Seattle", "  - name: Seattle\n    rto: 8h"
)

# kind: (base servers, head servers, head org, expected (weakens, text) of that kind)
CASES: dict[str, tuple[str, str, str, list[tuple[bool, str]]]] = {
    "finding-added": (SOUND, WEAK, MINIMAL_ORG, [(True, f"warning {EX007}")]),
    "finding-worse": (
        WEAK,
        WEAK,
        MINIMAL_ORG,
        [(True, EX007.replace(": ", ": warning → error: ", 1))],
    ),
    "finding-better": (WEAK, WEAK, MINIMAL_ORG, [(False, "EXDR007 EX01: warning → info")]),
    "finding-resolved": (WEAK, SOUND, MINIMAL_ORG, [(False, f"warning {EX007}")]),
    "coverage-lost": (
        SOUND,
        UNCOVERED,
        MINIMAL_ORG,
        [(True, f"{SG} is no longer covered by any backup job (required)")],
    ),
    "coverage-gained": (UNCOVERED, SOUND, MINIMAL_ORG, [(False, f"{SG} is now covered")]),
    "acceptance-added": (
        WEAK,
        accepted(),
        MINIMAL_ORG,
        [(True, "EXDR007 for EX01, until 2027-06-30, owner IT: vault")],
    ),
    "acceptance-changed": (
        accepted(),
        accepted(ACCEPT.replace("owner: IT", "owner: Ops")),
        MINIMAL_ORG,
        [
            (
                False,
                "EXDR007 for EX01, until 2027-06-30, owner Ops: vault (was until 2027-06-30, owner IT)",
            )
        ],
    ),
    "acceptance-expiring": (
        accepted(),
        accepted(ACCEPT.replace("2027-06-30", "2026-12-01")),
        MINIMAL_ORG,
        [(False, "EXDR007 for EX01 expires on 2026-12-01")],
    ),
    "acceptance-removed": (
        accepted(),
        WEAK,
        MINIMAL_ORG,
        [(False, "EXDR007 for EX01 is no longer accepted")],
    ),
    "server-removed": (
        SOUND,
        SOUND_SERVER,
        MINIMAL_ORG,
        [(False, "EX02 (hub-transport) is gone from the inventory")],
    ),
    "server-decommissioned": (
        SOUND,
        servers(("{name: EX02,", "{name: EX02, status: decommissioned,")),
        MINIMAL_ORG,
        [(False, "EX02 is now decommissioned")],
    ),
    "server-added": (
        SOUND_SERVER,
        SOUND,
        MINIMAL_ORG,
        [(False, "EX02 (hub-transport) in Seattle")],
    ),
    "roles-changed": (
        SOUND,
        WITH_CAS,
        MINIMAL_ORG,
        [(False, "EX02: hub-transport → hub-transport, client-access")],
    ),
    "objective-changed": (
        SOUND,
        SOUND,
        OBJECTIVES,
        [(False, "RPO of organization: 1d → 2d"), (False, "RTO of site Seattle: not set → 8h")],
    ),
    "order-changed": (SOUND, WITH_CAS, MINIMAL_ORG, [(False, "EX02 wave 2 → 3")]),
}


def plan_of(root: Path, servers_yml: str, org: str = MINIMAL_ORG) -> Plan:
    write(root, {"inventory/org.yml": org, "inventory/servers.yml": servers_yml})
    return build_plan(root / "inventory", None, AS_OF)


def with_severity(plan: Plan, code: str, severity: str) -> Plan:
    """``plan`` as if ``code`` had ``severity`` (only policy or package changes do that)."""
    findings = tuple(
        dataclasses.replace(f, severity=severity) if f.code == code else f for f in plan.findings
    )
    return dataclasses.replace(plan, findings=findings)


def test_every_kind_of_change_has_a_case() -> None:
    assert sorted(CASES) == sorted(kind for kind, _ in SECTIONS)


@pytest.mark.parametrize("kind", [kind for kind, _ in SECTIONS])
def test_each_kind_of_change(tmp_path: Path, kind: str) -> None:
    base_yml, head_yml, head_org, expected = CASES[kind]
    base = plan_of(tmp_path / "base", base_yml)
    head = plan_of(tmp_path / "head", head_yml, head_org)
    if kind in ("finding-worse", "finding-better"):
        head = with_severity(head, "EXDR007", "error" if kind == "finding-worse" else "info")
    diff = diff_plans(base, head, "warning")
    assert [(c.weakens, c.text) for c in diff.changes if c.kind == kind] == expected
    title = dict(SECTIONS)[kind]
    text = TextReporter().diff(DiffResult(diff, "base", "head"))
    block = "\n".join([f"{title}:", *(f"  {'!' if w else '-'} {t}" for w, t in expected)])
    assert f"\n\n{block}\n" in text + "\n"
    markdown = MarkdownReporter().diff(DiffResult(diff, "base", "head"))
    assert f"\n### {title}\n\n- " in markdown


def _with_hostile_names(plan: Plan) -> Plan:
    """The plan with ``PLAIN`` replaced by ``HOSTILE`` in its findings: validation refuses such
    names, so they are put in after it, to test the reporters on their own."""
    findings = tuple(
        dataclasses.replace(
            f,
            subject=f.subject.replace(PLAIN, HOSTILE),
            message=f.message.replace(PLAIN, HOSTILE),
        )
        for f in plan.findings
    )
    return dataclasses.replace(plan, findings=findings)


def test_text_shows_names_as_written_and_controls_as_escapes(tmp_path: Path) -> None:
    base = plan_of(tmp_path / "base", SOUND_SERVER)
    plain = SOUND_SERVER.replace("- name: First Storage Group", f"- name: {json.dumps(PLAIN)}")
    head = _with_hostile_names(plan_of(tmp_path / "head", plain))
    result = DiffResult(diff_plans(base, head), "main", "my-branch")
    text = TextReporter().diff(result)
    assert text.splitlines()[0] == "DR plan: main → my-branch"
    assert text.endswith(f"New findings:\n  ! {NEVER_TESTED}")
    assert "\x1b" not in text and "\r" not in text and "\u202e" not in text
    markdown = MarkdownReporter().diff(result)
    assert markdown.splitlines()[0] == "## DR plan: main → my-branch"
    assert "EX01/SG-1" in markdown and "(databases)" in markdown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("FRA-MBX01 (databases)", "FRA-MBX01 (databases)"),
        ("E:\\SG1\\Logs", "E:\\SG1\\Logs"),
        ("red\x1b[31m", "red\\x1b[31m"),
        ("over\rwrite", "over\\x0dwrite"),
        ("two\nlines\ttab", "two\\x0alines\\x09tab"),
        ("bidi \u202a\u202b\u202c\u202d\u202e", "bidi \\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("isolates \u2066\u2067\u2068\u2069", "isolates \\u2066\\u2067\\u2068\\u2069"),
        ("c1 \x9b and del \x7f", "c1 \\x9b and del \\x7f"),
        ("Zürich — ok", "Zürich — ok"),
    ],
)
def test_plain(value: str, shown: str) -> None:
    assert plain(value) == shown


def test_check_text_is_plain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = SOUND_SERVER.replace("- name: First Storage Group", f"- name: {json.dumps(PLAIN)}")
    monkeypatch.chdir(make_project(tmp_path, inventory=plain))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    shown = NEVER_TESTED.replace(SHOWN, PLAIN)
    assert f"\nEX01\n  {shown}  [inventory/servers.yml:2:5]\n" in result.stdout


def test_check_refuses_control_characters_and_prints_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile = SOUND_SERVER.replace("- name: First Storage Group", f"- name: {json.dumps(HOSTILE)}")
    monkeypatch.chdir(make_project(tmp_path, inventory=hostile))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2
    output = result.stdout + result.stderr
    assert "inventory/servers.yml:" in output and "U+" in output
    assert "\x1b" not in output and "\r" not in output and "\u202e" not in output


def test_diff_command_prints_text_markdown_or_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path / "p")
    write(tmp_path / "b", {"inventory/org.yml": MINIMAL_ORG, "inventory/servers.yml": SOUND})
    monkeypatch.chdir(root)
    args = ["diff", "inventory", str(tmp_path / "b" / "inventory")]
    outputs = {}
    for name in REPORTERS:
        result = CliRunner().invoke(main, [*args, "--format", name])
        assert result.exit_code == 0, result.output
        outputs[name] = result.stdout
    assert CliRunner().invoke(main, args).stdout == outputs["text"]  # the default
    assert outputs["text"].endswith("Servers added:\n  - EX02 (hub-transport) in Seattle\n")
    assert outputs["markdown"].endswith("### Servers added\n\n- EX02 (hub-transport) in Seattle\n")
    data = json.loads(outputs["json"])
    assert data["changes"] == [
        {
            "kind": "server-added",
            "subject": "EX02",
            "text": "EX02 (hub-transport) in Seattle",
            "weakens": False,
            "before": None,
            "after": None,
        }
    ]
    assert outputs["json"].endswith("}\n")  # one final newline
