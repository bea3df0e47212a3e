"""Controls, line breaks and bidirectional overrides in inventory names and paths are located
problems (exit 2); free text keeps its line breaks and tabs only."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mkdocs_exdr.cli import main as cli
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, make_project

NAMES_AND_PATHS = [
    ("org", "organization.name"),
    ("org", "sites[0].name"),
    ("servers", "servers[0].site"),
    ("servers", "servers[0].fqdn"),
    ("servers", "servers[0].storage_groups[0].name"),
    ("servers", "servers[0].storage_groups[0].log_path"),
    ("servers", "servers[0].storage_groups[0].system_path"),
    ("servers", "servers[0].storage_groups[0].databases[0].name"),
    ("servers", "servers[0].storage_groups[0].databases[0].edb_path"),
    ("servers", "servers[0].media.windows"),
    ("servers", "servers[0].install_path"),
    ("servers", "servers[0].certificates[0].pfx_location"),
    ("servers", "servers[0].customizations[0].path"),
    ("servers", "servers[0].edge_export.path"),
]
FORBIDDEN = ["\u202e", "\u202a", "\u2066", "\u2069", "\u2028", "\u2029", "\n", "\r", "\t"]
FORBIDDEN += ["\x00", "\x1b", "\x7f", "\x85", "\x9b"]
FORBIDDEN += ["\u200f", "\u061c", "\u200b", "\ufeff"]  # bidi marks, zero width, BOM
EXTRA = {
    "install_path": "D:\\Exchange",
    "certificates": [{"subject": "mail.contoso.com", "pfx_location": "\\\\fs\\mail.pfx"}],
    "customizations": [{"path": "D:\\Exchange\\owa\\logon.aspx", "description": "Theme"}],
    "edge_export": {"path": "\\\\fs\\edge\\EX01.xml"},
    "notes": "Rack B4",
}


def _documents() -> dict[str, Any]:
    servers = yaml.safe_load(SOUND_SERVER)
    servers["servers"][0].update(copy.deepcopy(EXTRA))
    return {"org": yaml.safe_load(MINIMAL_ORG), "servers": servers}


def _set(data: Any, field: str, change: Any) -> None:
    parts: list[Any] = [int(p) if p.isdigit() else p for p in re.findall(r"\w+", field)]
    for part in parts[:-1]:
        data = data[part]
    data[parts[-1]] = change(data[parts[-1]])


def _check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, documents: dict[str, Any]
) -> tuple[int, list[dict[str, Any]]]:
    project = make_project(tmp_path)
    for name, data in documents.items():
        text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False)
        (project / "inventory" / f"{name}.yml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli.main, ["check", "--format", "json"])
    problems = json.loads(result.stdout)["problems"] if result.exit_code == 2 else []
    return result.exit_code, problems


def test_the_documents_with_every_field_set_are_sound(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, problems = _check(tmp_path, monkeypatch, _documents())
    assert code in (0, 1) and problems == []


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize(("file", "field"), NAMES_AND_PATHS)
def test_a_forbidden_character_in_a_name_or_path_is_a_located_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, file: str, field: str, char: str
) -> None:
    documents = _documents()
    _set(documents[file], field, lambda value: f"{value[:2]}{char}{value[2:]}")
    code, problems = _check(tmp_path, monkeypatch, documents)
    assert code == 2
    (problem,) = [p for p in problems if p["field"] == field]
    assert problem["file"].endswith(f"{file}.yml") and problem["line"] and problem["column"]
    assert f"not allowed (U+{ord(char):04X})" in problem["message"]


@pytest.mark.parametrize("field", ["servers[0].notes", "servers[0].customizations[0].description"])
def test_free_text_keeps_line_breaks_and_tabs_but_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str
) -> None:
    documents = _documents()
    _set(documents["servers"], field, lambda value: f"{value}\nSecond line\twith a tab")
    code, problems = _check(tmp_path, monkeypatch, documents)
    assert code in (0, 1) and problems == []
    _set(documents["servers"], field, lambda value: f"{value}\u202e")
    code, problems = _check(tmp_path, monkeypatch, documents)
    assert code == 2
    assert [p["field"] for p in problems] == [field]
    assert "not allowed (U+202E)" in problems[0]["message"]
