"""Inventory and policy folders as they were at a git revision, for ``mkdocs-exdr diff``.

A revision is text from the command line and a commit is someone else's work: both are
checked before git or ``tarfile`` act on them, and every refusal is a located problem.
"""

from __future__ import annotations

import io
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mkdocs_exdr.common.git import git
from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.load.documents import MAX_FILE_BYTES


@dataclass(frozen=True)
class Side:
    """One side of a diff: where its inventory and policies are, and how to name it."""

    inventory: Path
    policies: Path | None
    label: str
    shown_inventory: str
    shown_policies: str


#: Longer than any name git gives a commit, branch or tag in practice; a longer argument is
#: refused before it reaches the file system or git.
MAX_REVISION = 255
#: What the inventory and policies of one revision may hold together, all files read.
MAX_REVISION_BYTES = 16 * MAX_FILE_BYTES
_SYMLINK, _SUBMODULE = "120000", "160000"


def side_of(
    argument: str | None,
    inventory: Path,
    policies: Path,
    scratch: Path,
    show: Callable[[Path], str] = Path.as_posix,
) -> Side:
    """The side a ``diff`` argument names: the work tree (``None``), a folder, else a revision
    extracted into ``scratch``; ``show`` names folders in messages. An argument no file system
    takes (too long, or holding NUL) is tried as a revision, and refused there, located."""
    if argument is None:
        return Side(inventory, policies, "work tree", show(inventory), show(policies))
    folder = Path(argument)
    try:
        is_folder = len(argument) <= MAX_REVISION and folder.is_dir()
    except (OSError, ValueError):  # a name too long, or holding NUL
        is_folder = False
    if is_folder:
        beside = folder.parent / "policies"
        return Side(folder, beside, argument, show(folder), show(beside))
    scratch.mkdir(parents=True, exist_ok=True)
    return at_revision(argument, inventory, policies, scratch)


def shown_revision(revision: str) -> str:
    """``revision`` as messages print it: at most 60 characters, control characters escaped."""
    text = revision if len(revision) <= 60 else revision[:59] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _refused(revision: str) -> str | None:
    """Why ``revision`` is not given to git at all, or ``None``."""
    if not revision.strip():
        return "an empty revision"
    if len(revision) > MAX_REVISION:
        return f"a revision of {len(revision):,} characters; git names are at most {MAX_REVISION}"
    if revision.startswith("-"):
        return "a revision cannot start with '-'"
    if not revision.isprintable():
        return "a revision cannot hold control characters"
    return None


def repository_of(folder: Path) -> Path | None:
    """The top of the git work tree holding ``folder``, if any."""
    probe = folder if folder.is_dir() else folder.parent
    while not probe.is_dir():
        probe = probe.parent
    result = git(probe, "rev-parse", "--show-toplevel")
    return Path(result.stdout.decode().strip()) if result.returncode == 0 else None


def at_revision(revision: str, inventory: Path, policies: Path, into: Path) -> Side:
    """Extract the inventory (and policy) folder as of ``revision`` into ``into``.

    ``InvalidInput`` when the revision is not one, holds no inventory, or commits a symbolic
    link or submodule inside either folder (its target could be any file on this machine).
    """
    shown = shown_revision(revision)
    refused = _refused(revision)
    if refused:
        raise InvalidInput(
            [Problem(Location(shown), "", f"neither a folder nor a git revision: {refused}")]
        )
    repo = repository_of(inventory.resolve())
    if repo is None:
        raise InvalidInput(
            [
                Problem(
                    Location(str(inventory)),
                    "",
                    f"not in a git repository, so '{shown}' cannot be read as a revision",
                )
            ]
        )
    if git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").returncode:
        raise InvalidInput([Problem(Location(shown), "", "neither a folder nor a git revision")])
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
                    Location(f"{shown}:{names.get('inventory', inventory)}"),
                    "",
                    "no inventory folder at this revision",
                )
            ]
        )
    _refuse_links(repo, revision, shown, wanted)
    _extract(repo, revision, shown, wanted, into)
    inv = names["inventory"]
    pol = names.get("policies")
    return Side(
        inventory=into / inv,
        policies=(into / pol) if pol else None,
        label=shown,
        shown_inventory=f"{shown}:{inv}",
        shown_policies=f"{shown}:{pol}",
    )


def _extract(repo: Path, revision: str, shown: str, folders: list[str], into: Path) -> None:
    """The ``folders`` of ``revision`` written under ``into``, through ``git archive``."""
    archive = git(repo, "archive", "--format=tar", revision, "--", *folders)
    if archive.returncode:
        why = archive.stderr.decode(errors="replace").strip().splitlines()
        raise InvalidInput([Problem(Location(shown), "", why[0] if why else "git archive failed")])
    try:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise InvalidInput(
            [Problem(Location(shown), "", f"cannot be extracted: {error}")]
        ) from None


def _refuse_links(repo: Path, revision: str, shown: str, folders: list[str]) -> None:
    """``InvalidInput`` naming each symbolic link, submodule or file too large to read
    committed under ``folders``: sizes come from ``git ls-tree -l``, before any blob is read."""
    listing = git(repo, "ls-tree", "-r", "-l", "-z", "--full-tree", revision, "--", *folders)
    problems = []
    total = 0
    for entry in listing.stdout.decode(errors="replace").split("\0"):
        info, _, path = entry.partition("\t")
        fields = info.split()  # mode, type, object, size ('-' for a submodule)
        mode, size = (fields[0], fields[-1]) if len(fields) == 4 else ("", "")
        total += int(size) if size.isdigit() else 0
        if mode == _SYMLINK:
            what = "a symbolic link; only regular files are read, so commit the file itself"
        elif mode == _SUBMODULE:
            what = "a git submodule; only regular files are read, so commit the files themselves"
        elif size.isdigit() and int(size) > MAX_FILE_BYTES:
            what = f"file is {int(size):,} bytes; at most {MAX_FILE_BYTES // 2**20} MB are read"
        else:
            continue
        problems.append(Problem(Location(f"{shown}:{path}"), "", what))
    if not problems and total > MAX_REVISION_BYTES:
        what = f"{total:,} bytes of files; at most {MAX_REVISION_BYTES // 2**20} MB are read"
        problems.append(Problem(Location(shown), "", what))
    if problems:
        raise InvalidInput(problems)
