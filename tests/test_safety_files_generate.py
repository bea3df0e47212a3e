"""generate never loses what people own: it marks what it writes, replaces nothing else, writes
nothing outside -o; the plugin replaces, and does not merge, a page generate wrote (issue 13)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.plugin.plugin import is_generated
from tests.conftest import html, log_lines, make_project, mkdocs, write

MARK = "exdr_generated: written by mkdocs-exdr generate; edits are lost on the next run"


def generate(project: Path, output: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        main, ["generate", "-f", str(project / "mkdocs.yml"), "-o", str(output)]
    )
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_file_generate_writes_is_marked(tmp_path: Path) -> None:
    project = make_project(tmp_path / "source")
    out = tmp_path / "out"
    code, output, err = generate(project, out)
    assert code == 0, output + err
    files = sorted((out / "dr").rglob("*.*"))
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert is_generated(text), path
        if path.suffix == ".md":
            assert text.startswith(f"---\n{MARK}\n"), path
            assert text.count("\n---\n") >= 1  # front matter first, closed once
    server = (out / "dr" / "servers" / "ex01.md").read_text(encoding="utf-8")
    front_matter = server.split("\n---\n", 1)[0]
    assert "tags:" in front_matter  # the page's own front matter: one block, mark first
    plan = json.loads((out / "dr" / "plan.json").read_text(encoding="utf-8"))
    assert plan["exdr_generated"] == MARK.split(": ", 1)[1] and plan["schema_version"] == 1
    # Its own output is replaced on the next run, edits included.
    (out / "dr" / "index.md").write_text(f"---\n{MARK}\n---\n# edited\n", encoding="utf-8")
    assert generate(project, out)[0] == 0
    assert "# edited" not in (out / "dr" / "index.md").read_text(encoding="utf-8")


def test_generate_refuses_to_replace_pages_people_wrote(tmp_path: Path) -> None:
    project = make_project(tmp_path / "source")
    out = tmp_path / "out"
    assert generate(project, out)[0] == 0
    mine = {
        "dr/servers/ex01.md": "# EX01\n\nThe rack key is in the safe.\n",
        "dr/findings.md": "---\ntitle: Ours\n---\n# Findings we track\n",
    }
    write(out, mine)
    before = snapshot(out)
    code, output, err = generate(project, out)
    assert code == 2, output + err
    for path in mine:
        assert f"{out.as_posix()}/{path}: not written by mkdocs-exdr generate" in err
    assert "2 problems" in err
    assert snapshot(out) == before  # nothing written, not even the other pages


def test_generate_refuses_a_hand_written_page_before_its_first_run(tmp_path: Path) -> None:
    project = make_project(tmp_path / "source")
    out = write(tmp_path / "out", {"dr/index.md": "# Our DR notes\n"})
    code, _, err = generate(project, out)
    assert code == 2 and "dr/index.md: not written by mkdocs-exdr generate" in err
    assert (out / "dr" / "index.md").read_text() == "# Our DR notes\n"
    assert sorted(p.name for p in (out / "dr").iterdir()) == ["index.md"]


@pytest.mark.parametrize("path", ["../../x", "dr/../../x", "/tmp/x", "C:\\x", "dr\\..\\..\\x"])
def test_a_path_outside_the_output_folder_is_located_and_exit_2(tmp_path: Path, path: str) -> None:
    project = make_project(
        tmp_path / "a" / "b",
        mkdocs=f"""
        site_name: t
        plugins:
          - exdr:
              as_of: "2026-11-20"
              path: {json.dumps(path)}
        """,
    )
    code, out, err = generate(project, tmp_path / "a" / "b" / "out")
    assert code == 2, out + err
    config = (project / "mkdocs.yml").as_posix()
    assert f"{config}:5:7: plugins.exdr.path: {path!r} leaves the docs folder" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b"]
    assert not (tmp_path / "a" / "b" / "out").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")
def test_generate_writes_nothing_through_a_link_out_of_the_output_folder(tmp_path: Path) -> None:
    project = make_project(tmp_path / "source")
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    elsewhere.mkdir()
    out.mkdir()
    (out / "dr").symlink_to(elsewhere, target_is_directory=True)
    code, output, err = generate(project, out)
    assert code == 2, output + err
    assert "outside the output folder" in err
    assert list(elsewhere.iterdir()) == []

    (out / "dr").unlink()
    (out / "dr" / "servers").mkdir(parents=True)
    secret = tmp_path / "secret.md"
    secret.write_text("keep\n")
    (out / "dr" / "servers" / "ex01.md").symlink_to(secret)
    code, _, err = generate(project, out)
    assert code == 2 and "outside the output folder" in err
    assert secret.read_text() == "keep\n"


def test_the_plugin_replaces_a_page_generate_wrote_and_keeps_local_notes(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert generate(project, project / "docs")[0] == 0
    write(project, {"docs/dr/sites/seattle.md": "The site key is at reception.\n"})
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    infos = log_lines(result, "INFO")
    assert (
        "INFO    -  mkdocs_exdr: replaced dr/servers/ex01.md, written by mkdocs-exdr generate, "
        "with the page built now" in infos
    )
    assert not any("merged dr/servers/ex01.md" in line for line in infos)
    assert any("merged dr/sites/seattle.md into the generated page" in line for line in infos)
    server = html(project, "dr/servers/ex01/index.html")
    assert "Local notes" not in server
    assert server.count("<h1") == 1  # the page once, not twice
    assert "exdr_generated" not in server  # the mark stays in the front matter
    assert "The site key is at reception." in html(project, "dr/sites/seattle/index.html")
    plan = json.loads(html(project, "dr/plan.json"))
    assert "exdr_generated" not in plan  # the plugin's own plan.json


def test_the_plugin_refuses_a_path_outside_the_docs_folder(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        mkdocs="""
        site_name: Test DR
        theme: {name: mkdocs}
        plugins:
          - exdr:
              path: ../outside
              as_of: "2026-11-20"
        """,
    )
    result = mkdocs(project)
    assert result.returncode == 1
    assert "'../outside' leaves the docs folder" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "outside").exists()


def test_generate_replaces_a_hard_link_instead_of_writing_through_it(tmp_path: Path) -> None:
    project = make_project(tmp_path / "source")
    output = tmp_path / "out"
    assert generate(project, output)[0] == 0
    page = output / "dr" / "servers" / "ex01.md"
    outside = tmp_path / "outside.md"
    outside.write_text(page.read_text(encoding="utf-8") + "ATTACKER-LINE\n", encoding="utf-8")
    page.unlink()
    os.link(outside, page)
    assert generate(project, output)[0] == 0
    assert outside.read_text(encoding="utf-8").endswith("ATTACKER-LINE\n"), "left alone"
    assert "ATTACKER-LINE" not in page.read_text(encoding="utf-8")
    assert page.stat().st_nlink == 1
