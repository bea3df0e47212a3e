"""README.md's generated sections match the model, the policies' schema and the finding codes."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def test_readme_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("readme", REPO / "scripts" / "readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (REPO / "README.md").read_text(encoding="utf-8")
    assert module.filled(current) == current, "run: .venv/bin/python scripts/readme.py"
