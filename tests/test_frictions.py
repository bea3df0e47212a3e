"""The small frictions a new user met (issue 14), each fixed and kept fixed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import html, log_lines, make_project, mkdocs


@pytest.mark.parametrize(
    "nav",
    [
        "nav:\n  - Home: index.md\n",  # the plugin appends the DR section
        "nav:\n  - Home: index.md\n  - Disaster recovery: dr/index.md\n",  # the user lists one
    ],
)
def test_an_explicit_nav_logs_nothing_about_the_dr_pages(tmp_path: Path, nav: str) -> None:
    project = make_project(
        tmp_path,
        mkdocs="site_name: Test DR\ntheme: {name: mkdocs}\n"
        + nav
        + 'plugins:\n  - exdr:\n      as_of: "2026-11-20"\n',
    )
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    assert "not included in the" not in result.stderr, log_lines(result, "INFO")
    assert "dr/findings.md" not in result.stderr
    home = html(project, "index.html")
    assert 'href="dr/"' in home
    assert "servers/ex01" not in home


def test_without_a_nav_the_dr_section_still_appears(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        mkdocs='site_name: Test DR\ntheme: {name: mkdocs}\nplugins:\n  - exdr:\n      as_of: "2026-11-20"\n',
    )
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    home = html(project, "index.html")
    assert "Disaster recovery" in home and 'href="dr/recovery-order/"' in home
