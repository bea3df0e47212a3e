"""Policy templates run with time and size limits, and every failure is a located problem."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.policies import facts
from tests.conftest import SOUND_SERVER, make_project, mkdocs, write

NESTED_LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
SERVERS = SOUND_SERVER + "  - {name: PROBE01, site: Seattle, roles: [probe]}\n"


def _policy(step: str = "Reinstall {{ server.name }}", when: str | None = None) -> str:
    condition = f"\n      when: {json.dumps(when)}" if when else ""
    return f"""
role:
  id: probe
  title: Probe
  procedure: recover-server
  steps:
    - id: probe-step
      phase: 50
      title: Probe
      text: {json.dumps(step)}{condition}
      source: https://example.org/probe
"""


def _project(tmp_path: Path, policy: str) -> Path:
    project = make_project(tmp_path, inventory=SERVERS)
    write(project, {"policies/probe.yml": policy})
    return project


def _plan_problems(project: Path) -> list[str]:
    with pytest.raises(InvalidInput) as raised:
        build_plan(
            project / "inventory",
            project / "policies",
            dt.date(2026, 11, 20),
            shown_policies="policies",
        )
    return [str(problem) for problem in raised.value.problems]


@pytest.mark.parametrize(
    ("step", "said"),
    [
        (NESTED_LOOPS, "stopped after 100,000 operations"),
        (
            "{% set r = range(1000) %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}",
            "operations",
        ),
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
        ("{{ server.name.nosuch() }}", "has no attribute 'nosuch'"),
        ("{% macro again(n) %}{{ again(n) }}{% endmacro %}{{ again(1) }}", "itself without end"),
        ("{% for i in range(2000) %}{{ 'x' * 999 }}{% endfor %}", "past 1,000,000 characters"),
        ("{{ 'x' * 2000000 }}", "past 1,000,000 characters"),
        ("{{ 'x' | center(100000000) }}", "past 1,000,000 characters"),
        ("{% set a = 'x' * 900000 %}{{ a ~ a }}", "past 1,000,000 characters"),
        ("{{ 10 ** 1000000 }}", "bits"),
        ("{{ '%099999999d' % 1 }}", "format width"),
    ],
)
def test_a_failing_step_template_is_a_problem_at_its_step(
    tmp_path: Path, step: str, said: str
) -> None:
    problems = _plan_problems(_project(tmp_path, _policy(step)))
    assert len(problems) == 1, problems
    assert problems[0].startswith("policies/probe.yml:6:7: step probe-step: template error: ")
    assert said in problems[0]


def test_a_condition_that_raises_is_a_problem_at_its_item(tmp_path: Path) -> None:
    problems = _plan_problems(_project(tmp_path, _policy(when="(1 / 0) > 1")))
    assert problems == [
        "policies/probe.yml:6:7: step probe-step: when: "
        "template error: ZeroDivisionError: division by zero"
    ]


EVERY_KIND = """
role:
  id: probe
  title: Probe
  procedure: recover-server
  backup_items:
    - id: probe-files
      title: Probe files
      level: recommended
      why: A probe.
      path: "{{ server.nosuch.deeper }}"
      required_when: "7 / 0"
      source: https://example.org/probe
    - id: probe-gone
      title: Probe gone
      level: recommended
      why: A probe.
      applies_when: "1 / 0"
      source: https://example.org/probe
  data:
    - id: probe-data
      what: Probe data
      recovery: reinstall
      applies_when: "2 / 0"
      source: https://example.org/probe
  scenarios:
    - id: probe-lost
      title: Probe lost
      lost: "{{ 3 / 0 }}"
      choose: Always.
      loses: Nothing.
      unavailable_when: "4 / 0"
      rebuilds: true
      source: https://example.org/probe
    - id: probe-never
      title: Never
      lost: Nothing.
      choose: Never.
      loses: Nothing.
      applies_when: "5 / 0"
      source: https://example.org/probe
  steps:
    - id: probe-step
      phase: 50
      title: Probe
      when: "6 / 0"
      source: https://example.org/probe
"""


def test_every_failing_template_is_reported_at_its_own_item_in_one_run(tmp_path: Path) -> None:
    problems = _plan_problems(_project(tmp_path, EVERY_KIND))
    assert [p.split(": template error: ")[0] for p in problems] == [
        "policies/probe.yml:6:7: backup item probe-files: path",
        "policies/probe.yml:6:7: backup item probe-files: required_when",
        "policies/probe.yml:13:7: backup item probe-gone: applies_when",
        "policies/probe.yml:20:7: data probe-data: applies_when",
        "policies/probe.yml:26:7: scenario probe-lost",
        "policies/probe.yml:26:7: scenario probe-lost: unavailable_when",
        "policies/probe.yml:34:7: scenario probe-never: applies_when",
        "policies/probe.yml:42:7: step probe-step: when",
    ]


def test_the_line_of_a_multi_line_template_is_named(tmp_path: Path) -> None:
    problems = _plan_problems(_project(tmp_path, _policy("first\nsecond {{ 1 / 0 }}")))
    assert problems[0].endswith("(line 2 of the template)")


def test_generate_exits_2_with_the_place_of_a_runaway_policy(tmp_path: Path) -> None:
    project = _project(tmp_path, _policy(NESTED_LOOPS))
    result = CliRunner().invoke(
        main, ["generate", "-f", str(project / "mkdocs.yml"), "-o", str(tmp_path / "out")]
    )
    assert result.exit_code == 2, result.output
    assert "probe.yml:6:7: step probe-step: template error: stopped after" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("when", [None, "(1 / 0) > 1"])
def test_mkdocs_build_stops_with_a_short_error_and_no_traceback(
    tmp_path: Path, when: str | None
) -> None:
    step = "{{ 1 / 0 }}" if when is None else "Fine"
    result = mkdocs(_project(tmp_path, _policy(step, when)))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "probe.yml:6:7:" in result.stderr
    assert "ZeroDivisionError: division by zero" in result.stderr
    assert "Aborted with a BuildError!" in result.stderr or "exdr:" in result.stderr


def test_normal_templates_render_as_before() -> None:
    context = {"server": facts.Facts("server", None, {"name": "EX01", "dbs": ["a", "b"]})}
    source = "{{ server.name }} {% for d in server.dbs %}[{{ d ~ '!' }}]{% endfor %} {{ 2 ** 10 }}"
    assert facts.render(source, context) == "EX01 [a!][b!] 1024"
    assert facts.holds("server.name == 'EX01' and 3 * 2 == 6", context)
