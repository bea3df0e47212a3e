"""The wiki needs nothing from outside: the example site, served on the loopback address with
every request to another host blocked and recorded, under Material and under MkDocs' own theme.

Material draws Mermaid into a closed shadow root; the tests open it (``attachShadow`` forced to
``open`` before any script runs) to read the drawn SVG.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.browsers import require_chromium, served
from tests.conftest import REPO, mkdocs

#: One page of each type.
PAGES = {
    "home": "dr/",
    "server": "dr/servers/lon-mbx02/",
    "role": "dr/roles/mailbox/",
    "site": "dr/sites/london/",
    "recovery order": "dr/recovery-order/",
    "backup matrix": "dr/backup-matrix/",
    "findings": "dr/findings/",
    "printout": "dr/print/organization/",
}
OPEN_SHADOW_ROOTS = (
    "const attach = Element.prototype.attachShadow;"
    "Element.prototype.attachShadow = function (init) {"
    " return attach.call(this, Object.assign({}, init, { mode: 'open' })); };"
)


def example(root: Path, theme: str, **options: Any) -> Path:
    """A copy of the example project under ``root``, built with ``theme`` and exdr ``options``."""
    for folder in ("docs", "inventory"):
        shutil.copytree(REPO / folder, root / folder)
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    if theme != "material":
        config["theme"] = {"name": theme}
        config["plugins"] = [p for p in config["plugins"] if p != "tags"]
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "exdr" in plugin:
            plugin["exdr"].update(options)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    result = mkdocs(root)
    assert result.returncode == 0, result.stderr
    return root / "site"


@pytest.fixture(scope="module", params=["material", "mkdocs"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    with served(example(tmp_path_factory.mktemp(request.param), request.param)) as base:
        yield base


class Recorder:
    """A browser context that lets requests to ``base`` through and blocks and records others."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.elsewhere: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000})
        self.context.add_init_script(OPEN_SHADOW_ROOTS)
        self.context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith((f"{self.base}/", "data:", "blob:", "about:")):
            route.continue_()
        else:
            self.elsewhere.append(url)
            route.abort()


def diagram_text(page: Any) -> str:
    """The text of the first drawn Mermaid diagram (an SVG), once it is drawn."""
    svg = page.locator(".mermaid svg").first
    svg.wait_for(timeout=20000)
    return str(svg.text_content())


def test_no_page_type_asks_another_host_for_anything(site: str, browser: Any) -> None:
    recorder = Recorder(browser, site)
    page = recorder.context.new_page()
    for kind, path in PAGES.items():
        page.goto(f"{site}/{path}", wait_until="networkidle")
        assert page.locator("h1").first.is_visible(), kind
        assert recorder.elsewhere == [], f"{kind} ({path}) asked for {recorder.elsewhere}"
    recorder.context.close()


def test_the_recovery_order_is_drawn_as_servers_that_link_to_their_pages(
    site: str, browser: Any
) -> None:
    recorder = Recorder(browser, site)
    page = recorder.context.new_page()
    page.goto(f"{site}/dr/recovery-order/")
    text = diagram_text(page)
    for name in ("LON-MBX02", "FRA-HUB01", "DMZ-EDGE01", "London: 5 servers", "Wave 3"):
        assert name in text
    assert "flowchart TB" not in page.locator("body").inner_text()  # no source left undrawn
    page.locator(".mermaid svg a", has_text="LON-MBX02").first.click()
    page.wait_for_url("**/dr/servers/lon-mbx02/")
    assert page.locator("h1").first.inner_text().startswith("LON-MBX02")
    assert recorder.elsewhere == []
    recorder.context.close()


def test_with_external_assets_material_fetches_fonts_and_mermaid_again(
    tmp_path: Path, browser: Any
) -> None:
    """The opt-out works, and the recorder sees what leaves the host (so the tests above can
    fail): Google Fonts on every page, Mermaid from unpkg on the recovery order."""
    require_chromium()
    built = example(tmp_path, "material", external_assets=True)
    assert "fonts.googleapis.com" in (built / "dr/index.html").read_text(encoding="utf-8")
    with served(built) as base:
        recorder = Recorder(browser, base)
        page = recorder.context.new_page()
        page.goto(f"{base}/dr/recovery-order/", wait_until="networkidle")
        recorder.context.close()
    assert any("fonts.googleapis.com" in url for url in recorder.elsewhere)
    assert any("unpkg.com/mermaid" in url for url in recorder.elsewhere)
