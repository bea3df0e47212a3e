"""What a reader sees: the example wiki in headless Chromium, with screenshots of the DR home, a
server page, the recovery order, the backup matrix and the findings kept in ``artifacts``
(``EXDR_ARTIFACTS=artifacts`` keeps them in the git-ignored ``artifacts/`` folder), and the
backup matrix used as a reader uses it: scrolled sideways, filtered, printed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browsers import require_chromium, served
from tests.conftest import SOUND_SERVER, make_project, mkdocs
from tests.test_wiki_assets import OPEN_SHADOW_ROOTS, diagram_text, example

SCREENS = {
    "home": ("dr/", None),
    "server": ("dr/servers/lon-mbx02/", None),
    "server-backups": ("dr/servers/lon-mbx02/", "#backup-jobs"),
    "recovery-order": ("dr/recovery-order/", "#loss-of-the-whole-organisation"),
    "backup-matrix": ("dr/backup-matrix/", None),
    "findings": ("dr/findings/", None),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with served(example(tmp_path_factory.mktemp("screens"), "material")) as base:
        yield base


@pytest.fixture
def page(site: str, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(OPEN_SHADOW_ROOTS)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", SCREENS)
def test_screenshots_of_the_pages_people_open(
    name: str, site: str, page: Any, artifacts: Path
) -> None:
    path, anchor = SCREENS[name]
    page.goto(f"{site}/{path}")
    if name == "recovery-order":
        assert "LON-MBX02" in diagram_text(page)
    if anchor:
        page.locator(anchor).scroll_into_view_if_needed()
        page.evaluate(f"document.querySelector('{anchor}').scrollIntoView()")
    shot = artifacts / f"{name}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000


def test_the_server_column_stays_in_view_when_the_matrix_scrolls_sideways(
    site: str, page: Any
) -> None:
    page.set_viewport_size({"width": 900, "height": 900})
    page.goto(f"{site}/dr/backup-matrix/")
    scroller = page.locator(".exdr-matrix-scroll")
    first = page.locator(".exdr-matrix tbody th").first
    before = first.bounding_box()
    width = scroller.evaluate("e => e.scrollWidth - e.clientWidth")
    assert width > 100, "the matrix does not scroll at this width"
    scroller.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    after = first.bounding_box()
    assert after["x"] == pytest.approx(before["x"], abs=1)
    # The server name is on top of the cells that scrolled under it.
    x, y = after["x"] + 5, after["y"] + after["height"] / 2
    assert page.evaluate(f"document.elementFromPoint({x}, {y}).closest('th') !== null")
    last_title = page.locator(".exdr-matrix thead abbr").last
    assert last_title.get_attribute("title") == "um-custom-prompts"
    assert last_title.inner_text() == "Custom audio prompts"


def test_the_matrix_filters_by_site_and_by_role(site: str, page: Any) -> None:
    page.goto(f"{site}/dr/backup-matrix/")
    rows = page.locator(".exdr-matrix tbody tr")
    total = rows.count()
    page.locator(".exdr-filter select").first.select_option("London")
    shown = [r for r in rows.all() if r.is_visible()]
    assert 0 < len(shown) < total
    assert all(r.get_attribute("data-site") == "London" for r in shown)
    page.locator(".exdr-filter select").last.select_option("hub-transport")
    shown = [r.locator("th").inner_text() for r in rows.all() if r.is_visible()]
    assert shown == ["LON-HUB01", "LON-HUB02"]
    assert page.locator(".exdr-filter").inner_text().endswith("2 of 14 servers")


def test_each_matrix_state_has_a_word_and_a_colour_and_prints_whole(site: str, page: Any) -> None:
    page.goto(f"{site}/dr/backup-matrix/")
    backgrounds = {}
    for state, word in (("covered", "✓ covered"), ("not-covered", "○ not covered")):
        cell = page.locator(f".exdr-matrix td.exdr-{state}").first
        assert cell.inner_text().startswith(word)
        backgrounds[state] = cell.evaluate("e => getComputedStyle(e).backgroundColor")
    assert len(set(backgrounds.values())) == 2 and "rgba(0, 0, 0, 0)" not in backgrounds.values()
    levels = page.locator(".exdr-matrix td small").all_inner_texts()
    assert {t.casefold() for t in levels} == {"required", "recommended"}
    page.emulate_media(media="print")
    assert not page.locator(".exdr-filter").is_visible()
    scroller = page.locator(".exdr-matrix-scroll")
    assert scroller.evaluate("e => getComputedStyle(e).overflowX") == "visible"


def test_a_long_matrix_keeps_its_column_titles_and_server_names_in_view(
    tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    """Beyond 20 servers the matrix scrolls in its own box: titles stick at its top, names at
    its left, and a print shows the whole table."""
    require_chromium()
    body = SOUND_SERVER.split("servers:\n", 1)[1]
    servers = "servers:\n" + "".join(body.replace("EX01", f"EX{n:02}") for n in range(1, 26))
    project = make_project(tmp_path, inventory=servers)
    assert mkdocs(project).returncode == 0
    with served(project / "site") as base:
        page = browser.new_page(viewport={"width": 900, "height": 700})
        page.goto(f"{base}/dr/backup-matrix/")
        box = page.locator(".exdr-matrix-scroll.exdr-matrix-long")
        title = page.locator(".exdr-matrix thead th").nth(2)
        name = page.locator(".exdr-matrix tbody th").first
        box.scroll_into_view_if_needed()
        top = box.bounding_box()["y"]
        box.evaluate("e => { e.scrollTop = e.scrollHeight; e.scrollLeft = e.scrollWidth; }")
        assert box.evaluate("e => e.scrollTop") > 100
        assert title.bounding_box()["y"] == pytest.approx(top, abs=2)
        assert page.locator(".exdr-matrix tbody th").last.is_visible()
        x = name.bounding_box()["x"]
        assert x == pytest.approx(box.bounding_box()["x"], abs=2)
        page.screenshot(path=str(artifacts / "backup-matrix-long.png"))
        page.emulate_media(media="print")
        assert box.evaluate("e => getComputedStyle(e).maxHeight") == "none"
        page.close()
