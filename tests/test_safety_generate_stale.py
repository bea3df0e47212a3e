"""generate removes the pages it wrote earlier and no longer writes (a renamed server's
runbook), so a later build does not publish them; it removes nothing it did not mark, no
symbolic link, and nothing outside its two folders (issue 13)."""

from __future__ import annotations

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
        "elsewhere/old.md": STALE,  # marked, but outside dr/ and assets/exdr/
        "assets/other/old.css": f"/* {MARK} */\n",
    }
    removed = {
        "dr/old-folder/deeper/page.md": STALE,  # its folders held only this: they go too
        "dr/keep/stale.md": STALE,  # its folder keeps mine.md
        "dr/plan-old.json": f'{{\n  "exdr_generated": "{MARK.split(": ", 1)[1]}",\n}}\n',
        "assets/exdr/old.js": f"/* {MARK} */\nconsole.log(1);\n",
    }
    write(out, kept | removed)
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
