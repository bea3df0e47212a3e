"""The JSON Schemas: shipped copies match the model, and they agree with the validator."""

from __future__ import annotations

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
from mkdocs_exdr.validate.schema import json_schema, schema_text
from tests.conftest import EXAMPLE_INVENTORY


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
