"""Plan reviews: diffs between revisions, fingerprints, reproducible builds, review records."""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.pipeline import build_plan
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, git, make_project, mkdocs, write

AS_OF = dt.date(2026, 11, 20)


def edit(repo: Path, old: str, new: str, message: str) -> None:
    path = repo / "inventory" / "servers.yml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    git(repo, "commit", "-q", "-am", message)


def run_diff(repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", *args])
    return result.exit_code, result.stdout


CASES = {
    "remove-backup-item": (
        "covers: [storage-groups, system-state]",
        "covers: [system-state]",
        1,
        [
            "### Backup coverage lost",
            "Storage groups (databases, transaction logs, checkpoint) of EX01 is no longer covered",
            "### New findings",
            "error EXDR001 EX01/storage-groups",
        ],
    ),
    "add-server": (
        "servers:\n",
        "servers:\n  - {name: EX02, site: Seattle, roles: [hub-transport], fqdn: ex02.corp.contoso.com, os: Windows Server 2003 R2 x64 SP2, exchange_version: Version 8.3 (Build 83.6), media: {windows: w, exchange: e, update_rollup: u}}\n",
        0,
        [
            "### Servers added",
            "EX02 (hub-transport) in Seattle",
            "This change does not weaken the DR plan.",
        ],
    ),
    "accept-finding": (
        "restore_tests:",
        "accept:\n      - {code: EXDR011, subject: 'site:Seattle', reason: CAS in next site, owner: Ops, expires: 2027-06-30}\n    restore_tests:",
        1,
        ["### Acceptances added", "EXDR011 for site:Seattle, until 2027-06-30"],
    ),
    "change-role": (
        "roles: [mailbox, hub-transport, client-access]",
        "roles: [mailbox, hub-transport]",
        1,
        [
            "### Roles changed",
            "EX01: mailbox, hub-transport, client-access → mailbox, hub-transport",
            "### New findings",
            "EXDR011 site:Seattle",
        ],
    ),
    "comment-only": (
        "servers:\n",
        "# Reviewed by the messaging team.\nservers:\n",
        0,
        ["No change to the DR plan."],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_diff_between_revisions(repo: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    old, new, expected_code, expected_lines = CASES[case]
    if case == "accept-finding":  # a finding to accept: no client access server in the site
        edit(
            repo,
            "roles: [mailbox, hub-transport, client-access]",
            "roles: [mailbox, hub-transport]",
            "setup",
        )
        git(repo, "tag", "setup")
    before = repo.parent / "before" / "inventory"
    shutil.copytree(repo / "inventory", before)
    edit(repo, old, new, case)
    base = "setup" if case == "accept-finding" else "HEAD~1"
    for form in (["HEAD"], [str(before), "inventory"]):  # revisions, then folders
        args = [base, *form] if form == ["HEAD"] else form
        code, out = run_diff(repo, monkeypatch, *args, "--format", "markdown")
        assert code == expected_code, out
        for line in expected_lines:
            assert line in out, f"{line!r} not in:\n{out}"
        code_json, out_json = run_diff(repo, monkeypatch, *args, "--format", "json")
        data = json.loads(out_json)
        assert code_json == expected_code and data["schema_version"] == 1
        assert data["weakened"] is (expected_code == 1)
        if case == "comment-only":
            assert data["changes"] == []
            assert data["base"]["fingerprint"] == data["head"]["fingerprint"]


def test_diff_between_folders_and_against_the_work_tree(
    repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    other = tmp_path / "other" / "inventory"
    write(
        other,
        {
            "org.yml": MINIMAL_ORG,
            "servers.yml": SOUND_SERVER.replace(
                "covers: [storage-groups, system-state]", "covers: [system-state]"
            ),
        },
    )
    code, out = run_diff(repo, monkeypatch, "inventory", str(other))
    assert code == 1 and "\nBackup coverage lost:\n  ! Storage groups" in out
    code, out = run_diff(repo, monkeypatch, str(other), "inventory")
    assert code == 0 and "\nBackup coverage gained:\n  - Storage groups" in out
    (repo / "inventory" / "servers.yml").write_text(
        (repo / "inventory" / "servers.yml")
        .read_text()
        .replace("location: offsite", "location: Seattle")
    )
    code, out = run_diff(repo, monkeypatch, "HEAD")  # HEAD against the work tree
    assert code == 1 and out.startswith("DR plan: HEAD → work tree\n") and "EXDR007 EX01" in out


def test_diff_of_unknown_revision_is_invalid_input(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "no-such-branch"])
    assert result.exit_code == 2
    assert "no-such-branch: neither a folder nor a git revision" in result.stderr


def fingerprint(root: Path, files: dict[str, str]) -> str:
    write(root, files)
    return build_plan(root / "inventory", None, AS_OF).fingerprint


def test_fingerprint_ignores_formatting_and_layout_but_not_meaning(tmp_path: Path) -> None:
    base = fingerprint(
        tmp_path / "a", {"inventory/org.yml": MINIMAL_ORG, "inventory/servers.yml": SOUND_SERVER}
    )
    reformatted = SOUND_SERVER.replace(
        "    roles: [mailbox, hub-transport, client-access]\n",
        "    roles:\n      - mailbox\n      - hub-transport\n      - client-access\n",
    )
    reformatted = "# a comment\n" + reformatted.replace("frequency: daily", "frequency: 1d")
    moved_org, moved_sites = MINIMAL_ORG.split("reviews:")
    layout = {
        "inventory/a/org.yml": moved_org,
        "inventory/b/reviews-and-sites.yaml": "reviews:" + moved_sites,
        "inventory/servers/ex01.yml": reformatted,
    }
    assert fingerprint(tmp_path / "b", layout) == base
    changed = fingerprint(
        tmp_path / "c",
        {
            "inventory/org.yml": MINIMAL_ORG,
            "inventory/servers.yml": SOUND_SERVER.replace("size_gb: 50", "size_gb: 51"),
        },
    )
    assert changed != base
    reviewed = fingerprint(
        tmp_path / "d",
        {
            "inventory/org.yml": MINIMAL_ORG,
            "inventory/servers.yml": SOUND_SERVER,
            "inventory/more-reviews.yml": "reviews: [{date: 2026-11-19, reviewer: Someone}]\n",
        },
    )
    assert reviewed == base, "recording a review does not change what was reviewed"


def test_overdue_review_is_a_finding(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "inventory/org.yml": MINIMAL_ORG.replace("2026-11-01", "2025-01-01"),
            "inventory/servers.yml": SOUND_SERVER,
        },
    )
    plan = build_plan(tmp_path / "inventory", None, AS_OF)
    finding = next(f for f in plan.findings if f.code == "EXDR026")
    assert "2025-01-01" in finding.message and finding.severity == "warning"
    assert plan.next_review_due == dt.date(2025, 7, 2)


def test_home_page_shows_fingerprint_and_review(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = mkdocs(project, "-q")
    assert result.returncode == 0, result.stderr
    home = (project / "site" / "dr" / "index.html").read_text()
    plan = json.loads((project / "site" / "dr" / "plan.json").read_text())
    assert f"<code>{plan['fingerprint']}</code>" in home
    assert "Last review: 2026-11-01 by Ops lead" in home and "Next review due" in home


def test_two_builds_are_byte_identical_whatever_the_hash_seed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    sites = []
    for seed in ("1", "2"):
        out = tmp_path / f"site-{seed}"
        env = {
            **os.environ,
            "NO_MKDOCS_2_WARNING": "1",
            "PYTHONHASHSEED": seed,
            "SOURCE_DATE_EPOCH": "1763596800",
        }
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
            cwd=project,
            env=env,
            check=True,
        )
        sites.append(out)
    comparison = filecmp.dircmp(sites[0], sites[1])
    differing: list[str] = []

    def walk(c: filecmp.dircmp[str], prefix: str = "") -> None:
        _, mismatch, errors = filecmp.cmpfiles(c.left, c.right, c.common_files, shallow=False)
        differing.extend(prefix + name for name in mismatch + errors + c.left_only + c.right_only)
        for name, sub in c.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(comparison)
    assert differing == []
