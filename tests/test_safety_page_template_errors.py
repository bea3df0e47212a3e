"""A page template that fails is a problem at its file and line, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import EXAMPLE_INVENTORY


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20))


def problem_of(plan: Plan, folder: Path, name: str, content: bytes) -> str:
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        render_pages(plan, user_templates=folder)
    (problem,) = caught.value.problems
    return str(problem)


def test_an_error_while_rendering_names_the_template_line(plan: Plan, tmp_path: Path) -> None:
    text = problem_of(plan, tmp_path, "home.md.j2", b"# Home\n\n{{ 1 / 0 }}\n")
    assert text.startswith(f"{tmp_path / 'home.md.j2'}:3:1: ")
    assert "template error while writing index.md: ZeroDivisionError" in text


def test_a_template_that_is_not_utf8_is_located(plan: Plan, tmp_path: Path) -> None:
    text = problem_of(plan, tmp_path, "home.md.j2", b"# Home\n\nCaf\xe9\n")
    assert "home.md.j2:3:1: " in text and "not UTF-8: byte 0xe9" in text


def test_a_template_that_includes_itself_is_located(plan: Plan, tmp_path: Path) -> None:
    text = problem_of(plan, tmp_path, "home.md.j2", b'# Home\n{% include "home.md.j2" %}\n')
    assert "home.md.j2:2:" in text and "includes itself" in text
