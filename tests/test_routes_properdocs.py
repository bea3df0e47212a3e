"""The ProperDocs route: the MkDocs 1.6 fork runs the plugin itself, from ``properdocs.yml``.

The build under ProperDocs with Material, and its ``--strict`` gate, are tested in
test_plugin.py; here a project that names its configuration ``properdocs.yml``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from tests.conftest import ENV, html, make_project

pytest.importorskip("properdocs")


def test_a_properdocs_yml_project_builds_and_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path)
    (project / "mkdocs.yml").rename(project / "properdocs.yml")
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "--strict"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=project,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Setup.com /m:RecoverServer" in html(project, "dr/servers/ex01/index.html")
    assert "as of 2026-11-20" in html(project, "dr/index.html")
    monkeypatch.chdir(project)  # the commands find properdocs.yml as they find mkdocs.yml
    checked = CliRunner().invoke(main, ["check", "--format", "json"])
    assert checked.exit_code == 0, checked.output
    assert '"as_of": "2026-11-20"' in checked.stdout
