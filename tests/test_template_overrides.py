"""A user's template folder wins over the package's templates, one template at a time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import EXAMPLE_INVENTORY


def test_a_user_template_replaces_only_its_own_page_type(tmp_path: Path) -> None:
    plan = build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20))
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "site.md.j2").write_text("# Site {{ site.name | md }}\n\nLocal layout.\n")
    pages = render_pages(plan, user_templates=folder).pages
    assert pages["sites/london.md"] == "# Site London\n\nLocal layout.\n"
    assert "## What was lost?" in pages["servers/lon-mbx03.md"], "other pages keep the package's"
    plain = render_pages(plan).pages
    assert "Local layout." not in plain["sites/london.md"]
