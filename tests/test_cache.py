"""The check cache is never stale: after any change of input, the answer is the one a run
without the cache gives (README, "Caches")."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import mkdocs_exdr
from mkdocs_exdr import pipeline
from mkdocs_exdr.cache.pages import write_pages
from mkdocs_exdr.cli import main as cli
from mkdocs_exdr.cli import options
from tests.conftest import SOUND_SERVER, html, make_project, mkdocs, write

CACHE = Path(".cache", "exdr")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(runner: CliRunner) -> tuple[str, int]:
    result: Result = runner.invoke(cli.main, ["check"])
    return result.output, result.exit_code


def uncached(runner: CliRunner, project: Path) -> tuple[str, int]:
    """The same check with no cache folder (which it then writes afresh)."""
    shutil.rmtree(project / CACHE, ignore_errors=True)
    return check(runner)


def _plans_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted: list[int] = []
    plan_of = options.plan_of

    def counting(*args: object) -> object:
        counted.append(1)
        return plan_of(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "plan_of", counting)  # the name check calls
    return counted


def test_an_unchanged_inventory_is_answered_from_the_cache(
    project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check(runner)
    planned = _plans_counted(monkeypatch)
    assert check(runner) == first
    assert planned == []
    assert (project / CACHE / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not list((project / "inventory").rglob("*.json"))


def _edit(project: Path) -> None:
    servers = project / "inventory" / "servers.yml"
    servers.write_text(servers.read_text().replace("location: offsite", "location: Seattle"))


def _rename(project: Path) -> None:
    (project / "inventory" / "servers.yml").rename(project / "inventory" / "servers.yaml.off")


def _delete(project: Path) -> None:
    (project / "inventory" / "servers.yml").unlink()


def _add_policy(project: Path) -> None:
    write(project, {"policies/broken.yml": "roles: [\n"})


def _same_size_edit(project: Path) -> None:
    servers = project / "inventory" / "servers.yml"
    text = servers.read_text()
    assert "size_gb: 50," in text
    servers.write_text(text.replace("size_gb: 50,", "size_gb: 90,"))


@pytest.mark.parametrize(
    "change", [_edit, _rename, _delete, _add_policy, _same_size_edit], ids=lambda f: f.__name__
)
def test_a_changed_input_is_checked_again(
    project: Path,
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Path], None],
) -> None:
    before = check(runner)
    change(project)
    planned = _plans_counted(monkeypatch)
    after = check(runner)
    assert planned == [1]
    assert after == uncached(runner, project)
    if change is not _same_size_edit:
        assert after != before


def test_another_package_version_is_checked_again(
    project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    check(runner)
    monkeypatch.setattr(mkdocs_exdr, "__version__", "99.0.0")
    planned = _plans_counted(monkeypatch)
    check(runner)
    assert planned == [1]


def test_another_date_or_format_is_another_answer(project: Path, runner: CliRunner) -> None:
    text = check(runner)
    as_json = runner.invoke(cli.main, ["check", "--format", "json"])
    later = runner.invoke(cli.main, ["check", "--as-of", "2031-01-01"])
    assert as_json.output != text[0] and as_json.output.lstrip().startswith("{")
    assert later.output != text[0]


@pytest.mark.parametrize("damage", ["", "{", '{"key": "x", "result": ["forged", 0]}', "\x00"])
def test_a_damaged_cache_file_is_ignored(project: Path, runner: CliRunner, damage: str) -> None:
    _edit(project)
    truth = check(runner)
    (stored,) = (project / CACHE / "results").glob("*.json")
    stored.write_text(damage)
    assert check(runner) == truth
    assert "forged" not in stored.read_text()


def test_pages_keep_their_time_when_their_text_is_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    folder = root / "pages"
    written = write_pages(root, {"dr/a.md": "# A\n", "dr/servers/b.md": "# B\n"})
    assert written is not None
    for path in written.values():
        old = path.stat().st_mtime_ns - 10**9
        os.utime(path, ns=(old, old))
    stamps = {uri: path.stat().st_mtime_ns for uri, path in written.items()}
    again = write_pages(root, {"dr/a.md": "# A\n", "dr/servers/b.md": "# B, changed\n"})
    assert again is not None
    assert again["dr/a.md"].stat().st_mtime_ns == stamps["dr/a.md"]
    assert again["dr/servers/b.md"].stat().st_mtime_ns > stamps["dr/servers/b.md"]
    write_pages(root, {"dr/a.md": "# A\n"})
    assert not (folder / "dr" / "servers" / "b.md").exists()
    with pytest.raises(ValueError, match="leaves the cache folder"):
        write_pages(root, {"../x.md": "x"})


def test_a_dirty_build_rebuilds_only_the_pages_that_changed(tmp_path: Path) -> None:
    second = SOUND_SERVER.replace("servers:\n", "").replace("EX01", "EX02").replace("ex01", "ex02")
    project = make_project(tmp_path, inventory=SOUND_SERVER + second)
    assert mkdocs(project, "--dirty").returncode == 0
    site = project / "site" / "dr"
    pages = {p: p.stat().st_mtime_ns for p in site.rglob("*.html")}
    assert (project / CACHE / "pages" / "dr" / "servers" / "ex02.md").is_file()
    servers = project / "inventory" / "servers.yml"
    servers.write_text(servers.read_text().replace("ex02.corp", "ex02-new.corp"), "utf-8")
    result = mkdocs(project, "--dirty")
    assert result.returncode == 0, result.stderr
    rebuilt = {
        p.relative_to(site).as_posix() for p, t in pages.items() if p.stat().st_mtime_ns != t
    }
    assert "servers/ex02/index.html" in rebuilt
    assert "servers/ex01/index.html" not in rebuilt
    assert "ex02-new.corp" in html(project, "dr/servers/ex02/index.html")
    # The printout is rebuilt too, its other server's steps rendered from Markdown again.
    printout = html(project, "dr/print/site-seattle/index.html")
    assert "ex02-new.corp" in printout and "ex01.corp" in printout
    assert "exdr-step-body" not in printout
    assert len(rebuilt) < len(pages) / 2, sorted(rebuilt)


def test_diff_is_answered_from_the_cache_until_a_side_changes(
    project: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(project / "inventory", project / "base" / "inventory")
    args = ["diff", "base/inventory", "inventory"]
    first = runner.invoke(cli.main, args)
    built: list[int] = []
    build_plan = pipeline.build_plan

    def counting(*args: object, **kwargs: object) -> object:
        built.append(1)
        return build_plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "build_plan", counting)
    assert runner.invoke(cli.main, args).output == first.output
    assert built == []
    _edit(project)
    changed = runner.invoke(cli.main, args)
    assert built == [1, 1]
    assert changed.output != first.output and changed.exit_code == 1
    shutil.rmtree(project / CACHE)
    assert runner.invoke(cli.main, args).output == changed.output
