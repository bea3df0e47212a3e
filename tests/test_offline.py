"""Offline copies and printouts: the zipped site opened from file:// with the network blocked."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.offline import bundle as offline
from tests.browsers import require_chromium
from tests.conftest import REPO
from tests.test_browser import heading


def test_vendored_assets_match_their_recorded_checksums() -> None:
    for asset in offline.vendored():
        data = (offline.VENDOR / asset["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == asset["sha256"], asset["name"]
        assert (
            (offline.VENDOR / asset["license_file"])
            .read_text()
            .startswith(("The MIT License", "Copyright"))
        )
        assert asset["version"] and asset["license"] == "MIT"


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    require_chromium()
    out = tmp_path_factory.mktemp("bundle")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1763596800")  # 2025-11-20: the copy is a year old
        patch.chdir(REPO)
        result = CliRunner().invoke(main, ["bundle", "-o", str(out / "dr.zip")])
    assert result.exit_code == 0, result.output
    assert "files in dr/; unzip it and open dr/index.html" in result.output
    with zipfile.ZipFile(out / "dr.zip") as archive:
        names = archive.namelist()
        archive.extractall(out / "unzipped")
    # One folder named after the zip holds everything: unzipping spills nothing around it.
    assert {name.split("/", 1)[0] for name in names} == {"dr"}
    assert [p.name for p in (out / "unzipped").iterdir()] == ["dr"]
    assert "dr/index.html" in names and "dr/dr/servers/lon-mbx02.html" in names
    yield out / "unzipped" / "dr"


def test_offline_copy_needs_no_network_and_prints(
    copy: Path, artifacts: Path, browser: Any
) -> None:
    from pypdf import PdfReader

    left_machine: list[str] = []

    def only_local(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(("file://", "data:", "blob:", "about:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            left_machine.append(url)
            route.abort()  # type: ignore[attr-defined]

    base = copy.as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.route("**/*", only_local)
    page = context.new_page()

    page.goto(f"{base}/dr/index.html")
    assert heading(page) == "Fabrikam: disaster recovery"
    banner = page.locator(".exdr-banner").first.inner_text()
    assert "Internal: contains server names and addresses" in banner
    assert "Inventory revision" in banner and "fingerprint" in banner
    assert "This copy is" in banner and "older than 30 days" in banner
    page.locator("article a", has_text="London").first.click()
    assert heading(page) == "Site London"
    page.locator("article a", has_text="LON-MBX02").first.click()
    assert heading(page) == "LON-MBX02"
    page.screenshot(path=str(artifacts / "offline-server.png"))

    page.goto(f"{base}/dr/recovery-order.html")
    diagram = page.locator(".mermaid").first
    page.wait_for_function(
        "() => { const d = document.querySelector('.mermaid');"
        " return d && !d.textContent.includes('flowchart') && d.getBoundingClientRect().height > 40; }",
        timeout=20000,
    )
    assert diagram.bounding_box()["height"] > 40  # type: ignore[index]
    page.screenshot(path=str(artifacts / "offline-recovery-order.png"))

    page.goto(f"{base}/index.html")
    page.locator(".md-search__input").first.click()
    page.keyboard.type("FRA-CAS01", delay=30)
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=20000)
    assert "FRA-CAS01" in result.inner_text()

    page.goto(f"{base}/dr/servers/lon-mbx02.html")
    server_pdf = page.pdf(format="A4")
    page.goto(f"{base}/dr/print/organization.html")
    org_pdf = page.pdf(format="A4")
    context.close()

    (artifacts / "lon-mbx02.pdf").write_bytes(server_pdf)
    (artifacts / "organization-runbook.pdf").write_bytes(org_pdf)
    server_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(server_pdf)).pages)
    org_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(org_pdf)).pages)
    for text in (server_text, org_text):
        assert "Inventory revision" in text and "Internal: contains server names" in text
        assert "Setup.com /m:RecoverServer" in text
    assert "LON-MBX02" in server_text and "Search" not in server_text.split("\n")[0]
    for name in ("DMZ-EDGE01", "FRA-MBX01", "LON-CMS01", "/RecoverCMS", "ImportEdgeConfig.ps1"):
        assert name in org_text
    assert org_text.index("FRA-HUB01") < org_text.index("FRA-CAS01"), "recovery order"
    assert left_machine == []
