"""The JSON Schemas: shipped copies match the model, and they agree with the validator."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from pathlib import Path
from typing import Literal

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.common.durations import SCHEMA_PATTERN, Duration, parse_duration
from mkdocs_exdr.inventory.model import Database, InventoryFile, Server, StorageGroup
from mkdocs_exdr.load.annotations import Shape, model_classes, shape_of
from mkdocs_exdr.policies.catalog import builtin_texts
from mkdocs_exdr.validate.schema import json_ready, json_schema, schema_text
from tests.conftest import EXAMPLE_INVENTORY, REPO, make_project


@pytest.mark.parametrize("kind", ["inventory", "policy"])
def test_shipped_schema_is_generated_from_the_model(kind: str) -> None:
    shipped = (
        resources.files("mkdocs_exdr.validate") / "schemas" / f"{kind}.schema.json"
    ).read_text(encoding="utf-8")
    assert shipped == schema_text(kind), (
        "run: mkdocs-exdr schema --write mkdocs_exdr/validate/schemas"
    )
    jsonschema.Draft202012Validator.check_schema(json.loads(shipped))


def _plain(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


def test_example_inventory_and_builtin_policies_validate() -> None:
    inventory = jsonschema.Draft202012Validator(
        json_schema("inventory"), format_checker=jsonschema.FormatChecker()
    )
    for path in sorted(EXAMPLE_INVENTORY.rglob("*.yml")):
        inventory.validate(_plain(yaml.safe_load(path.read_text(encoding="utf-8"))))
    policy = jsonschema.Draft202012Validator(json_schema("policy"))
    for _, text in builtin_texts():
        policy.validate(_plain(yaml.safe_load(text)))


@pytest.mark.parametrize(
    "document",
    [
        {"servers": [{"name": "EX01", "roles": ["mailbox"], "bakups": []}]},
        {"servers": [{"name": "EX01"}]},
        {"servers": [{"name": "../../etc", "roles": ["mailbox"]}]},
        {
            "servers": [
                {"name": "EX01", "roles": ["mailbox"], "backups": [{"frequency": "sometimes"}]}
            ]
        },
        {"sites": [{"description": "no name"}]},
    ],
)
def test_schema_rejects_what_the_validator_rejects(document: dict[str, object]) -> None:
    validator = jsonschema.Draft202012Validator(json_schema("inventory"))
    assert list(validator.iter_errors(document))


def test_schema_command_prints_and_writes(tmp_path: Path) -> None:
    runner = CliRunner()
    printed = runner.invoke(main, ["schema"])
    assert (
        printed.exit_code == 0
        and json.loads(printed.output)["title"] == "mkdocs-exdr inventory file"
    )
    written = runner.invoke(main, ["schema", "--write", str(tmp_path / "schemas")])
    assert written.exit_code == 0
    assert (tmp_path / "schemas" / "policy.schema.json").read_text() == schema_text("policy")


@pytest.mark.parametrize(
    "text",
    [
        "30m",
        "4h",
        "1d",
        "2w",
        "9999999d",
        "4H",
        "hourly",
        "daily",
        "weekly",
        "0d",
        "10s",
        "1.5h",
        "h",
        "10000000m",
        "fortnightly",
        "",
    ],
)
def test_schema_duration_pattern_agrees_with_the_parser(text: str) -> None:
    try:
        parse_duration(text)
        parsed = True
    except ValueError:
        parsed = False
    assert bool(re.match(SCHEMA_PATTERN, text)) == parsed


def test_shape_of_names_every_kind_of_annotation() -> None:
    assert shape_of(str) == Shape("scalar", str)
    assert shape_of(Duration) == Shape("scalar", Duration)  # a dataclass written as text
    assert shape_of(Literal["a", "b"]) == Shape("choice", choices=("a", "b"))
    assert shape_of(list[int]) == Shape("list", int)
    assert shape_of(Server | None) == Shape("optional", Server)
    assert shape_of(Server) == Shape("model", Server)


def test_model_classes_reach_nested_models_once_in_walk_order() -> None:
    found = model_classes(InventoryFile)
    assert found[0] is InventoryFile
    assert len(found) == len(set(found))
    assert found.index(Server) < found.index(StorageGroup) < found.index(Database)
    assert Duration not in found


def _readme_inventory_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Inventory format", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_readme_example_validates_once_its_dates_are_json_dates() -> None:
    validator = jsonschema.Draft202012Validator(
        json_schema("inventory"), format_checker=jsonschema.FormatChecker()
    )
    loaded = yaml.safe_load(_readme_inventory_example())
    # PyYAML reads the unquoted date as a date object, which JSON has no type for …
    errors = [e.message for e in validator.iter_errors(loaded)]
    assert errors == ["datetime.date(2026, 10, 14) is not of type 'string'"]
    # … and json_ready gives the document as JSON carries it, as the README says.
    assert list(validator.iter_errors(json_ready(loaded))) == []
    assert json_ready({"a": [dt.date(2026, 1, 2)], "b": 1}) == {"a": ["2026-01-02"], "b": 1}


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"servers": [{"name": "EX01", "roles": ["cas"]}]}, "roles"),
        (
            {"servers": [{"name": "EX01", "roles": ["mailbox"], "backups": [{"covers": ["sg"]}]}]},
            "covers",
        ),
        (
            {"servers": [{"name": "EX01", "roles": ["mailbox"], "accept": [{"code": "EXDR999"}]}]},
            "code",
        ),
    ],
)
def test_schema_lists_role_item_and_finding_ids(document: dict[str, object], field: str) -> None:
    validator = jsonschema.Draft202012Validator(json_schema("inventory"))
    errors = [e for e in validator.iter_errors(document) if e.validator == "enum"]
    assert [e.path[-2] if isinstance(e.path[-1], int) else e.path[-1] for e in errors] == [field]
    assert "client-access" in str(
        json_schema("inventory")["$defs"]["Server"]["properties"]["roles"]
    )


def test_schema_in_a_project_lists_its_own_policies_ids(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project / "policies").mkdir()
    (project / "policies" / "hub-transport.yml").write_text(
        "role:\n"
        "  id: hub-transport\n"
        "  backup_items:\n"
        "    - id: queue-forensics\n"
        "      title: Queue database kept for forensics\n"
        "      level: required\n"
        "      why: Compliance asks for the queue of the last day.\n"
        "      source: https://intranet.example/policies/mail-retention\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["schema", "-f", str(project / "mkdocs.yml")])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    covers = schema["$defs"]["BackupJob"]["properties"]["covers"]["items"]["enum"]
    assert "queue-forensics" in covers and "storage-groups" in covers
    assert "queue-forensics" not in schema_text("inventory")  # the shipped one: built-in only
