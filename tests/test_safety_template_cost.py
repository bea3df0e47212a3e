"""Templates pay for work on large values, and a clock stops whatever the count misses (the
attacker review of issue 13): a filter, method or operator spends operations in proportion to the
characters or items it is given and returns, so a few calls on a long text reach the budget of
100,000 operations instead of running for minutes; past ``POLICY_SECONDS`` (policy templates) or
the plan's page time, a template stops with a located problem, exit 2."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.policies import limits, sandbox
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import SOUND_SERVER, make_project, write

BUILTIN = Path(limits.__file__).parent / "builtin" / "hub-transport.yml"
WORDWRAP = "{% for i in range(5) %}{{ ('a'*499999)|wordwrap(1)|length }}{% endfor %}"

#: Each took seconds to minutes inside the operations budget when a call cost one operation.
COSTLY = [
    WORDWRAP,
    "{% set s = 'ab ' * 300000 %}{% for i in range(20) %}{{ s | title | length }}{% endfor %}",
    "{% set s = 'ab ' * 300000 %}{% for i in range(40) %}{{ s | urlize | length }}{% endfor %}",
    "{% set s = 'ab ' * 300000 %}{% for i in range(300) %}{{ s.split() | length }}{% endfor %}",
    "{% set s = 'ab ' * 300000 %}{% for i in range(300) %}{{ s | wordcount }}{% endfor %}",
    "{% set s = 'ab ' * 300000 %}{% for i in range(3000) %}{{ s.count('b') }}{% endfor %}",
    "{% set l = ('ab ' * 300000).split() %}{% for i in range(60) %}{{ l | sort | first }}"
    "{% endfor %}",
]


@pytest.mark.parametrize("source", COSTLY)
def test_work_on_a_long_value_reaches_the_operations_budget(source: str) -> None:
    with pytest.raises(sandbox.PolicyTemplateError) as raised:
        sandbox.run(source, lambda: sandbox.template(source).render())
    assert raised.value.limited
    assert str(raised.value).startswith("stopped after 100,000 operations"), raised.value


@pytest.mark.parametrize(
    "source",
    [
        "{{ ('ab ' * 1000) | title | wordwrap(79) | length }}",
        "{% for i in range(200) %}{{ ('x' * 2000).split('x') | length }}{% endfor %}",
        "{% for i in range(20) %}{{ ('a' * 100000) | upper | length }}{% endfor %}",
    ],
)
def test_ordinary_work_on_text_still_fits(source: str) -> None:
    assert sandbox.run(source, lambda: sandbox.template(source).render())


def test_the_reviewed_policy_stops_check_at_its_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = yaml.safe_load(BUILTIN.read_text(encoding="utf-8"))
    item = policy["role"]["backup_items"][0]
    item["path"] = WORDWRAP
    project = make_project(tmp_path, inventory=SOUND_SERVER)
    write(project, {"policies/hub-transport.yml": yaml.safe_dump(policy, sort_keys=False)})
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    said = re.escape(f": backup item {item['id']}: path: template error: stopped after 100,000 ")
    assert re.search(rf"^policies/hub-transport\.yml:\d+:\d+{said}operations", result.output, re.M)


class _FastClock:
    """A clock that moves ``step`` seconds each time it is read."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


SERVERS = SOUND_SERVER + "  - {name: PROBE01, site: Seattle, roles: [probe]}\n"
PROBE = {
    "role": {
        "id": "probe",
        "title": "Probe",
        "procedure": "recover-server",
        "steps": [
            {
                "id": "probe-step",
                "phase": 50,
                "title": "Probe",
                "text": "{% for a in range(1000) %}{{ a }}{% endfor %}",
                "source": "https://example.org/probe",
            }
        ],
    }
}


def test_a_policy_template_past_its_time_is_a_located_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clock is read every CLOCK_EVERY operations and moves a second each time: 1,000 loop
    # turns read it more than POLICY_SECONDS times.
    assert 1000 // limits.CLOCK_EVERY > limits.POLICY_SECONDS
    monkeypatch.setattr(limits, "_clock", _FastClock(1.0))
    project = make_project(tmp_path, inventory=SERVERS)
    write(project, {"policies/probe.yml": json.dumps(PROBE, indent=2)})
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2, result.output
    assert "policies/probe.yml:" in result.output and "step probe-step" in result.output
    assert "stopped after 10 seconds" in result.output


def test_page_templates_share_one_clock_for_the_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = build_plan(make_project(tmp_path) / "inventory", None, dt.date(2026, 11, 20))
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "server.md.j2").write_text(
        "# {{ s.server.name }}\n{% for a in range(3) %}{% for b in range(100000) %}{% endfor %}{% endfor %}\n",
        encoding="utf-8",
    )
    steps = sum(len(s.items) for s in plan.servers)
    seconds = limits.PAGE_SECONDS + limits.PAGE_SECONDS_PER_UNIT * (len(plan.servers) + steps)
    # Half a millisecond an operation (the clock is read every CLOCK_EVERY): the package's pages
    # take a few seconds of that, and 300,000 loop turns fit the operations budget but not the
    # time.
    assert limits.page_budget(len(plan.servers), steps).max_operations > 300_000
    assert seconds < 300_000 * 0.0005
    monkeypatch.setattr(limits, "_clock", _FastClock(0.0005 * limits.CLOCK_EVERY))
    with pytest.raises(InvalidInput) as raised:
        render_pages(plan, user_templates=folder)
    (problem,) = raised.value.problems
    assert problem.where.file == str(folder / "server.md.j2") and problem.where.line == 2
    assert f"stopped after {seconds:g} seconds" in problem.message
