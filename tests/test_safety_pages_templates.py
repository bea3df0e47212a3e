"""Page-template overrides run sandboxed and stay inside the user's templates folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import make_project


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    project = make_project(tmp_path_factory.mktemp("project"))
    return build_plan(project / "inventory", None, dt.date(2026, 11, 20))


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ by_site.clear() }}",
    ],
)
def test_a_page_template_cannot_call_into_python(
    plan: Plan, tmp_path: Path, payload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "home.md.j2").write_text(
        f"# Home\n\n{payload.replace('MARKER', str(tmp_path / 'ran'))}\n"
    )
    with pytest.raises(InvalidInput) as raised:
        render_pages(plan, user_templates=templates)
    (problem,) = raised.value.problems
    assert "template error while writing index.md" in problem.message
    assert not (tmp_path / "ran").exists()


def test_a_template_symlinked_from_outside_the_folder_is_refused(
    plan: Plan, tmp_path: Path
) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("private key material\n")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "home.md.j2").symlink_to(outside)
    with pytest.raises(InvalidInput) as raised:
        render_pages(plan, user_templates=templates)
    (problem,) = raised.value.problems
    assert problem.where.file == str(templates / "home.md.j2")
    assert "resolves outside the templates folder" in problem.message
    assert "private key material" not in str(problem)


def test_an_included_template_symlinked_from_outside_is_refused(plan: Plan, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "_macros.md.j2").write_text("{% macro server_link(n, l) %}x{% endmacro %}\n")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_macros.md.j2").symlink_to(elsewhere / "_macros.md.j2")
    with pytest.raises(InvalidInput) as raised:
        render_pages(plan, user_templates=templates)
    assert all("resolves outside" in p.message for p in raised.value.problems)


def test_a_symlink_inside_the_folder_and_plain_overrides_still_work(
    plan: Plan, tmp_path: Path
) -> None:
    templates = tmp_path / "templates"
    (templates / "parts").mkdir(parents=True)
    (templates / "parts" / "home.md.j2").write_text("# Our DR plan for {{ org.name | md }}\n")
    (templates / "home.md.j2").symlink_to(templates / "parts" / "home.md.j2")
    pages = render_pages(plan, user_templates=templates).pages
    assert pages["index.md"] == "# Our DR plan for Contoso\n"
