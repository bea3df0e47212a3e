"""The wheel route of the README: a wheel built from the repository holds the package data, and
the commands run from it alone (not from the repository)."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO, make_project

PACKAGE_DATA = ("policies/builtin", "render/templates", "validate/schemas", "offline")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the files git does not ignore, so the build writes nothing into the repository.
    source = out / "source"
    files = (
        subprocess.run(
            [
                "git",
                "-C",
                str(REPO),
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            (source / name).write_bytes((REPO / name).read_bytes())
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("mkdocs_exdr-*-py3-none-any.whl")
    return found


def test_the_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in PACKAGE_DATA:
        shipped = sorted(
            p.relative_to(REPO).as_posix()
            for p in (REPO / "mkdocs_exdr" / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        )
        assert shipped, folder
        missing = [name for name in shipped if name not in names]
        assert missing == [], folder
    assert "mkdocs_exdr/py.typed" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "exdr = mkdocs_exdr.plugin:ExdrPlugin" in text
    assert "mkdocs-exdr = mkdocs_exdr.cli:run" in text


def test_generate_runs_from_the_unpacked_wheel(wheel: Path, tmp_path: Path) -> None:
    unpacked = tmp_path / "unpacked"
    zipfile.ZipFile(wheel).extractall(unpacked)
    project = make_project(tmp_path / "project")
    result = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, sys.argv.pop(1)); "
            "import mkdocs_exdr; assert mkdocs_exdr.__file__.startswith(sys.path[0]), "
            "mkdocs_exdr.__file__; from mkdocs_exdr.cli import run; run()",
            str(unpacked),
            "generate",
            "-o",
            "out",
        ],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (
        "Setup.com /m:RecoverServer" in (project / "out" / "dr" / "servers" / "ex01.md").read_text()
    )
    assert (project / "out" / "assets" / "exdr" / "vendor" / "mermaid.min.js").is_file()
