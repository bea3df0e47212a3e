"""The caches under hostile or careless configuration (issue 13's review of issue 15's caches):
``cache_dir`` can neither delete nor hide people's files, keying never hangs or exhausts memory,
a cache that cannot be written is no cache, and a tampered entry is never trusted (README,
"Caches")."""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mkdocs_exdr.cli import main as cli
from mkdocs_exdr.render.printouts import RenderedSteps
from tests.conftest import make_project, mkdocs, write

CACHE = Path(".cache", "exdr")


def _config(options: str) -> str:
    return f"""
        site_name: Test DR
        theme: {{name: material}}
        plugins:
          - search
          - exdr:
              as_of: "2026-11-20"
              {options}
        """


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli.main, ["check", *args])


def _cli(
    project: Path, *args: str, timeout: float = 120, memory: int | None = None
) -> subprocess.CompletedProcess[str]:
    """The command line in a child process in ``project``: a hang fails the test, and so does
    more than ``memory`` bytes of address space."""
    command = [sys.executable, "-c", "from mkdocs_exdr.cli.main import main; main()", *args]

    def limit() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        command,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        preexec_fn=limit,
    )


# 1. cache_dir can neither delete people's files nor make git ignore them.


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("docs", "docs folder"),
        ("docs/cache", "docs folder"),
        (".", "project folder itself"),
        ("./", "project folder itself"),
        ("..", "leaves the project"),
        ("../elsewhere", "leaves the project"),
        ("/tmp/exdr", "leaves the project"),
        ("C:\\\\exdr", "leaves the project"),
        ("inventory", "inventory folder"),
        ("inventory/cache", "inventory folder"),
        ("policies/cache", "policies folder"),
    ],
)
def test_a_cache_dir_outside_a_folder_of_its_own_is_a_located_error(
    project: Path, runner: CliRunner, value: str, message: str
) -> None:
    write(project, {"mkdocs.yml": _config(f"cache_dir: {json.dumps(value)}")})
    result = check(runner)
    assert result.exit_code == 2, result.output
    assert "plugins.exdr.cache_dir" in result.output and message in result.output
    assert "mkdocs.yml" in result.output
    assert not (project / "docs" / ".gitignore").exists()
    assert not list(project.rglob("CACHEDIR.TAG"))


def test_cache_dir_docs_never_deletes_or_hides_the_docs(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, mkdocs=_config("cache_dir: docs"), docs={"docs/pages/mine.md": "# Mine\n"}
    )
    result = mkdocs(project, "--dirty")
    assert result.returncode != 0
    assert "cache_dir" in result.stderr and "Traceback" not in result.stderr
    assert (project / "docs" / "pages" / "mine.md").read_text() == "# Mine\n"
    assert sorted(p.name for p in (project / "docs").iterdir()) == ["index.md", "pages"]


def test_cache_dir_is_the_project_folder_is_refused_by_the_build(tmp_path: Path) -> None:
    project = make_project(tmp_path, mkdocs=_config("cache_dir: ."))
    result = mkdocs(project, "--dirty")
    assert result.returncode != 0 and "project folder itself" in result.stderr
    assert not (project / ".gitignore").exists() and not (project / "pages").exists()


def test_a_folder_without_the_cache_mark_is_never_written_or_cleaned(
    project: Path, runner: CliRunner
) -> None:
    # Someone's folder where the cache would go: it is not the cache's, so it is no cache.
    theirs = {
        ".cache/exdr/results/notes.json": "{}",
        ".cache/exdr/pages/dr/servers/mine.md": "# Mine\n",
        ".cache/exdr/README": "mine\n",
    }
    write(project, theirs)
    for _ in range(2):
        assert check(runner).exit_code == 0
    assert mkdocs(project, "--dirty").returncode == 0
    for name, text in theirs.items():
        assert (project / name).read_text() == text
    assert sorted(
        p.relative_to(project / CACHE).as_posix() for p in (project / CACHE).rglob("*")
    ) == [
        "README",
        "pages",
        "pages/dr",
        "pages/dr/servers",
        "pages/dr/servers/mine.md",
        "results",
        "results/notes.json",
    ]


def test_the_owned_folder_is_tagged_and_only_its_own_results_are_pruned(
    project: Path, runner: CliRunner
) -> None:
    assert check(runner).exit_code == 0
    root = project / CACHE
    assert (
        (root / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55\n")
    )
    assert (root / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (project / ".cache" / ".gitignore").exists()
    mine = write(root, {"results/keep-me.json": "{}", "results/notes.txt": "x"})
    for day in range(1, 20):  # more results than are kept
        assert check(runner, "--as-of", f"2026-11-{day:02d}").exit_code in (0, 1)
    results = list((root / "results").glob("*.json"))
    assert (mine / "results" / "keep-me.json").is_file()
    assert (mine / "results" / "notes.txt").is_file()
    assert len(results) == 16 + 1


def test_a_dirty_build_removes_only_its_own_pages(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert mkdocs(project, "--dirty").returncode == 0
    pages = project / CACHE / "pages"
    assert (pages / "dr" / "servers" / "ex01.md").is_file()
    outside = write(tmp_path / "outside", {"mine.md": "# Mine\n"})
    (pages / "dr" / "linked").symlink_to(outside)
    assert mkdocs(project, "--dirty").returncode == 0
    assert (outside / "mine.md").read_text() == "# Mine\n"


# 2. Keying the inventory reads what the loader reads, no more.


def test_linked_folders_in_the_inventory_do_not_hang_check_or_diff(project: Path) -> None:
    servers = project / "inventory" / "servers"
    servers.mkdir()
    for name in "abcdefgh":
        (servers / name).symlink_to("..")
    plan = _cli(project, "plan")
    checked = _cli(project, "check", timeout=60)
    assert checked.returncode in (0, 1), checked.stderr
    assert "EX01" in plan.stdout
    shutil_copy = project / "base"
    shutil_copy.mkdir()
    write(shutil_copy, {"inventory/org.yml": (project / "inventory" / "org.yml").read_text()})
    diffed = _cli(project, "diff", "base/inventory", "inventory", timeout=60)
    assert diffed.returncode in (0, 1), diffed.stderr


def test_a_huge_file_the_loader_skips_is_not_read_for_the_key(
    project: Path, runner: CliRunner
) -> None:
    before = check(runner)
    with (project / "inventory" / "dump.bin").open("wb") as dump:
        dump.truncate(3 * 1024**3)  # sparse: 3 GB that take no room
    result = _cli(project, "check", timeout=60, memory=2 * 1024**3)
    assert (result.returncode, result.stdout) == (before.exit_code, before.output), result.stderr


def test_a_yaml_file_over_the_loaders_bound_is_its_located_error(project: Path) -> None:
    with (project / "inventory" / "huge.yml").open("wb") as huge:
        huge.truncate(20 * 1024**2)
    for _ in range(2):
        result = _cli(project, "check", timeout=60)
        assert result.returncode == 2, result.stderr
        assert "inventory/huge.yml" in result.stdout + result.stderr
        assert "internal error" not in result.stderr


# 3. A cache that cannot be made or written is no cache; placeholders cannot be forged.


def test_a_cache_folder_that_is_a_file_is_no_cache(project: Path, runner: CliRunner) -> None:
    (project / ".cache").write_text("not a folder\n")
    first, second = check(runner), check(runner)
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.output == second.output and "internal error" not in first.output
    result = mkdocs(project, "--dirty")
    assert result.returncode == 0, result.stderr
    assert (project / "site" / "dr" / "servers" / "ex01" / "index.html").is_file()


def test_a_cache_folder_that_cannot_be_written_is_no_cache(
    project: Path, runner: CliRunner
) -> None:
    assert check(runner).exit_code == 0
    root = project / CACHE
    for name in ("results", "pages"):
        shutil.rmtree(root / name, ignore_errors=True)
        (root / name).write_text("in the way\n")
    (root / "key").unlink()
    (root / "key").mkdir()
    first, second = check(runner), check(runner)
    assert first.exit_code == second.exit_code == 0, first.output
    result = mkdocs(project, "--dirty")
    assert result.returncode == 0, result.stderr
    assert (project / "site" / "dr" / "servers" / "ex01" / "index.html").is_file()


def test_a_placeholder_in_a_hand_written_printout_is_inert(tmp_path: Path) -> None:
    forged = "<!-- exdr-step-body 00000000000000000000000000000000 -->"
    project = make_project(
        tmp_path, docs={"docs/dr/print/organization.md": f"# Mine\n\n{forged}\n\nmy text\n"}
    )
    result = mkdocs(project)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    page = (project / "site" / "dr" / "print" / "organization" / "index.html").read_text()
    assert "my text" in page


def test_a_placeholder_of_another_build_or_unknown_key_injects_nothing() -> None:
    steps = RenderedSteps(html={"a" * 32: "<p>secret body</p>"})
    other = RenderedSteps(html=dict(steps.html))
    forged = [
        f"<!-- exdr-step-body {'a' * 32} -->",
        f"<!-- exdr-step-body {other.nonce} {'a' * 32} -->",
        f"<!-- exdr-step-body {steps.nonce} {'b' * 32} -->",
    ]
    for text in forged:
        assert steps.fill(text) == text
    assert steps.nonce != other.nonce
    assert steps.fill(f"<!-- exdr-step-body {steps.nonce} {'a' * 32} -->") == "<p>secret body</p>"


# 4. A tampered or foreign entry is a miss.


def _entries(project: Path) -> list[Path]:
    return sorted((project / CACHE / "results").glob("*.json"))


def test_a_tampered_result_is_not_trusted(project: Path, runner: CliRunner) -> None:
    servers = project / "inventory" / "servers.yml"
    servers.write_text(servers.read_text().replace("location: offsite", "location: Seattle"))
    honest = check(runner)
    assert honest.exit_code == 1
    (entry,) = _entries(project)
    stored = json.loads(entry.read_text())
    stored["result"] = ["\x1b[2Jall is well\n", 0]
    entry.write_text(json.dumps(stored))
    again = check(runner)
    assert (again.output, again.exit_code) == (honest.output, honest.exit_code)
    assert "\x1b" not in again.output


def test_a_result_from_another_cache_folder_is_not_trusted(
    project: Path, runner: CliRunner
) -> None:
    assert check(runner).exit_code == 0
    (entry,) = _entries(project)
    stored = json.loads(entry.read_text())
    stored["result"] = ["forged\n", 0]
    # The same project's cache, restored from elsewhere (another CI runner, another key).
    shutil.rmtree(project / ".cache")
    assert check(runner).exit_code == 0
    entry.write_text(json.dumps(stored))
    assert "forged" not in check(runner).output


def test_the_hmac_key_is_private(project: Path, runner: CliRunner) -> None:
    check(runner)
    key = project / CACHE / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == 32
    (entry,) = _entries(project)
    assert set(json.loads(entry.read_text())) == {"key", "result", "mac"}
    key.write_bytes(b"x" * 32)  # another key: every entry is a miss, and is written again
    before = entry.read_text()
    assert check(runner).exit_code == 0
    assert entry.read_text() != before


def test_a_set_up_cut_short_is_taken_up_but_a_foreign_gitignore_is_not(tmp_path: Path) -> None:
    from mkdocs_exdr.cache.folder import IGNORE_ALL, own

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    write(ours, {".gitignore": IGNORE_ALL})
    write(theirs, {".gitignore": "*.log\n"})
    assert own(ours) == ours and (ours / "CACHEDIR.TAG").is_file()
    assert own(theirs) is None and not (theirs / "CACHEDIR.TAG").exists()
    assert (theirs / ".gitignore").read_text() == "*.log\n"


# 5. What is planted inside the cache folder cannot lead a write out of it, hang or exhaust a run.


def test_a_linked_folder_planted_in_the_pages_cache_is_never_written_through(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, docs={"docs/mynotes/index.md": "MY OWN INDEX\n"})
    assert mkdocs(project, "--dirty").returncode == 0
    pages = project / CACHE / "pages"
    shutil.rmtree(pages / "dr")
    (pages / "dr").symlink_to(project / "docs" / "mynotes")
    result = mkdocs(project, "--dirty")
    assert result.returncode == 0, result.stderr
    assert (project / "docs" / "mynotes" / "index.md").read_text() == "MY OWN INDEX\n"
    assert sorted(p.name for p in (project / "docs" / "mynotes").iterdir()) == ["index.md"]


@pytest.mark.parametrize("planted", ["key", "result"])
def test_a_named_pipe_planted_in_the_cache_does_not_hang_check(
    project: Path, runner: CliRunner, planted: str
) -> None:
    honest = check(runner)
    target = project / CACHE / "key" if planted == "key" else _entries(project)[0]
    target.unlink()
    os.mkfifo(target)
    result = _cli(project, "check", timeout=60)
    assert (result.stdout, result.returncode) == (honest.output, honest.exit_code)


def test_a_huge_result_planted_in_the_cache_is_no_cache(project: Path, runner: CliRunner) -> None:
    honest = check(runner)
    (entry,) = _entries(project)
    with entry.open("r+b") as file:
        file.truncate(3 * 1024**3)  # sparse: takes no disk
    result = _cli(project, "check", memory=2 * 1024**3)
    assert (result.stdout, result.returncode) == (honest.output, honest.exit_code), result.stderr
