"""``mkdocs-exdr diff`` on a revision it cannot use: exit 2 with a place, no traceback, and no
file outside the commit read (issue 13, "Exit codes")."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.review.revisions import at_revision, side_of
from tests.conftest import git, make_project


def commit_link(repo: Path, name: str, target: str) -> None:
    (repo / "inventory" / name).symlink_to(target)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"link {name}")


@pytest.mark.parametrize(
    "target", ["/etc/passwd", "../../../../../../etc/hostname", "servers.yml", "../mkdocs.yml"]
)
def test_a_committed_symlink_exits_2_naming_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    commit_link(repo, "link.yml", target)
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 2, result.output
    assert "HEAD:inventory/link.yml: a symbolic link" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.output


def test_a_committed_submodule_exits_2_naming_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commit = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, check=True, text=True
    ).stdout.strip()  # any commit will do as the gitlink's target
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{commit},inventory/vendor")
    git(repo, "commit", "-q", "-m", "submodule")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 2, result.output
    assert "HEAD:inventory/vendor: a git submodule" in result.stderr


REFUSED = {
    "5000-characters": ("a" * 5000, "a revision of 5,000 characters"),
    "option": ("--output=/tmp/exdr-pwned", "a revision cannot start with '-'"),
    "empty": ("  ", "an empty revision"),
    "control": ("main\x1b[2J", "a revision cannot hold control characters"),
    "nul": ("main\x00x", "a revision cannot hold control characters"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_revision_git_should_not_see_is_a_located_problem(
    repo: Path, tmp_path: Path, case: str
) -> None:
    revision, why = REFUSED[case]
    with pytest.raises(InvalidInput) as raised:
        side_of(revision, repo / "inventory", repo / "policies", tmp_path / "scratch")
    (problem,) = raised.value.problems
    assert why in problem.message
    assert len(str(problem)) < 200
    assert "\x1b" not in str(problem) and "\x00" not in str(problem)
    assert not Path("/tmp/exdr-pwned").exists()


def test_a_long_revision_on_the_command_line_is_not_an_internal_error(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same through the CLI, for a name the file system still accepts."""
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "b" * 250, "HEAD"])
    assert result.exit_code == 2, result.output
    assert "neither a folder nor a git revision" in result.stderr
    assert len(result.stderr.splitlines()[0]) < 200


def test_at_revision_shortens_the_revision_it_names(repo: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as raised:
        at_revision("c" * 200, repo / "inventory", repo / "policies", tmp_path)
    assert raised.value.problems[0].where.file == "c" * 59 + "…"


def test_a_revision_of_5000_characters_on_the_command_line_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_project(tmp_path))
    result = CliRunner().invoke(main, ["diff", "a" * 5000])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_a_committed_file_too_large_is_refused_before_git_reads_it(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs_exdr.load.documents import MAX_FILE_BYTES
    from mkdocs_exdr.review import revisions

    (repo / "inventory" / "big.yml").write_bytes(b"#" + b" " * MAX_FILE_BYTES + b"\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "big")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 2, result.output
    assert "HEAD:inventory/big.yml: file is" in result.stderr

    def extracted(*args: object) -> None:
        raise AssertionError("the revision was extracted before its sizes were checked")

    monkeypatch.setattr(revisions, "_extract", extracted)
    with pytest.raises(InvalidInput) as raised:
        at_revision("HEAD", repo / "inventory", repo / "policies", tmp_path / "out")
    (problem,) = raised.value.problems
    assert str(problem) == (
        f"HEAD:inventory/big.yml: file is {MAX_FILE_BYTES + 2:,} bytes; at most 16 MB are read"
    )


def test_a_revision_whose_files_add_up_to_too_much_is_refused(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs_exdr.review import revisions

    monkeypatch.setattr(revisions, "MAX_REVISION_BYTES", 100)
    with pytest.raises(InvalidInput) as raised:
        at_revision("HEAD", repo / "inventory", repo / "policies", tmp_path / "out")
    (problem,) = raised.value.problems
    assert str(problem).startswith("HEAD: ") and "bytes of files; at most 0 MB" in str(problem)
