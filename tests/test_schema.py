"""The JSON Schemas: shipped copies match the model, and they agree with the validator."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
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
