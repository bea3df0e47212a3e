"""Printable runbooks take each step from the server page that rendered it, a server page takes
a step another server page (or its own scenario before) rendered, and every page looks exactly as
when every step is rendered again (README, "Printable runbooks")."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from mkdocs_exdr.render.printouts import RenderedSteps, step_bodies
from tests.conftest import EXAMPLE_INVENTORY, SOUND_SERVER, html, make_project

PRINTOUTS = (
    "dr/print/organization/index.html",
    "dr/print/site-london/index.html",
    "dr/print/site-frankfurt/index.html",
)


def _example(root: Path) -> Path:
    project = make_project(
        root,
        mkdocs="""
        site_name: Example
        theme: {name: material}
        plugins:
          - search
          - exdr:
              as_of: "2026-11-20"
        markdown_extensions:
          - toc: {permalink: true}
        """,
    )
    shutil.rmtree(project / "inventory")
    shutil.copytree(EXAMPLE_INVENTORY, project / "inventory")
    return project


def _main(page: str) -> str:
    """The article of a page (its main content) and its table of contents."""
    body = page[page.index("<article") : page.index("</article>")]
    toc = page[page.find('data-md-component="toc"') :]
    return body + toc[: toc.find("</nav>")]


def _build(project: Path) -> dict[str, str]:
    build(load_config(str(project / "mkdocs.yml")))
    servers = sorted((project / "site" / "dr" / "servers").glob("*/index.html"))
    paths = [*PRINTOUTS, *(str(p.relative_to(project / "site")) for p in servers)]
    return {path: _main(html(project, path)) for path in paths}


def test_printouts_are_the_same_when_steps_are_rendered_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _example(tmp_path)
    reused: list[int] = []
    on_servers: list[int] = []
    use = RenderedSteps.use

    def counting(self: RenderedSteps, markdown: str) -> str:
        result = use(self, markdown)
        count = result.count("<!-- exdr-step-body ")
        (reused if "Printable runbook" in markdown[:300] else on_servers).append(count)
        return result

    monkeypatch.setattr(RenderedSteps, "use", counting)
    once = _build(project)
    assert sum(reused) > 100  # the printouts did take their steps from the server pages
    assert sum(on_servers) > 30  # and server pages the steps of earlier server pages
    index = json.loads((project / "site" / "search" / "search_index.json").read_text("utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert any(place.startswith("dr/servers/") for place in locations)
    assert not any(place.startswith("dr/print/") for place in locations)  # the same text
    monkeypatch.setattr(RenderedSteps, "use", lambda self, markdown: markdown)
    again = _build(project)
    assert len(once) > 15 and once.keys() == again.keys()
    for path in once:
        assert "exdr-step-body" not in once[path]
        if path in PRINTOUTS:
            assert once[path].count('class="exdr-step"') > 10, path
        assert once[path] == again[path], path


def test_a_step_written_differently_on_its_server_page_is_rendered_again() -> None:
    steps = RenderedSteps()
    server = "## 1. Stop { .exdr-step }\n\nSee [the site](../sites/a.md).\n\n## Verify\n"
    steps.learn(server, '<h2 class="exdr-step" id="1">1. Stop</h2>\n<p>rendered</p>\n<h2>V</h2>')
    same = "#### 1. Stop { .exdr-step }\n\nSee [the site](../sites/a.md).\n"
    other = "#### 1. Stop { .exdr-step }\n\nSee [the site](sites/a.md).\n"
    assert re.search(r"<!-- exdr-step-body [0-9a-f]{32} [0-9a-f]{32} -->", steps.use(same))
    assert steps.use(other) == other
    filled = steps.fill(steps.use(same))
    assert filled.startswith("#### 1. Stop { .exdr-step }\n\n")
    assert filled.split() == ["####", "1.", "Stop", "{", ".exdr-step", "}", "<p>rendered</p>"]


def test_a_server_page_whose_headings_do_not_pair_up_lends_nothing() -> None:
    steps = RenderedSteps()
    markdown = "### 1. A { .exdr-step }\n\ntext\n\n### 2. B { .exdr-step }\n\nmore\n"
    steps.learn(markdown, '<h3 class="exdr-step">1. A</h3><p>text</p>')
    assert steps.html == {}
    steps.learn(markdown.split("### 2.")[0], '<h3 class="exdr-step">1. A</h3><pre id="l1">x</pre>')
    assert steps.html == {}  # a body with anchors of its own is numbered per page


def test_headings_inside_a_fenced_command_are_neither_steps_nor_ends() -> None:
    markdown = (
        "### 1. Run it { .exdr-step }\n\nText.\n\n```powershell\n# a comment\n"
        "### 2. Not a step { .exdr-step }\n```\n\n<small>Source</small>\n\n## Verify\n"
    )
    ((_, start, stop),) = step_bodies(markdown)
    assert markdown[start:stop].strip().endswith("<small>Source</small>")
    assert "# a comment" in markdown[start:stop]


def test_under_serve_dirty_a_rebuilt_printout_takes_unchanged_servers_steps_from_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = SOUND_SERVER.replace("servers:\n", "").replace("EX01", "EX02").replace("ex01", "ex02")
    project = make_project(tmp_path, inventory=SOUND_SERVER + second)
    config = load_config(str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=True)
    build(config, dirty=True)
    servers = project / "inventory" / "servers.yml"
    servers.write_text(servers.read_text().replace("ex02.corp", "ex02-new.corp"), "utf-8")
    reused: list[str] = []
    use = RenderedSteps.use

    def recording(self: RenderedSteps, markdown: str) -> str:
        result = use(self, markdown)
        if "Printable runbook" in markdown[:300]:
            reused.append(result)
        return result

    monkeypatch.setattr(RenderedSteps, "use", recording)
    build(config, dirty=True)
    assert len(reused) == 2  # the printouts of the organisation and of site Seattle
    for printout in reused:  # every step, EX01's (not rebuilt) as well as EX02's
        assert printout.count("<!-- exdr-step-body ") == printout.count("{ .exdr-step }") > 5
    dirty = _main(html(project, "dr/print/site-seattle/index.html"))
    monkeypatch.setattr(RenderedSteps, "use", lambda self, markdown: markdown)
    build(load_config(str(project / "mkdocs.yml")))
    assert dirty == _main(html(project, "dr/print/site-seattle/index.html"))


TWO_SERVERS = SOUND_SERVER + SOUND_SERVER.replace("servers:\n", "").replace("EX01", "EX02").replace(
    "ex01", "ex02"
)


def _two_servers(root: Path, option: str = "", extensions: str = "[]", **docs: str) -> Path:
    """A project of EX01 and EX02 with the plugin (and ``option`` for it), no search."""
    config = f"""
        site_name: Test DR
        theme: {{name: material}}
        plugins:
          - exdr:
              as_of: "2026-11-20"
              {option}
        markdown_extensions: {extensions}
        """
    return make_project(root, inventory=TWO_SERVERS, mkdocs=config, docs=docs)


def test_a_page_with_local_notes_renders_its_own_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Local notes may define abbreviations (or reference links) for their page: its steps are
    rendered there, not taken from a page without them, nor lent to one."""
    notes = "Our notes.\n\n*[Exchange]: Microsoft Exchange Server\n"
    project = _two_servers(tmp_path, extensions="[abbr]", **{"docs/dr/servers/ex02.md": notes})
    pages = ("dr/servers/ex01/index.html", "dr/servers/ex02/index.html")
    build(load_config(str(project / "mkdocs.yml")))
    once = [_main(html(project, page)) for page in pages]
    monkeypatch.setattr(RenderedSteps, "use", lambda self, markdown: markdown)
    build(load_config(str(project / "mkdocs.yml")))
    again = [_main(html(project, page)) for page in pages]
    assert once == again
    bodies = re.sub(r"<h([1-6])\b.*?</h\1>", "", once[1], flags=re.DOTALL)
    assert bodies.count("<abbr") > 5  # the abbreviation is in step bodies, not only in headings
    assert "<abbr" not in once[0]


def test_with_the_users_page_templates_no_step_is_taken_from_another_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = {"templates/site.md.j2": "# Site {{ site.name | md }}\n"}
    project = _two_servers(tmp_path, "templates: templates", **template)
    used: list[str] = []
    monkeypatch.setattr(
        RenderedSteps, "use", lambda self, markdown: used.append(markdown) or markdown
    )
    build(load_config(str(project / "mkdocs.yml")))
    assert used == []
    printout = html(project, "dr/print/organization/index.html")
    assert printout.count('class="exdr-step"') > 10 and "exdr-step-body" not in printout


def test_a_hand_written_page_in_the_servers_folder_neither_takes_nor_lends_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hand = "# Our own page\n\n### 1. Stop the services { .exdr-step }\n\nAsk Exchange.\n"
    project = make_project(tmp_path, inventory=TWO_SERVERS, docs={"docs/dr/servers/aa.md": hand})
    used: list[str] = []
    use = RenderedSteps.use

    def recording(self: RenderedSteps, markdown: str) -> str:
        used.append(markdown)
        return use(self, markdown)

    monkeypatch.setattr(RenderedSteps, "use", recording)
    build(load_config(str(project / "mkdocs.yml")))
    assert len(used) > 2  # the two server pages and the printouts
    assert not any("Our own page" in markdown for markdown in used)
    assert "Ask Exchange." in html(project, "dr/servers/aa/index.html")
