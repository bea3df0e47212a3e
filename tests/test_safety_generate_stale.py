"""generate removes the pages it wrote earlier and no longer writes (a renamed server's
runbook), so a later build does not publish them; it removes nothing it did not mark, no
symbolic link, and nothing outside its output folder (issue 13). It removes only what the previous
run listed in its manifest, still marked and unchanged: a person's copy of a page, or a page
edited since, stays and is named as stale."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from tests.conftest import make_project, mkdocs, write

MARK = "exdr_generated: written by mkdocs-exdr generate; edits are lost on the next run"
STALE = f"---\n{MARK}\n---\n# An older page\n"


def generate(project: Path, output: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["generate", "-f", str(project / "mkdocs.yml"), "-o", str(output)]
    )
    return result.exit_code, result.stdout, result.stderr


def add_to_manifest(output: Path, paths: list[str]) -> None:
    """List ``paths`` in the manifest as an earlier generate would have, with their sha256."""
    manifest = output / ".exdr-generated.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    for path in paths:
        data["files"][path] = hashlib.sha256((output / path).read_bytes()).hexdigest()
    manifest.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def rename_server(project: Path, name: str) -> None:
    servers = project / "inventory" / "servers.yml"
    text = servers.read_text(encoding="utf-8")
    servers.write_text(text.replace("name: EX01", f"name: {name}"), encoding="utf-8")


def test_a_renamed_servers_old_page_is_removed_and_not_published(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    docs = project / "docs"
    code, out, err = generate(project, docs)
    assert code == 0, out + err
    assert (docs / "dr" / "servers" / "ex01.md").is_file()

    rename_server(project, "EX09")
    code, out, err = generate(project, docs)
    assert code == 0, out + err
    assert not (docs / "dr" / "servers" / "ex01.md").exists()
    assert (docs / "dr" / "servers" / "ex09.md").is_file()
    assert f"removed {docs.as_posix()}/dr/servers/ex01.md: marked by an earlier generate" in out
    assert out.count("removed ") == 1

    build = mkdocs(project)
    assert build.returncode == 0, build.stderr
    site = project / "site"
    assert (site / "dr" / "servers" / "ex09" / "index.html").is_file()
    assert not (site / "dr" / "servers" / "ex01").exists()
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert any(loc.startswith("dr/servers/ex09/") for loc in locations)
    assert not any(loc.startswith("dr/servers/ex01/") for loc in locations)


def test_only_marked_files_in_its_folders_are_removed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    out = tmp_path / "out"
    assert generate(project, out)[0] == 0
    kept = {
        "dr/servers/notes.md": "# Our notes\n",  # a person's page: no mark
        "dr/keep/mine.md": "# Mine\n",
        "dr/mark-later.md": f"# Title\n\n{MARK}\n",  # the mark, but not on its second line
        "elsewhere/old.md": STALE,  # marked, but not listed, and outside dr/ and assets/exdr/
        "assets/other/old.css": f"/* {MARK} */\n",
    }
    removed = {
        "dr/old-folder/deeper/page.md": STALE,  # its folders held only this: they go too
        "dr/keep/stale.md": STALE,  # its folder keeps mine.md
        "dr/plan-old.json": f'{{\n  "exdr_generated": "{MARK.split(": ", 1)[1]}",\n}}\n',
        "assets/exdr/old.js": f"/* {MARK} */\nconsole.log(1);\n",
    }
    write(out, kept | removed)
    # listed: what an earlier run wrote, and two entries no run writes (someone's page since,
    # and a path out of the output folder); elsewhere/old.md and dr/mark-later.md are not listed
    add_to_manifest(out, [*removed, "dr/servers/notes.md", "../p/mkdocs.yml"])
    code, output, err = generate(project, out)
    assert code == 0, output + err
    for path in kept:
        assert (out / path).is_file(), path
    for path in removed:
        assert not (out / path).exists(), path
        assert f"removed {out.as_posix()}/{path}:" in output
    assert output.count("removed ") == len(removed)
    assert not (out / "dr" / "old-folder").exists()
    assert (out / "dr" / "keep").is_dir()
    assert (out / "dr" / "index.md").is_file() and (out / "assets" / "exdr").is_dir()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_links_and_what_they_point_to_are_never_removed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    out, outside = tmp_path / "out", tmp_path / "outside"
    assert generate(project, out)[0] == 0
    write(outside, {"old.md": STALE, "linked/old.md": STALE})
    (out / "dr" / "servers" / "link.md").symlink_to(outside / "old.md")
    (out / "dr" / "linked").symlink_to(outside / "linked", target_is_directory=True)
    code, output, err = generate(project, out)
    assert code == 0, output + err
    assert (out / "dr" / "servers" / "link.md").is_symlink()
    assert (out / "dr" / "linked").is_symlink()
    assert (outside / "old.md").read_text() == STALE
    assert (outside / "linked" / "old.md").read_text() == STALE
    assert "removed " not in output


def test_nothing_is_removed_when_generate_refuses(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    out = tmp_path / "out"
    assert generate(project, out)[0] == 0
    rename_server(project, "EX09")
    write(out, {"dr/servers/ex09.md": "# EX09, by hand\n"})
    code, output, err = generate(project, out)
    assert code == 2, output + err
    assert (out / "dr" / "servers" / "ex01.md").is_file()  # the run stopped before removing
    assert "removed " not in output


def test_a_copy_of_a_generated_page_is_kept_and_named(tmp_path: Path) -> None:
    """(a) ``cp docs/dr/servers/ex09.md docs/dr/my-annotated.md`` plus notes: it carries the
    mark but no generate wrote it, so it stays, with a "stale" line saying why."""
    project = make_project(tmp_path / "p")
    docs = project / "docs"
    assert generate(project, docs)[0] == 0
    page = (docs / "dr" / "servers" / "ex01.md").read_text(encoding="utf-8")
    copy = docs / "dr" / "my-annotated.md"
    copy.write_text(page + "\n## My notes\n\nCall Bob first.\n", encoding="utf-8")
    (docs / "dr" / "plain-copy.md").write_text(page, encoding="utf-8")  # unchanged bytes too
    for _ in range(2):
        code, out, err = generate(project, docs)
        assert code == 0, out + err
        assert copy.read_text(encoding="utf-8").endswith("Call Bob first.\n")
        assert (docs / "dr" / "plain-copy.md").read_text(encoding="utf-8") == page
        assert "removed " not in out
        for name in ("my-annotated.md", "plain-copy.md"):
            assert f"stale {docs.as_posix()}/dr/{name}: left in place, marked, but not in" in out


def test_an_edited_page_of_a_renamed_server_is_kept_and_named(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    out = tmp_path / "out"
    assert generate(project, out)[0] == 0
    old = out / "dr" / "servers" / "ex01.md"
    old.write_text(old.read_text(encoding="utf-8") + "\nA note.\n", encoding="utf-8")
    rename_server(project, "EX09")
    code, output, err = generate(project, out)
    assert code == 0, output + err
    assert old.read_text(encoding="utf-8").endswith("A note.\n")
    assert "removed " not in output
    assert (
        f"stale {out.as_posix()}/dr/servers/ex01.md: left in place, changed since the earlier "
        "generate wrote it" in output
    )


def test_a_changed_path_removes_the_old_folder(tmp_path: Path) -> None:
    """(b) ``path: dr`` then ``path: recovery``: the old dr/ pages go (they would be published),
    except one edited since, which stays and is named."""
    project = make_project(tmp_path / "p")
    docs = project / "docs"
    assert generate(project, docs)[0] == 0
    write(docs, {"dr/mine.md": "# Mine\n"})
    edited = docs / "dr" / "sites" / "index.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEdited.\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - exdr" in text or "- exdr:" in text, text
    config.write_text(_with_path(text, "recovery"), encoding="utf-8")
    code, out, err = generate(project, docs)
    assert code == 0, out + err
    assert (docs / "recovery" / "servers" / "ex01.md").is_file()
    assert not (docs / "dr" / "servers").exists()
    assert not (docs / "dr" / "index.md").exists()
    assert (docs / "dr" / "mine.md").read_text(encoding="utf-8") == "# Mine\n"
    assert edited.read_text(encoding="utf-8").endswith("Edited.\n")
    assert f"removed {docs.as_posix()}/dr/servers/ex01.md: marked by an earlier" in out
    assert f"stale {docs.as_posix()}/dr/sites/index.md: left in place, changed since" in out
    # the next run has nothing more to remove: the manifest lists the new folder only
    code, out, err = generate(project, docs)
    assert code == 0, out + err
    assert "removed " not in out
    assert edited.is_file()


def _with_path(config: str, path: str) -> str:
    if "- exdr:\n" in config:
        return config.replace("- exdr:\n", f"- exdr:\n      path: {path}\n", 1)
    return config.replace("  - exdr\n", f"  - exdr:\n      path: {path}\n", 1)
