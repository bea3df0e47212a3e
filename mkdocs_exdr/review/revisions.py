"""Inventory and policy folders as they were at a git revision, for ``mkdocs-exdr diff``."""

from __future__ import annotations

import io
import tarfile
from dataclasses import dataclass
from pathlib import Path

from mkdocs_exdr.common.git import git
from mkdocs_exdr.common.problems import InvalidInput, Location, Problem


@dataclass(frozen=True)
class Side:
    """One side of a diff: where its inventory and policies are, and how to name it."""

    inventory: Path
    policies: Path | None
    label: str
    shown_inventory: str
    shown_policies: str


def repository_of(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``, if any."""
    probe = folder if folder.is_dir() else folder.parent
    while not probe.is_dir():
        probe = probe.parent
    result = git(probe, "rev-parse", "--show-toplevel")
    return Path(result.stdout.decode().strip()) if result.returncode == 0 else None


def at_revision(revision: str, inventory: Path, policies: Path, into: Path) -> Side:
    """Extract the inventory (and policy) folder as of ``revision`` into ``into``."""
    repo = repository_of(inventory.resolve())
    if repo is None:
        raise InvalidInput(
            [
                Problem(
                    Location(str(inventory)),
                    "",
                    f"not in a git repository, so {revision!r} cannot be read as a revision",
                )
            ]
        )
    if git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode:
        raise InvalidInput([Problem(Location(revision), "", "neither a folder nor a git revision")])
    wanted = []
    names = {}
    for kind, folder in (("inventory", inventory), ("policies", policies)):
        try:
            relative = folder.resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:
            continue
        names[kind] = relative
        if git(repo, "cat-file", "-e", f"{revision}:{relative}").returncode == 0:
            wanted.append(relative)
    if names.get("inventory") not in wanted:
        raise InvalidInput(
            [
                Problem(
                    Location(f"{revision}:{names.get('inventory', inventory)}"),
                    "",
                    "no inventory folder at this revision",
                )
            ]
        )
    archive = git(repo, "archive", "--format=tar", revision, "--", *wanted)
    if archive.returncode:
        raise InvalidInput([Problem(Location(revision), "", archive.stderr.decode().strip())])
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    inv = names["inventory"]
    pol = names.get("policies")
    return Side(
        inventory=into / inv,
        policies=(into / pol) if pol else None,
        label=revision,
        shown_inventory=f"{revision}:{inv}",
        shown_policies=f"{revision}:{pol}",
    )
