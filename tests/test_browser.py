"""What a person sees: the example wiki in headless Chromium (Debian's, through Playwright)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browsers import require_chromium, served
from tests.conftest import REPO


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(out)],
        cwd=REPO,
        env=env,
        check=True,
    )
    with served(out) as base:
        yield base
    shutil.rmtree(out, ignore_errors=True)


#: How long to wait for something the page does by itself (drawing a diagram, loading the
#: search index in its worker), in milliseconds: generous, as a loaded machine is slow; a
#: wait ends as soon as its condition holds.
PATIENCE = 180_000


def heading(page: object) -> str:
    """The page's h1 without the permalink sign."""
    return str(page.locator("h1").first.inner_text()).rstrip("¶").strip()  # type: ignore[attr-defined]


def test_home_site_server_and_search(site: str, browser: object, artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})  # type: ignore[attr-defined]
    page.set_default_timeout(PATIENCE)
    page.goto(f"{site}/dr/")
    assert heading(page) == "Fabrikam: disaster recovery"
    page.screenshot(path=str(artifacts / "home.png"))

    page.locator("article a", has_text="London").first.click()
    page.wait_for_url("**/dr/sites/london/")
    assert heading(page) == "Site London"
    page.screenshot(path=str(artifacts / "site-london.png"))

    page.locator("article a", has_text="LON-MBX02").first.click()
    page.wait_for_url("**/dr/servers/lon-mbx02/")
    assert heading(page) == "LON-MBX02"
    assert page.get_by_text("Setup.com /m:RecoverServer").first.is_visible()
    page.screenshot(path=str(artifacts / "server-lon-mbx02.png"), full_page=True)

    # Material draws Mermaid with the copy shipped in the site (no CDN): the diagram is an SVG.
    page.goto(f"{site}/dr/recovery-order/")
    page.locator("div.mermaid").first.wait_for(timeout=PATIENCE)
    assert page.locator("pre.mermaid").count() == 0
    page.screenshot(path=str(artifacts / "recovery-order.png"))

    page.goto(f"{site}/")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # The worker builds its index from search_index.json first ("Initializing search"), then
    # answers the query typed meanwhile: wait for that answer, however long the machine takes.
    page.locator(".md-search__input").fill("FRA-CAS01")
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=PATIENCE)
    assert "FRA-CAS01" in result.inner_text()
    page.screenshot(path=str(artifacts / "search.png"))
    result.click()
    page.wait_for_url("**/dr/servers/fra-cas01/**")
    page.close()
