"""README.md's generated sections match the model, the policies' schema and the finding codes."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import REPO


def test_readme_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("readme", REPO / "scripts" / "readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (REPO / "README.md").read_text(encoding="utf-8")
    assert module.filled(current) == current, "run: .venv/bin/python scripts/readme.py"


def test_readme_zensical_settings_are_what_generate_prints() -> None:
    from mkdocs_exdr.cli.generated import route_settings

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    routes = readme.split("## Routes: MkDocs, ProperDocs and Zensical", 1)[1].split("\n## ", 1)[0]
    blocks = [b.split("```", 1)[0] for b in routes.split("```yaml\n")[1:]]
    assert route_settings("dr") in blocks


def test_readme_names_the_tested_zensical_and_properdocs_versions() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ("zensical", "properdocs"):
        pinned = pyproject.split(f'"{name} == ', 1)[1].split('"', 1)[0]
        assert f"{'Zensical' if name == 'zensical' else 'ProperDocs'} {pinned}" in readme, name


def test_readme_jsonschema_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Validating with Python's `jsonschema`.**", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(REPO)  # the example names a file of the repository's own inventory
    exec(compile(code, "README.md", "exec"), {})  # raises if the file does not validate
