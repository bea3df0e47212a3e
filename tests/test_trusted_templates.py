"""The package's own templates run outside the counting sandbox, with the same output; every
text a user wrote still runs inside it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import Location
from mkdocs_exdr.plan.engine import plan_organization
from mkdocs_exdr.policies import facts
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.render.pages import render_pages
from mkdocs_exdr.render.plan_json import dumps, plan_json
from mkdocs_exdr.validate.inventory import read_inventory
from tests.conftest import EXAMPLE_INVENTORY

AS_OF = dt.date(2026, 11, 20)


def test_built_in_policy_texts_give_the_plan_the_sandbox_gives() -> None:
    catalog = load_catalog()
    assert catalog.trusted, "the built-in texts are known"
    loaded = read_inventory(EXAMPLE_INVENTORY, catalog)
    trusted = plan_organization(loaded.inventory, catalog, AS_OF, loaded.secrets)
    sandboxed = dataclasses.replace(catalog, trusted=frozenset())
    counted = plan_organization(loaded.inventory, sandboxed, AS_OF, loaded.secrets)
    assert dumps(plan_json(trusted)) == dumps(plan_json(counted))


def test_package_page_templates_give_the_pages_the_sandbox_gives(tmp_path: Path) -> None:
    catalog = load_catalog()
    loaded = read_inventory(EXAMPLE_INVENTORY, catalog)
    plan = plan_organization(loaded.inventory, catalog, AS_OF, loaded.secrets)
    plain = render_pages(plan).pages
    in_sandbox = render_pages(plan, user_templates=tmp_path).pages  # a folder: sandboxed
    assert plain.keys() == in_sandbox.keys()
    assert [p for p in plain if plain[p] != in_sandbox[p]] == []


def test_only_a_built_in_text_word_for_word_runs_outside_the_sandbox() -> None:
    catalog = load_catalog()
    built_in = next(t for t in catalog.trusted if "{{ server.name" in t)
    runs = facts.TemplateRuns(catalog.trusted)
    context = {"server": facts.Facts("server", None, {"name": "EX01"})}
    seen: list[bool] = []
    real = facts.render

    def spy(source: str | None, ctx: dict[str, object], trusted: bool = False) -> str | None:
        seen.append(trusted)
        return real(source, ctx, trusted)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(facts, "render", spy)
        where = Location("p.yml", 1, 1)
        runs.render(built_in, context, where, "step")
        runs.render(built_in + " ", context, where, "step")
    assert seen == [True, False]
