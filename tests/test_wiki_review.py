"""The example wiki as an Exchange 2007 administrator reads it (issue 14 review): every heading is a
heading, the diagrams name every server, scenarios say when they cannot work as offered, the
paths shown are the server's own, and ids are shown as titles."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.render.pages import PageSet, render_pages
from tests.browsers import require_chromium, served
from tests.conftest import EXAMPLE_INVENTORY
from tests.test_wiki_assets import example

AS_OF = "2026-11-20"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example(tmp_path_factory.mktemp("review"), "material")


@pytest.fixture(scope="module")
def pages() -> PageSet:
    plan = build_plan(EXAMPLE_INVENTORY, None, dt.date.fromisoformat(AS_OF), shown_inventory="x")
    return render_pages(plan)


def h3_headings(markdown: str) -> list[str]:
    """The ``###`` headings of a Markdown page, outside fenced code."""
    headings, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("### "):
            headings.append(line)
    return headings


def test_every_h3_heading_of_every_example_server_page_is_an_h3(site: Path, pages: PageSet) -> None:
    servers = sorted(p for p in pages.pages if p.startswith("servers/") and p != "servers/index.md")
    assert len(servers) >= 10
    checked = 0
    for path in servers:
        name = path.removeprefix("servers/").removesuffix(".md")
        page = (site / "dr" / "servers" / name / "index.html").read_text(encoding="utf-8")
        wanted = h3_headings(pages.pages[path])
        assert page.count("<h3") == len(wanted), path
        assert "###" not in re.sub(r"<code>.*?</code>", "", page, flags=re.S), path
        checked += bool(wanted)
    assert checked >= 10  # every page but the decommissioned one has headings to check


def test_the_credentials_heading_follows_the_edge_export_table(site: Path) -> None:
    page = (site / "dr/servers/dmz-edge01/index.html").read_text(encoding="utf-8")
    assert re.search(r"<h3 id=\"credentials[^\"]*\">Credentials \(in the password manager\)", page)


def test_a_site_of_fifty_servers_draws_all_of_them_on_its_page(tmp_path: Path) -> None:
    from benchmarks.generate import generate

    plan = build_plan(generate(tmp_path, 50), None, dt.date.fromisoformat(AS_OF))
    site = render_pages(plan).pages["sites/site000.md"]
    diagram = site[site.index("``` mermaid") : site.index("```\n", site.index("``` mermaid") + 3)]
    for n in range(50):
        assert f'["S000-{n:02d}"]' in diagram, n
    assert ":::group" not in diagram
    assert 'href "./"' not in diagram
    assert '<span id="wave-1"></span>' in site


def queue_row(site: Path, server: str) -> str:
    page = (site / f"dr/servers/{server}/index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>\s*<td>Queue database</td>(.*?)</tr>", page, re.S)
    assert len(rows) == 1, server
    return str(rows[0])


@pytest.mark.parametrize(
    ("server", "recorded"),
    [("dmz-edge01", "D:\\TransportQueue"), ("lon-hub02", "Q:\\TransportQueue")],
)
def test_the_queue_database_is_shown_where_the_inventory_moved_it(
    site: Path, server: str, recorded: str
) -> None:
    row = queue_row(site, server)
    assert f"<td>{recorded}</td>" in row
    assert "TransportRoles\\data\\Queue" not in row


def test_a_queue_database_left_in_place_is_shown_as_the_default(site: Path) -> None:
    row = queue_row(site, "fra-hub01")
    assert "\\TransportRoles\\data\\Queue (the default location)</td>" in row


@pytest.mark.parametrize("path", ["recovery-order.md", "sites/london.md"])
def test_edge_subscription_nodes_open_the_resubscribe_scenario(pages: PageSet, path: str) -> None:
    page = pages.pages[path]
    diagram = page[page.index("``` mermaid") : page.index("```\n", page.index("``` mermaid") + 3)]
    assert diagram.count("/dmz-edge01/#scenario-resubscribe") == 1
    assert "No site" not in diagram.split("subgraph w2")[-1]  # after wave 1's rebuilt Edges


def test_diagram_links_look_like_links_under_mkdocs_own_theme(
    tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> None:
    require_chromium()
    with served(example(tmp_path_factory.mktemp("plain"), "mkdocs")) as base:
        page = browser.new_page()
        page.goto(f"{base}/dr/recovery-order/")
        page.locator(".mermaid svg a").first.wait_for(timeout=20000)
        styles = page.evaluate(
            "() => [...document.querySelectorAll('.mermaid svg a .nodeLabel')].map("
            "l => getComputedStyle(l).textDecorationLine)"
        )
        page.close()
    assert len(styles) > 10 and set(styles) == {"underline"}


def test_the_matrix_filter_shows_role_titles_and_a_filtered_printout_says_so(
    site: Path, browser: Any
) -> None:
    require_chromium()
    with served(site) as base:
        page = browser.new_page()
        page.goto(f"{base}/dr/backup-matrix/")
        role = page.locator(".exdr-filter select").nth(1)
        role.wait_for()
        options = dict(
            zip(
                role.locator("option").evaluate_all("os => os.map(o => o.value)"),
                role.locator("option").all_inner_texts(),
                strict=True,
            )
        )
        assert options["client-access"] == "Client Access"
        assert options["edge-transport"] == "Edge Transport"
        note = page.locator(".exdr-filter-note")
        page.emulate_media(media="print")
        assert not note.is_visible()  # the whole matrix: nothing to say
        page.emulate_media(media="screen")
        page.locator(".exdr-filter select").first.select_option("London")
        role.select_option("mailbox")
        shown = page.locator(".exdr-matrix tbody tr:not([hidden])").count()
        total = page.locator(".exdr-matrix tbody tr").count()
        assert 0 < shown < total
        assert not note.is_visible()  # on screen the filter bar says it
        page.emulate_media(media="print")
        assert note.is_visible()
        assert note.inner_text() == (
            f"Filtered: {shown} of {total} servers (site London, role Mailbox)"
        )
        page.close()


def test_a_restore_test_of_a_backup_item_names_the_item_by_its_title(site: Path) -> None:
    page = (site / "dr/servers/dmz-edge01/index.html").read_text(encoding="utf-8")
    section = page[page.index('id="restore-tests"') :]
    row = section[section.index("<tbody>") : section.index("</tbody>")]
    assert "<td>Cloned configuration export (ExportEdgeConfig.ps1)</td>" in row
    assert "edge-cloned-config" not in row


def test_the_lost_server_table_names_backup_items_by_their_title(pages: PageSet) -> None:
    servers = {name: text for name, text in pages.pages.items() if name.startswith("servers/")}
    named = [text for text in servers.values() if "from backup item " in text]
    assert len(named) >= 10
    raw = [
        name
        for name, text in servers.items()
        if re.search(r"from backup item [\"`]?[a-z0-9]+(?:-[a-z0-9]+)*[\"`]?\s*\|", text)
    ]
    assert raw == []
    edge = servers["servers/dmz-edge01.md"]
    assert 'from backup item "Cloned configuration export (ExportEdgeConfig.ps1)"' in edge


def test_portability_does_not_claim_room_where_the_inventory_counts_none(pages: PageSet) -> None:
    page = pages.pages["servers/lon-mbx03.md"]
    assert "By the inventory's counts no single target has room for all 3 mailbox databases" in page
    assert "outside a cluster can take them (candidates: LON-MBX02)" in page
    assert "has room for them" not in page
    assert "in the inventory: LON-MBX02" not in page
