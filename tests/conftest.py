"""Shared fixtures: temporary projects, the CLI runner, golden-file updates."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.browsers import CHROMIUM, FLAGS, require_chromium

REPO = Path(__file__).resolve().parent.parent

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONHASHSEED": "0"}


def mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mkdocs build`` of ``project`` in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml"), *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=project,
        check=False,
    )


def log_lines(result: subprocess.CompletedProcess[str], level: str) -> list[str]:
    """The build's log lines of ``level`` (``WARNING``, ``INFO`` …)."""
    return [line for line in result.stderr.splitlines() if line.startswith(level)]


def html(project: Path, path: str) -> str:
    """A built page of ``project``."""
    return (project / "site" / path).read_text(encoding="utf-8")


EXAMPLE_INVENTORY = REPO / "inventory"


@pytest.fixture(scope="session", autouse=True)
def _repository_untouched() -> Iterator[None]:
    """No test leaves a cache folder in the repository (tests write into tmp folders only)."""
    before = (REPO / ".cache").exists()
    yield
    assert before or not (REPO / ".cache").exists(), "a test wrote .cache/ into the repository"


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
reviews:
  - {date: 2026-11-01, reviewer: Ops lead}
sites:
  - name: Seattle
"""


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Where screenshots and PDFs go: the folder named by EXDR_ARTIFACTS, to look at them after
    the run, else the test's temporary folder. Never the repository."""
    named = os.environ.get("EXDR_ARTIFACTS")
    folder = Path(named) if named else tmp_path / "artifacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


SOUND_SERVER = """
servers:
  - name: EX01
    site: Seattle
    fqdn: ex01.corp.contoso.com
    roles: [mailbox, hub-transport, client-access]
    os: Windows Server 2003 R2 x64 SP2
    exchange_version: Version 8.3 (Build 83.6)
    edition: Standard
    media: {windows: '\\\\dist\\w2k3.iso', exchange: '\\\\dist\\e2k7sp3.iso', update_rollup: '\\\\dist\\ur.msp'}
    disks: [{drive: 'E:', size_gb: 200, purpose: databases}]
    storage_groups:
      - name: First Storage Group
        log_prefix: E00
        log_path: 'E:\\SG1\\Logs'
        system_path: 'E:\\SG1'
        databases: [{name: Mailbox Database, size_gb: 50, edb_path: 'E:\\SG1\\Mailbox Database.edb'}]
    backups:
      - {name: NIGHTLY, method: 'NTBackup, Exchange-aware full', frequency: daily, covers: [storage-groups, system-state], location: offsite, retention: 4w}
    restore_tests:
      - {date: 2026-11-01, scope: First Storage Group, result: passed, by: Ops}
"""


def make_project(
    root: Path,
    *,
    inventory: str = SOUND_SERVER,
    mkdocs: str = "",
    docs: dict[str, str] | None = None,
) -> Path:
    """A small MkDocs project with the exdr plugin under ``root``."""
    config = (
        mkdocs
        or """
        site_name: Test DR
        theme: {name: material}
        plugins:
          - search
          - exdr:
              as_of: "2026-11-20"
        """
    )
    files = {
        "mkdocs.yml": config,
        "docs/index.md": "# Home\n",
        "inventory/org.yml": MINIMAL_ORG,
        "inventory/servers.yml": inventory,
    }
    files.update(docs or {})
    return write(root, files)


def git(repo: Path, *args: str) -> None:
    """Run git in ``repo``; fail the test on an error."""
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A small project committed as the first revision of a new git repository."""
    project = make_project(tmp_path / "repo")
    git(project, "init", "-q", "-b", "main")
    git(project, "config", "user.email", "test@example.invalid")
    git(project, "config", "user.name", "Test")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "base")
    return project


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the whole run (skipped, or failed under CI, without it)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield instance
        instance.close()
