"""The one git wrapper, and the inventory revision printed on every page's banner."""

from __future__ import annotations

from pathlib import Path

from mkdocs_exdr.common.git import git
from mkdocs_exdr.offline.bundle import inventory_revision
from mkdocs_exdr.review.revisions import repository_of


def _commit(repo: Path) -> None:
    for args in (
        ("add", "-A"),
        ("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "x"),
    ):
        assert git(repo, *args).returncode == 0


def test_inventory_revision_outside_git_and_with_or_without_changes(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "org.yml").write_text("organization: {name: X}\n", encoding="utf-8")
    assert inventory_revision(inventory) == "not in git"
    assert inventory_revision(tmp_path / "missing") == "not in git"
    assert git(tmp_path, "init", "-q").returncode == 0
    _commit(tmp_path)
    head = git(tmp_path, "rev-parse", "--short=12", "HEAD").stdout.decode().strip()
    assert inventory_revision(inventory) == head
    (tmp_path / "elsewhere.txt").write_text("not the inventory\n", encoding="utf-8")
    assert inventory_revision(inventory) == head
    (inventory / "org.yml").write_text("organization: {name: Y}\n", encoding="utf-8")
    assert inventory_revision(inventory) == f"{head}+changes"
    assert repository_of(inventory / "org.yml") == tmp_path.resolve()


def test_git_failure_is_a_return_code(tmp_path: Path) -> None:
    result = git(tmp_path, "rev-parse", "HEAD")
    assert result.returncode != 0
    assert isinstance(result.stderr, bytes)
