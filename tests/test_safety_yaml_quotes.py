"""A Windows path in double quotes (issue 14): YAML reads ``\\S`` as an escape sequence and
fails; the message says where and what to write instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.load.documents import load_text
from tests.conftest import SOUND_SERVER, make_project


def test_check_says_to_use_single_quotes_at_the_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = SOUND_SERVER.replace("log_path: 'E:\\SG1\\Logs'", 'log_path: "L:\\SG2\\Logs"')
    assert '"L:\\SG2\\Logs"' in inventory
    monkeypatch.chdir(make_project(tmp_path, inventory=inventory))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2, result.output
    assert (
        "inventory/servers.yml:14:19: YAML syntax: in double quotes a backslash starts an escape "
        "sequence, and this one is not one; write Windows paths in single quotes "
        "('L:\\SG2\\Logs') or without quotes"
    ) in result.stderr


def test_a_long_value_gets_a_short_example() -> None:
    _, problems = load_text('path: "' + "x\\y" * 100 + '"\n', "inventory/x.yml")
    (problem,) = problems
    assert (problem.where.line, problem.where.column) == (1, 7)
    assert "('L:\\SG2\\Logs')" in problem.message and "x\\y" not in problem.message


def test_single_quotes_and_no_quotes_read_the_path_as_written() -> None:
    found, problems = load_text("a: 'L:\\SG2\\Logs'\nb: L:\\SG2\\Logs\n", "inventory/x.yml")
    assert problems == []
    assert found[0].data == {"a": "L:\\SG2\\Logs", "b": "L:\\SG2\\Logs"}


@pytest.mark.parametrize(
    ("written", "escape"),
    [
        ('"E:\\new\\test"', "\\n"),
        ('"\\\\\\\\dist\\\\share\\tools"', "\\t"),
        ('"E:\\\\x\\rest"', "\\r"),
    ],
)
def test_an_escape_that_yaml_accepts_in_a_path_gets_the_same_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str, escape: str
) -> None:
    """``"E:\\new\\test"`` is valid YAML (a line break and a tab): check refuses the control
    character at its place and says why it is there."""
    inventory = SOUND_SERVER.replace("log_path: 'E:\\SG1\\Logs'", f"log_path: {written}")
    assert written in inventory
    monkeypatch.chdir(make_project(tmp_path, inventory=inventory))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2, result.output
    assert "inventory/servers.yml:14:19: servers[0].storage_groups[0].log_path:" in result.stderr
    assert (
        f"in double quotes YAML reads {escape} as that character: write a Windows path in single "
        "quotes ('E:\\new\\Logs') or without quotes"
    ) in result.stderr


def test_a_control_character_outside_a_path_gets_no_quoting_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = SOUND_SERVER.replace("name: EX01", 'name: "EX\\n01"')
    monkeypatch.chdir(make_project(tmp_path, inventory=inventory))
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2, result.output
    assert "names and paths are one line: remove it" in result.stderr
    assert "single quotes" not in result.stderr
