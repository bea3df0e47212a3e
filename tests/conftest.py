"""Shared fixtures: temporary projects, the CLI runner, golden-file updates."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_INVENTORY = REPO / "inventory"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="Rewrite expected files from actual output."
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (path → dedented text) under ``root``; return ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


MINIMAL_ORG = """
organization:
  name: Contoso
  forest: corp.contoso.com
  contacts: [{name: On-call, phone: "555-0100"}]
  rpo: 1d
  rto: 24h
sites:
  - name: Seattle
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
