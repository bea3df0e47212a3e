"""A hostile value of many megabytes is quoted in messages by its start and its length, never
in full: in import's notes and in check's problems (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.common.shown import shortened
from tests.conftest import SOUND_SERVER, make_project
from tests.test_import import EXPORTS, run

HOSTILE = "A" * 4_000_000  # large enough to flood, small enough to run quickly
SHORT = f"{'A' * 80}… (4,000,000 characters)"
IN_CSV = "B" * 100_000  # the csv module refuses a field over 131,072 characters
IN_CSV_SHORT = f"{'B' * 80}… (100,000 characters)"


def test_shortened_keeps_short_text_and_cuts_long_text() -> None:
    assert shortened("EX01") == "EX01"
    assert shortened("x" * 80) == "x" * 80
    assert shortened("x" * 81) == "x" * 80 + "… (81 characters)"


@pytest.mark.parametrize(
    ("field", "row"),
    [
        ("Name", '"EX2003",'),
        ("AdminDisplayVersion", '"Version 6.5 (Build 7638.2: Service Pack 2)"'),
        ("Edition", '"Standard"'),
    ],
)
def test_import_quotes_a_hostile_value_by_its_start(tmp_path: Path, field: str, row: str) -> None:
    original = (EXPORTS / "csv" / "servers.csv").read_text(encoding="utf-8")
    assert row in original
    export = tmp_path / "servers.csv"
    export.write_text(original.replace(row, row.replace(row.strip(",").strip('"'), IN_CSV), 1))
    code, out, err = run("--inventory", str(tmp_path / "inventory"), str(export))
    assert code in (0, 1), out + err
    assert IN_CSV_SHORT in err, err[:500]
    assert len(out) + len(err) < 20_000


def test_check_quotes_hostile_values_by_their_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = (
        SOUND_SERVER.replace("name: EX01", f"name: {HOSTILE}")
        .replace("roles: [mailbox,", f"roles: [{HOSTILE},")
        .replace("edition: Standard", f"edition: {HOSTILE}")
        .replace("covers: [storage-groups,", f"covers: [{HOSTILE},")
    )
    monkeypatch.chdir(make_project(tmp_path, inventory=inventory))
    for command in (["check"], ["check", "--format", "json"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output[:2000]
        assert result.output.count(SHORT) >= 3, result.output[:2000]
        assert len(result.output) < 20_000


def test_a_problem_quoting_input_in_full_is_cut() -> None:
    problem = Problem(Location("x.yml", 1, 1), "a" * 5000, f"unknown site '{HOSTILE}'")
    assert len(str(problem)) < 2_200
    assert problem.message.endswith(f"… ({len(HOSTILE) + 15:,} characters)")


def test_check_report_shortens_long_names_in_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A valid but very long site name (no site declared: EXDR015 names it) shows shortened."""
    long_site = "S" * 100_000  # under the templates' 1,000,000-character limit on one value
    inventory = SOUND_SERVER.replace("site: Seattle", f"site: {long_site}")
    monkeypatch.chdir(make_project(tmp_path, inventory=inventory))
    result = CliRunner().invoke(main, ["check", "--fail-on", "error"])
    assert result.exit_code in (0, 1), result.output[:2000]
    assert "EXDR015 EX01: site 'SSSS" in result.output
    assert "… (100,068 characters)  [inventory/servers.yml:2:5]" in result.output
    assert max(len(line) for line in result.output.splitlines()) < 1_000
