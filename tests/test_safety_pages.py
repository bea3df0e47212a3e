"""Hostile organisation and site names in a real build: no markup in ``<title>``, the nav or
the tags, under Material with its ``tags`` plugin and under MkDocs' own theme, and no script
runs in headless Chromium."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.render.pages import front_matter
from tests.browsers import served
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, html, make_project, mkdocs

SITE = "</title><script>window.__x=1</script><img src=x onerror=window.__x=2>"
ORG = '</title><script>window.__x=3</script>&lt;script&gt;window.__x=4&lt;/script&gt;"'
PAGES = ("dr/index.html", "dr/servers/ex01/index.html", f"dr/sites/{slugify(SITE)}/index.html")
THEMES = {
    "material": """
        site_name: Test DR
        theme: {name: material}
        plugins:
          - search
          - tags
          - exdr:
              as_of: "2026-11-20"
        """,
    "mkdocs": """
        site_name: Test DR
        theme: {name: mkdocs}
        plugins:
          - search
          - exdr:
              as_of: "2026-11-20"
        """,
}


def _hostile_project(root: Path, theme: str) -> Path:
    project = make_project(
        root,
        mkdocs=THEMES[theme],
        inventory=SOUND_SERVER.replace("site: Seattle", f"site: {json.dumps(SITE)}"),
    )
    org = MINIMAL_ORG.replace("name: Contoso", f"name: {json.dumps(ORG)}")
    org = org.replace("  - name: Seattle", f"  - name: {json.dumps(SITE)}")
    (project / "inventory" / "org.yml").write_text(org, encoding="utf-8")
    return project


@pytest.fixture(scope="module", params=sorted(THEMES))
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = _hostile_project(tmp_path_factory.mktemp(request.param), request.param)
    result = mkdocs(project)
    assert result.returncode == 0, result.stderr
    return project


class _Elements(HTMLParser):
    """Tags of a document, and the raw text inside ``<title>`` and inside each tag link."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.tags: list[str] = []
        self.title = ""
        self._in_title = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def _tag_texts(text: str) -> list[str]:
    return re.findall(r'<(?:a|span)[^>]*class="md-tag[^"]*"[^>]*>(.*?)</(?:a|span)>', text, re.S)


def test_front_matter_values_are_one_line_of_plain_text() -> None:
    for value in (SITE, ORG, "a\u202eb\nc\x00d", "St John's Wood"):
        decoded = yaml.safe_load(f"title: {front_matter(value)}")["title"]
        assert not set(decoded) & set('<>&"\n\x00\u202e'), decoded
    assert yaml.safe_load(f"t: {front_matter('Seattle (HQ) 😀')}")["t"] == "Seattle (HQ) 😀"


def test_no_markup_from_names_in_title_nav_or_tags(built: Path) -> None:
    for path in PAGES:
        text = html(built, path)
        elements = _Elements(text)
        assert elements.tags.count("script") == text.count("<script"), path
        assert "window.__x" not in "".join(re.findall(r"<script[^>]*>(.*?)</script>", text, re.S))
        assert "<img src=x" not in text and "<script>window" not in text, path
        assert "</title><" not in elements.title and "<" not in elements.title, elements.title
        assert elements.title.count("</title>") == 0
        for tag in _tag_texts(text):
            assert "<" not in tag and "&lt;" not in tag, tag


def test_the_tags_show_the_site_name_in_look_alike_characters(tmp_path: Path) -> None:
    project = _hostile_project(tmp_path, "material")
    result = mkdocs(project)
    assert result.returncode == 0, result.stderr
    tags = _tag_texts(html(project, "dr/servers/ex01/index.html"))
    assert any("\uff1cscript\uff1e" in tag for tag in tags), tags


@pytest.fixture(scope="module")
def site_url(built: Path) -> Iterator[str]:
    with served(built / "site") as base:
        yield base


def test_no_script_from_names_runs_in_chromium(site_url: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for path in PAGES:
        page.goto(f"{site_url}/{path.removesuffix('index.html')}", wait_until="load")
        assert page.evaluate("typeof window.__x") == "undefined", path
        assert "<" not in page.title(), path
    assert dialogs == []
    page.close()
