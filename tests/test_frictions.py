"""The small frictions a new user met (issue 14), each fixed and kept fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from tests.conftest import SOUND_SERVER, html, log_lines, make_project, mkdocs


@pytest.mark.parametrize(
    "nav",
    [
        "nav:\n  - Home: index.md\n",  # the plugin appends the DR section
        "nav:\n  - Home: index.md\n  - Disaster recovery: dr/index.md\n",  # the user lists one
    ],
)
def test_an_explicit_nav_logs_nothing_about_the_dr_pages(tmp_path: Path, nav: str) -> None:
    project = make_project(
        tmp_path,
        mkdocs="site_name: Test DR\ntheme: {name: mkdocs}\n"
        + nav
        + 'plugins:\n  - exdr:\n      as_of: "2026-11-20"\n',
    )
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    assert "not included in the" not in result.stderr, log_lines(result, "INFO")
    assert "dr/findings.md" not in result.stderr
    home = html(project, "index.html")
    assert 'href="dr/"' in home
    assert "servers/ex01" not in home


def test_without_a_nav_the_dr_section_still_appears(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        mkdocs='site_name: Test DR\ntheme: {name: mkdocs}\nplugins:\n  - exdr:\n      as_of: "2026-11-20"\n',
    )
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    home = html(project, "index.html")
    assert "Disaster recovery" in home and 'href="dr/recovery-order/"' in home


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("cas", "client-access"),
        ("edge", "edge-transport"),
        ("um", "unified-messaging"),
        ("hub", "hub-transport"),
        ("mbx", "mailbox"),
        ("ht", "hub-transport"),
        ("et", "edge-transport"),
        ("mb", "mailbox"),
        ("pf", "public-folder"),
        ("CAS", "client-access"),
    ],
)
def test_a_short_role_name_gets_the_role_id_suggested(
    tmp_path: Path, runner: CliRunner, written: str, meant: str
) -> None:
    inventory = SOUND_SERVER.replace(
        "roles: [mailbox, hub-transport, client-access]", f"roles: [mailbox, {written}]"
    )
    project = make_project(tmp_path, inventory=inventory)
    result = runner.invoke(main, ["check", "-f", str(project / "mkdocs.yml")])
    assert result.exit_code == 2, result.output
    assert (
        f"inventory/servers.yml:5:22: servers[0].roles[1]: unknown role '{written}'; expected one "
        f"of client-access, edge-transport, hub-transport, mailbox, public-folder, "
        f"unified-messaging; did you mean '{meant}'?"
    ) in result.output


def test_a_short_backup_item_gets_the_item_id_suggested(tmp_path: Path, runner: CliRunner) -> None:
    inventory = SOUND_SERVER.replace("covers: [storage-groups,", "covers: [sg,")
    project = make_project(tmp_path, inventory=inventory)
    result = runner.invoke(main, ["check", "-f", str(project / "mkdocs.yml")])
    assert result.exit_code == 2, result.output
    assert "unknown backup item 'sg'" in result.output
    assert "did you mean 'storage-groups'?" in result.output


def test_a_letter_or_an_ambiguous_abbreviation_gets_no_suggestion() -> None:
    from mkdocs_exdr.load.reader import suggest

    roles = ["client-access", "clustered-mailbox", "mailbox"]
    assert suggest("c", roles) == ""
    assert suggest("ca", roles) == ""  # client-access and clustered-mailbox
    assert suggest("zz", roles) == ""
    assert suggest("cm", roles) == "; did you mean 'clustered-mailbox'?"


def test_check_on_a_new_project_says_where_it_looked_and_how_to_start(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "new"
    (project / "docs").mkdir(parents=True)
    (project / "mkdocs.yml").write_text("site_name: New\nplugins:\n  - exdr\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        f"inventory: inventory folder not found (looked for {project / 'inventory'}; "
    )
    assert "'mkdocs-exdr import EXPORT...'" in first
    assert "copy the example's inventory/ folder" in first
    assert "Traceback" not in result.output
    built = mkdocs(project)  # the plugin says the same under mkdocs build
    assert built.returncode == 1
    assert f"looked for {project / 'inventory'}" in built.stderr
    assert "Traceback" not in built.stderr
