"""A page-template override runs with the policies' limits: a runaway loop or a value built too
large stops with its template file and line (exit 2, a clean error under ``mkdocs build``),
instead of hanging or exhausting memory (issue 13).

The commands run in a child process with a timeout and a memory limit, so that a regression
fails instead of stopping the suite."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.policies.limits import (
    PAGE_OPERATIONS,
    PAGE_OPERATIONS_PER_UNIT,
    page_budget,
)
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import ENV, EXAMPLE_INVENTORY, make_project

NESTED = (
    "# Home\n\n{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}\n"
)
PRELUDE = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "


def with_templates(root: Path, home: str) -> Path:
    project = make_project(
        root,
        mkdocs="""
        site_name: Test DR
        plugins:
          - exdr:
              as_of: "2026-11-20"
              templates: templates
        """,
    )
    (project / "templates").mkdir()
    (project / "templates" / "home.md.j2").write_text(home, encoding="utf-8")
    return project


def run(project: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=project,
        timeout=300,
        check=False,
    )


def generate(project: Path) -> subprocess.CompletedProcess[str]:
    code = "from mkdocs_exdr.cli.main import main; main(['generate', '-o', 'out'])"
    return run(project, code)


def build(project: Path) -> subprocess.CompletedProcess[str]:
    return run(project, "from mkdocs.__main__ import cli; cli(['build'])")


def test_nested_loops_in_a_page_template_stop_generate_at_the_line(tmp_path: Path) -> None:
    project = with_templates(tmp_path, NESTED)
    result = generate(project)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Traceback" not in result.stderr + result.stdout
    output = result.stdout + result.stderr
    assert "templates/home.md.j2:3:1: " in output
    assert "operations" in output and "loop over fewer items" in output


def test_nested_loops_in_a_page_template_stop_mkdocs_build_cleanly(tmp_path: Path) -> None:
    project = with_templates(tmp_path, NESTED)
    result = build(project)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "home.md.j2:3:1: " in result.stderr and "operations" in result.stderr
    assert not (project / "site" / "dr").exists()


@pytest.mark.parametrize(
    "payload",
    [
        "{{ 'x' * 10**9 }}",
        "{% set s = 'x' * 999999 %}{{ ([s] * 1000) | join }}",
        "{% set s = 'x' * 999999 %}{{ ([s] * 900) | join(s) | length }}",
        "{% set s = 'x' * 999999 %}{{ ([s] * 900) | map('upper') | list | length }}",
        "{% set s = 'x' * 999999 %}{{ ([s] * 900) | string | length }}",
        "{% set s = 'x' * 999999 %}{{ [s] * 900 }}",
        "{% set s = 'x\\n' * 499999 %}{{ s | indent(1000) | length }}",
    ],
)
def test_a_page_template_building_gigabytes_is_refused_first(tmp_path: Path, payload: str) -> None:
    project = with_templates(tmp_path, f"# Home\n\n{payload}\n")
    result = generate(project)
    assert result.returncode == 2, result.stderr[-2000:]
    assert "templates/home.md.j2:3:1: " in result.stdout + result.stderr
    assert "stopped" in result.stdout + result.stderr


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20))


def test_the_page_budget_grows_with_the_plan_and_the_packages_templates_fit(plan: Plan) -> None:
    small, large = page_budget(10, 40), page_budget(1000, 4000)
    assert small.max_operations == PAGE_OPERATIONS + 50 * PAGE_OPERATIONS_PER_UNIT
    assert large.max_operations > 50 * small.max_operations // 10
    assert large.max_text > small.max_text
    assert render_pages(plan).pages["index.md"].startswith("---")


def test_one_budget_covers_every_page(plan: Plan, tmp_path: Path) -> None:
    """A loop that fits in one page's share but repeats on every server page is still stopped."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "server.md.j2").write_text(
        "# {{ s.server.name }}\n{% for a in range(500) %}{% for b in range(1000) %}{% endfor %}"
        "{% endfor %}\n",
        encoding="utf-8",
    )
    steps = sum(len(s.items) for s in plan.servers)
    operations = page_budget(len(plan.servers), steps).max_operations
    assert 500_500 < operations < 500_500 * len(plan.servers)  # one page fits, all do not
    with pytest.raises(InvalidInput) as raised:
        render_pages(plan, user_templates=folder)
    (problem,) = raised.value.problems
    assert problem.where.file == str(folder / "server.md.j2") and problem.where.line == 2
    assert "loop over fewer items" in problem.message
