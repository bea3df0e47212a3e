"""A plan renders a policy text once per distinct set of facts it reads, and never gives one
server's text to another: whatever way a template reads a fact, two servers that differ in it get
their own text and their own answer to a condition."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import Location
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.policies import facts
from mkdocs_exdr.render.plan_json import dumps, plan_json
from tests.conftest import EXAMPLE_INVENTORY, SOUND_SERVER, html, make_project, mkdocs, write

AS_OF = dt.date(2026, 11, 20)

PROBES = "".join(
    f"  - {{name: {name}, site: Seattle, roles: [probe], os: Windows Server 2003 R2 x64 SP2}}\n"
    for name in ("PROBE01", "PROBE02")
)

# Each reads the name in another way, beside a fact both servers share (the OS), so a memo keyed
# on the shared fact alone would hand PROBE01's text to PROBE02.
TEXTS = {
    "subscript": "{{ server.os }}: subscript {{ server['name'] }}",
    "method": "{{ server.os }}: method {{ server.name.lower() }}",
    "filter": "{{ server.os }}: filter {{ server.name | lower }}",
    "attr-filter": "{{ server.os }}: attr {{ server | attr('name') }}",
    "assigned": "{% set n = server.name %}{{ server.os }}: assigned {{ n }}",
    "looped": "{{ server.os }}: looped {% for c in server.name %}{{ c }}{% endfor %}",
}
CONDITIONS = {
    "cond-subscript": "server.os and server['name'] == 'PROBE02'",
    "cond-method": "server.os and server.name.endswith('02')",
}


def _policy() -> str:
    steps = [
        {"id": key, "phase": 50 + i, "title": key, "text": text, "source": "https://example.org/p"}
        for i, (key, text) in enumerate(TEXTS.items())
    ] + [
        {
            "id": key,
            "phase": 70 + i,
            "title": f"only PROBE02 {key}",
            "text": "Conditional.",
            "when": when,
            "source": "https://example.org/p",
        }
        for i, (key, when) in enumerate(CONDITIONS.items())
    ]
    policy = {
        "role": {"id": "probe", "title": "Probe", "procedure": "recover-server", "steps": steps}
    }
    return json.dumps(policy)  # JSON is YAML


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("memo"), inventory=SOUND_SERVER + PROBES)
    write(project, {"policies/probe.yml": _policy()})
    result = mkdocs(project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.mark.parametrize("server", ["PROBE01", "PROBE02"])
@pytest.mark.parametrize("key", list(TEXTS))
def test_each_server_gets_the_text_of_its_own_facts(site: Path, server: str, key: str) -> None:
    page = html(site, f"dr/servers/{server.lower()}/index.html")
    how = TEXTS[key].split(": ")[1].split(" ")[0]
    expected = server.lower() if how in ("method", "filter") else server
    assert f"Windows Server 2003 R2 x64 SP2: {how} {expected}" in page
    other = "PROBE02" if server == "PROBE01" else "PROBE01"
    assert not re.search(rf"{how} {other}\b", page, re.IGNORECASE)


@pytest.mark.parametrize("key", list(CONDITIONS))
def test_a_condition_holds_for_the_server_whose_facts_make_it_hold(site: Path, key: str) -> None:
    assert f"only PROBE02 {key}" in html(site, "dr/servers/probe02/index.html")
    assert f"only PROBE02 {key}" not in html(site, "dr/servers/probe01/index.html")


def _server(name: str, version: object) -> facts.Facts:
    return facts.Facts("server", None, {"name": name, "version": version, "media": None})


@pytest.mark.parametrize(
    ("source", "first", "second"),
    [
        ("{{ server.version }}", 1, True),  # equal as keys unless typed
        ("{{ server.version }}", 1, 1.0),
        ("{{ server.label() }}", "A", "B"),  # a method of Facts, no fact: never a key
        ("{{ server.media.windows }}", None, None),  # missing all the way down
    ],
)
def test_the_memo_answers_what_rendering_would(source: str, first: object, second: object) -> None:
    runs = facts.TemplateRuns()
    where = Location("probe.yml", 1, 1)
    for name, version in (("A", first), ("B", second), ("A", first)):
        context = {"server": _server(name, version)}
        expected = facts.render(source, context)
        assert runs.render(source, context, where, "step") == expected
    assert not runs.problems


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts ``facts.render`` is asked to render, in order, as it renders them."""
    texts: list[str] = []
    real = facts.render

    def counting(
        source: str | None, context: dict[str, object], trusted: bool = False
    ) -> str | None:
        texts.append(str(source))
        return real(source, context, trusted)

    monkeypatch.setattr(facts, "render", counting)
    return texts


def test_one_text_is_rendered_once_per_distinct_facts(rendered: list[str]) -> None:
    runs = facts.TemplateRuns()
    where = Location("probe.yml", 1, 1)
    for name in ("A", "B", "A", "B", "A"):
        runs.render("Rebuild {{ server.name }}", {"server": _server(name, 1)}, where, "s")
        runs.render("Static text.", {"server": _server(name, 1)}, where, "s")
    assert rendered.count("Rebuild {{ server.name }}") == 2
    assert rendered.count("Static text.") == 1


OVERRIDE = """
procedure:
  id: recover-server
  title: Rebuild with Setup /m:RecoverServer
  summary: Our own first step.
  source: https://example.org/ours
  steps:
    - id: check-active-directory
      phase: 10
      title: Check that AD still holds {{ server.name }} and its site {{ server.site }}
      source: https://example.org/ours
"""


def _moved(inventory: Path, policies: Path) -> str:
    frankfurt = inventory / "servers" / "frankfurt.yml"
    text = frankfurt.read_text("utf-8")
    frankfurt.write_text(text.replace("E:\\SG1 Frankfurt", "G:\\SG1 Moved"), "utf-8")
    return "G:\\\\SG1 Moved"


def _renamed(inventory: Path, policies: Path) -> str:
    for path in inventory.rglob("*.yml"):
        path.write_text(path.read_text("utf-8").replace("FRA-MBX01", "FRA-MBX09"), "utf-8")
    return "FRA-MBX09"


def _overridden(inventory: Path, policies: Path) -> str:
    (policies / "ours.yml").write_text(OVERRIDE, "utf-8")
    return "Check that AD still holds FRA-MBX01 and its site Frankfurt"


@pytest.mark.parametrize("change", [_moved, _renamed, _overridden])
def test_a_memo_kept_from_the_plan_before_gives_what_a_fresh_plan_gives(
    tmp_path: Path, change: Callable[[Path, Path], str]
) -> None:
    inventory, policies = tmp_path / "inventory", tmp_path / "policies"
    shutil.copytree(EXAMPLE_INVENTORY, inventory)
    policies.mkdir()
    memo = facts.TemplateMemo()
    first = dumps(plan_json(build_plan(inventory, policies, AS_OF, memo=memo)))
    shown = change(inventory, policies)
    again = dumps(plan_json(build_plan(inventory, policies, AS_OF, memo=memo)))
    assert shown in again and shown not in first
    assert again == dumps(plan_json(build_plan(inventory, policies, AS_OF)))


@pytest.mark.parametrize(
    ("source", "first", "second"),
    [
        ("{{ server.version }}", -0.0, 0.0),  # equal and of one hash, shown differently
        ("{{ [server.version, 2, 3] | random }}", 1, 1),  # not decided by what it reads
        ("{{ [server.version, 'ab'] | map('random') | join }}", 1, 1),  # random by name
        ("{{ server.version is sameas server.version }}", 1, 1),  # one object, or two equal
    ],
)
def test_values_that_compare_equal_or_texts_that_vary_are_not_answered_from_the_memo(
    source: str, first: object, second: object, rendered: list[str]
) -> None:
    runs = facts.TemplateRuns()
    where = Location("probe.yml", 1, 1)
    texts = [runs.render(source, {"server": _server("A", v)}, where, "s") for v in (first, second)]
    assert len(rendered) == 2
    if "-0.0" in repr(first):
        assert texts == ["-0.0", "0.0"]
