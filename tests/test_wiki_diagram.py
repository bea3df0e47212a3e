"""The recovery-order diagram: servers by wave and site, linked, escaped, and legible from 3 to
1,000 servers (sites collapse to a count beyond SITE_LIMIT, or when the diagram passes
NODE_LIMIT)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from mkdocs_exdr.offline import bundle as offline
from mkdocs_exdr.plan.model import OrderEntry, RecoveryOrder
from mkdocs_exdr.render.diagram import NODE_LIMIT, ROW, SITE_LIMIT, DiagramMaker, page_url
from tests.browsers import require_chromium, served

AD = OrderEntry(None, "Check Active Directory and global catalog servers")
HOSTILE = [
    'Lon"]; click n1 href "javascript:alert(1)"',
    "<img src=x onerror=alert(1)>",
    "%%{init: {'securityLevel': 'loose'}}%%",
    "a\nb --> c",
    "end",
    "#quot;#lt;script#gt;",
    "`x` **y** [z](javascript:1)",
]
#: Every line the diagram may hold: no other shape can carry text out of a quoted label.
LINE = re.compile(
    r'flowchart TB|  subgraph w\d+\["Wave \d+"\]|    subgraph w\d+g\d+\["[\w .,:/()+-]+"\]'
    r'| +n\d+(\["[\w .,:/()+-]+"\](:::group)?|\(\["[\w .,:/()+-]+"\]\)(:::step)?)'
    r"| +n\d+ ~~~ n\d+| +end|  w\d+ --> w\d+"
    r'|  click n\d+ href "([a-z0-9./-]+(#scenario-[a-z0-9-]+)?|#wave-\d+)" "[\w .,:/()+-]+"|  classDef (group|step) [\w :-]+'
)


def order(*waves: Sequence[tuple[str, str | None]], scope: str = "organization") -> RecoveryOrder:
    """An order of rebuilds from waves of (server, site), for ``scope``."""
    built = [[OrderEntry(name, f"Rebuild {name}", site) for name, site in wave] for wave in waves]
    return RecoveryOrder(scope, tuple(tuple(w) for w in [[AD, *built[0]], *built[1:]]))


def draw(an_order: RecoveryOrder, here: str = "recovery-order.md", **limits: int) -> str:
    sites = {"london": "sites/london.md"}
    return DiagramMaker(here, True, lambda name: sites.get(name.casefold()), **limits)(an_order)


def nodes(source: str) -> list[str]:
    return re.findall(r"^ +n\d+[\[(]", source, flags=re.MULTILINE)


def test_three_servers_are_drawn_by_wave_and_site_each_linked_to_its_page() -> None:
    source = draw(order([("LON-HUB01", "London"), ("EDGE01", None)], [("LON-CAS01", "London")]))
    assert 'subgraph w1["Wave 1"]' in source and 'subgraph w2["Wave 2"]' in source
    assert '["London: 1 server"]' in source and '["No site: 1 server"]' in source
    assert '["LON-HUB01"]' in source and '["EDGE01"]' in source
    assert 'href "../servers/lon-hub01/" "LON-HUB01"' in source
    assert 'href "../servers/lon-cas01/" "LON-CAS01"' in source
    assert "w1 --> w2" in source
    assert len(nodes(source)) == 4  # Active Directory and three servers


def test_links_are_final_urls_for_either_url_style() -> None:
    assert page_url("recovery-order.md", "servers/a.md", True) == "../servers/a/"
    assert page_url("recovery-order.md", "servers/a.md", False) == "servers/a.html"
    assert page_url("sites/london.md", "sites/london.md", True) == "./"
    assert page_url("sites/london.md", "sites/index.md", True) == "../"
    assert page_url("index.md", "sites/index.md", False) == "sites/index.html"
    assert page_url("servers/a.md", "index.md", True) == "../../"


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_site_name_stays_inside_its_label(name: str) -> None:
    source = draw(order([("LON-HUB01", name), ("LON-MBX01", name)]))
    for line in source.splitlines():
        assert LINE.fullmatch(line), line
    assert [line.startswith("  click ") for line in source.splitlines()].count(True) == 2
    assert 'href "javascript' not in source
    assert "<" not in source and "%%" not in source and "#" not in source


def test_more_servers_of_a_site_in_a_wave_than_the_limit_collapse_to_a_linked_count() -> None:
    many = [(f"LON-MBX{n:02}", "London") for n in range(SITE_LIMIT + 1)]
    source = draw(order(many, [("MAN-EX01", "Manchester"), ("X01", None)]))
    assert f'["{SITE_LIMIT + 1} servers"]:::group' in source
    assert 'href "../sites/london/" "London"' in source
    assert "LON-MBX00" not in source
    assert '["MAN-EX01"]' in source  # small sites keep their servers
    # A site that is not declared, or no site, links to the list of sites.
    source = draw(order([(f"S{n:03}", None) for n in range(SITE_LIMIT + 1)]))
    assert 'href "../sites/" "No site"' in source


def test_up_to_the_limit_a_site_wraps_its_servers_into_rows() -> None:
    source = draw(order([(f"LON-MBX{n:02}", "London") for n in range(SITE_LIMIT)]))
    assert len(nodes(source)) == SITE_LIMIT + 1
    assert source.count(" ~~~ ") == SITE_LIMIT - ROW


def test_a_site_page_draws_every_server_of_the_site_up_to_the_node_limit() -> None:
    many = [(f"LON-MBX{n:02}", "London") for n in range(SITE_LIMIT + 8)]
    source = draw(order(many, scope="London"), here="sites/london.md")
    assert ":::group" not in source
    assert '["LON-MBX00"]' in source and f'["LON-MBX{SITE_LIMIT + 7:02}"]' in source
    assert 'href "../../servers/lon-mbx47/" "LON-MBX47"' in source
    assert source.count(" ~~~ ") == SITE_LIMIT + 8 - ROW  # wrapped into rows


def test_past_the_node_limit_a_site_page_links_a_collapsed_wave_to_its_list_below() -> None:
    first = [(f"LON-MBX{n:02}", "London") for n in range(30)]
    second = [(f"LON-CAS{n:02}", "London") for n in range(3)]
    source = draw(order(first, second, scope="London"), here="sites/london.md", node_limit=10)
    assert '["30 servers"]:::group' in source and '["LON-CAS00"]' in source
    assert 'href "#wave-1" "London"' in source
    assert 'href "./"' not in source
    for line in source.splitlines():
        assert LINE.fullmatch(line), line


def thousand() -> RecoveryOrder:
    """1,000 servers in 25 sites of 40, in three waves."""
    names = [(f"S{site:02}-EX{n:02}", f"Site {site:02}") for site in range(25) for n in range(40)]
    return order(names[:400], names[400:800], names[800:])


def test_a_thousand_servers_stay_within_the_node_limit() -> None:
    source = draw(thousand())
    assert len(nodes(source)) <= NODE_LIMIT + 1
    assert source.count(":::group") > 0
    assert len(source.splitlines()) < 600


def test_the_largest_groups_collapse_first() -> None:
    waves = [[(f"BIG{n:02}", "London") for n in range(30)] + [("SMALL01", "Leeds")]]
    source = draw(order(*waves), node_limit=10)
    assert '["30 servers"]:::group' in source and '["SMALL01"]' in source


def test_edge_subscription_steps_sit_with_the_subscribed_site_and_open_their_scenario() -> None:
    import datetime as dt

    from mkdocs_exdr.pipeline import build_plan
    from tests.conftest import EXAMPLE_INVENTORY

    plan = build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20))
    sites = {"london": "sites/london.md"}
    london = next(o for o in plan.orders if o.scope == "London")
    for an_order in (plan.orders[0], london):
        source = DiagramMaker("recovery-order.md", True, lambda n: sites.get(n.casefold()))(
            an_order, plan.servers
        )
        steps = [n for n, line in enumerate(source.splitlines()) if ":::step" in line]
        assert len(steps) == 2, an_order.scope
        for line in source.splitlines():
            assert LINE.fullmatch(line), line
        # Each step node is inside the London box of its wave, not in a "No site" box.
        lines = source.splitlines()
        for at in steps:
            box = next(lines[i] for i in range(at, 0, -1) if "subgraph w" in lines[i])
            assert '["London' in box, (an_order.scope, box)
        assert 'href "../servers/dmz-edge01/#scenario-resubscribe" "DMZ-EDGE01"' in source
        assert 'href "../servers/dmz-edge02/#scenario-resubscribe" "DMZ-EDGE02"' in source
    assert "No site" not in DiagramMaker("sites/london.md", True, sites.get)(london, plan.servers)


@pytest.mark.parametrize("size", [3, 40, 1000])
def test_mermaid_draws_the_diagram_of_any_size(
    size: int, tmp_path: Path, browser: Any, artifacts: Path
) -> None:
    require_chromium()
    if size == 1000:
        source = draw(thousand())
    else:
        source = draw(order([(f"LON-EX{n:02}", "London") for n in range(size)]))
    vendor = tmp_path / "mermaid.min.js"
    vendor.write_bytes((offline.VENDOR / "mermaid" / "mermaid.min.js").read_bytes())
    (tmp_path / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><script src="mermaid.min.js"></script>'
        f'<div class="mermaid" id="d"></div><script>document.getElementById("d").textContent = '
        f"{source!r};mermaid.initialize({{startOnLoad: false}});"
        'mermaid.run({querySelector: "#d"});</script>',
        encoding="utf-8",
    )
    with served(tmp_path) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{base}/index.html")
        page.locator("#d svg").wait_for(timeout=30000)
        drawn = page.locator("#d svg g.node").count()
        page.screenshot(path=str(artifacts / f"diagram-{size}.png"), full_page=True)
        page.close()
    assert drawn == len(nodes(source))


def test_a_collapsed_node_on_a_site_page_opens_its_waves_list(tmp_path: Path, browser: Any) -> None:
    require_chromium()
    first = [(f"LON-MBX{n:02}", "London") for n in range(30)]
    source = draw(
        order(first, [("X1", "London")], scope="London"), "sites/london.md", node_limit=10
    )
    vendor = tmp_path / "mermaid.min.js"
    vendor.write_bytes((offline.VENDOR / "mermaid" / "mermaid.min.js").read_bytes())
    (tmp_path / "index.html").write_text(
        '<!doctype html><meta charset="utf-8"><script src="mermaid.min.js"></script>'
        '<div class="mermaid" id="d"></div><ol><li style="margin-top: 3000px">'
        '<span id="wave-1"></span>LON-MBX00 …</li></ol><script>'
        f'document.getElementById("d").textContent = {source!r};'
        'mermaid.initialize({startOnLoad: false, securityLevel: "strict"});'
        'mermaid.run({querySelector: "#d"});</script>',
        encoding="utf-8",
    )
    with served(tmp_path) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"{base}/index.html")
        page.locator("#d svg a", has_text="30 servers").click(timeout=30000)
        page.wait_for_url("**/index.html#wave-1")
        in_view = page.evaluate(
            "() => document.getElementById('wave-1').getBoundingClientRect().top"
        )
        page.close()
    assert 0 <= in_view < 800
