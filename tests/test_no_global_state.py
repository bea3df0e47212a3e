"""Nothing a plan learns about policy templates outlives it: two catalogs in one process (or two
rebuilds under ``mkdocs serve``) each report a failure at their own file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from mkdocs_exdr.common.problems import InvalidInput, Location
from mkdocs_exdr.plan.engine import plan_organization
from mkdocs_exdr.policies import facts, sandbox
from mkdocs_exdr.policies.catalog import Catalog, load_catalog
from mkdocs_exdr.validate.inventory import read_inventory
from tests.conftest import MINIMAL_ORG, write

AS_OF = dt.date(2026, 11, 20)
SERVERS = """
servers:
  - {name: PROBE01, site: Seattle, roles: [probe]}
  - {name: PROBE02, site: Seattle, roles: [probe]}
"""


def _policy(padding: int, when: str) -> str:
    """A probe role whose one step's condition is ``when``, on line 6 + ``padding``."""
    return "#\n" * padding + (
        "role:\n"
        "  id: probe\n"
        "  title: Probe\n"
        "  procedure: recover-server\n"
        "  steps:\n"
        "    - id: probe-step\n"
        "      phase: 50\n"
        "      title: Probe\n"
        f"      when: {when!r}\n"
        "      source: https://example.org/probe\n"
    )


def _catalog(root: Path, name: str, padding: int, when: str) -> Catalog:
    write(root, {f"{name}/probe.yml": _policy(padding, when)})
    return load_catalog(root / name, name)


def _problems(root: Path, catalog: Catalog) -> list[str]:
    write(root, {"inventory/org.yml": MINIMAL_ORG, "inventory/servers.yml": SERVERS})
    loaded = read_inventory(root / "inventory", catalog, "inventory")
    with pytest.raises(InvalidInput) as raised:
        plan_organization(loaded.inventory, catalog, AS_OF, loaded.secrets)
    return [str(problem) for problem in raised.value.problems]


def _sizes(module: Any) -> dict[str, int]:
    """The size of every dict, list and set a module holds at its top level."""
    return {
        name: len(value)
        for name, value in vars(module).items()
        if isinstance(value, (dict, list, set))
    }


@pytest.mark.parametrize(
    ("when", "said"),
    [
        ("(1 / 0) > 1", "ZeroDivisionError: division by zero"),
        ("('x' * 2000000) == ''", "past 1,000,000 characters"),  # a limit, remembered per plan
    ],
)
def test_two_catalogs_in_one_process_each_report_at_their_own_place(
    tmp_path: Path, when: str, said: str
) -> None:
    before = _sizes(sandbox)
    first = _catalog(tmp_path, "first", 0, when)
    second = _catalog(tmp_path, "second", 4, when)  # loaded before the first one plans
    for catalog, place in ((first, "first/probe.yml:6:7"), (second, "second/probe.yml:10:7")):
        problems = _problems(tmp_path, catalog)
        assert len(problems) == 1, problems
        assert problems[0].startswith(f"{place}: step probe-step: when: template error: ")
        assert said in problems[0]
    assert _sizes(sandbox) == before, "a module-level table of the sandbox grew"
    assert not hasattr(sandbox, "register_place")


def test_a_template_that_reached_a_limit_fails_at_once_in_its_plan_only() -> None:
    reads: list[str] = []

    def name() -> str:
        reads.append("name")
        return "EX01"

    source = "{{ server.name }}{% for i in range(99999) %}{% for j in range(9) %}{% endfor %}{% endfor %}"
    where = Location("probe.yml", 6, 7)

    def render(runs: facts.TemplateRuns) -> None:
        context = {"server": facts.Facts("server", None, {"name": name})}
        assert runs.render(source, context, where, "step probe-step") is None

    runs = facts.TemplateRuns()
    render(runs)
    render(runs)
    assert reads == ["name"], "the second time, the template did not run"
    assert len(runs.problems) == 2 and "stopped after" in str(runs.problems[1])
    assert str(runs.problems[1]).startswith("probe.yml:6:7: step probe-step: template error:")
    other = facts.TemplateRuns()
    render(other)
    assert reads == ["name", "name"], "a new plan runs the template again"
    assert len(other.problems) == 1
