"""How much one inventory file may hold (issue 13): at most ``MAX_LIST_ITEMS`` servers (or
entries of any list) and ``MAX_VALUES`` values, each refused with its place, before planning
spends minutes and gigabytes on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.load import documents
from mkdocs_exdr.load.documents import MAX_VALUES, load_text
from mkdocs_exdr.load.reader import MAX_LIST_ITEMS
from tests.conftest import make_project

SERVER = "  - {{name: EX{0:05d}, site: Seattle, roles: [client-access]}}\n"


def test_a_file_of_more_servers_than_the_limit_is_refused_at_the_first_too_many(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    servers = "servers:\n" + "".join(SERVER.format(i) for i in range(MAX_LIST_ITEMS + 5))
    project = make_project(tmp_path, inventory=servers)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2, result.output
    line = MAX_LIST_ITEMS + 2  # after "servers:" and counting from one
    assert (
        f"inventory/servers.yml:{line}:5: servers[{MAX_LIST_ITEMS}]: more than "
        f"{MAX_LIST_ITEMS:,} entries in one list ({MAX_LIST_ITEMS + 5:,}); split them across files"
    ) in result.stderr
    assert result.stderr.count("\n") < 10  # one problem, not one per server


def test_the_limit_itself_is_allowed() -> None:
    servers = "servers:\n" + "".join(SERVER.format(i) for i in range(MAX_LIST_ITEMS))
    found, problems = load_text(servers, "inventory/servers.yml")
    assert problems == [] and len(found[0].data["servers"]) == MAX_LIST_ITEMS


def test_a_file_of_more_values_than_the_limit_is_refused_where_it_passes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert MAX_VALUES == 1_000_000  # about 8,000 servers described in full (README)
    monkeypatch.setattr(documents, "MAX_VALUES", 1_000)
    text = "values:\n" + "  - 1\n" * 1_000
    found, problems = load_text(text, "inventory/big.yml")
    assert found == []
    (problem,) = problems
    assert (problem.where.line, problem.where.column) == (999, 5)  # start, key, list: 3 events
    assert "more than 1,000 values in one file" in problem.message
