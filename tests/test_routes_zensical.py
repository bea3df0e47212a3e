"""The Zensical route: Zensical runs no MkDocs plugin, so ``mkdocs-exdr generate`` writes the
pages and assets, prints the settings they need, and ``mkdocs-exdr check`` is the CI gate.

Zensical reads the same mkdocs.yml; the tested version is pinned in the test extras."""

from __future__ import annotations

import html as html_text
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mkdocs_exdr.cli.generated import ASSET_MARK
from mkdocs_exdr.cli.main import main
from tests.conftest import ENV, REPO

pytest.importorskip("zensical")

#: A server whose notes hold every character Markdown could read as markup.
HOSTILE = r"""
servers:
  - name: ZEN-01
    site: London
    roles: [hub-transport]
    notes: |
      (a) b. 1. c * d _e_ [f] {g} #h +i -j !k |l| <m> `n` ~~o~~ \q r\ s\. t\( 50% ^y^ ==z== a:b
      1. starts like a list
      # not a heading
      !!! note "not an admonition"
      ??? nor details
      {: .cls } [x](javascript:alert(1)) ![i](http://e/i.png) <https://auto.link> C:\Ex (x86)\
    certificates:  # no backup covers it: a finding for the gate
      - {subject: mail.zen.example, expires: 2026-11-25}
"""
NOTES = HOSTILE.split("notes: |\n", 1)[1].split("    certificates:", 1)[0].split("\n")[:-1]
NOTES = [line.strip() for line in NOTES]


def _zensical(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zensical", "build", "--clean", *args],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=project,
        check=False,
    )


def _article(page: Path) -> str:
    """The text a reader sees in a page's article (code blocks included, tags removed)."""
    found = re.search(r"<article\b.*?</article>", page.read_text(encoding="utf-8"), re.S)
    assert found, page
    text = re.sub(r"<script\b.*?</script>", "", found.group(0), flags=re.S)
    return html_text.unescape(re.sub(r"<[^>]+>", "", text)).replace("¶", "")  # permalinks


def _backslashed(text: str) -> list[str]:
    """Every word holding a backslash: a stray escape adds one, or changes one."""
    return sorted(word for word in text.split() if "\\" in word)


def _with_settings(config: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """``config`` with generate's settings merged in, as its output tells a user to."""
    settings = dict(settings)
    settings.pop("nav")  # for a site with an explicit nav only
    config["theme"] = {**config["theme"], **settings.pop("theme")}
    config["extra"] = {**config.get("extra", {}), **settings.pop("extra")}
    config["markdown_extensions"] = settings.pop("markdown_extensions")
    config.update(settings)
    return config


@pytest.fixture(scope="module")
def routes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example (plus a hostile server) built by MkDocs with the plugin, and by Zensical from
    what generate wrote, from the same mkdocs.yml."""
    root = tmp_path_factory.mktemp("routes")
    project = root / "project"
    for folder in ("docs", "inventory"):
        shutil.copytree(REPO / folder, project / folder)
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    (project / "inventory" / "zen.yml").write_text(HOSTILE.lstrip(), encoding="utf-8")
    reference = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(root / "mkdocs-site")],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=project,
        check=False,
    )
    assert reference.returncode == 0, reference.stderr

    ignored = _zensical(project)  # the plugin is in mkdocs.yml, and Zensical ignores it
    assert ignored.returncode == 0, ignored.stdout + ignored.stderr
    assert not (project / "site" / "dr").exists()
    assert "page does not exist" in ignored.stdout + ignored.stderr  # only the home's links say so

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        generated = CliRunner().invoke(main, ["generate", "-o", "docs"])
    assert generated.exit_code == 0, generated.output
    settings = yaml.safe_load(generated.stdout.split("\nwrote ", 1)[0])
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    (project / "mkdocs.yml").write_text(
        yaml.safe_dump(_with_settings(config, settings), sort_keys=False), encoding="utf-8"
    )
    built = _zensical(project, "--strict")
    assert built.returncode == 0, built.stdout + built.stderr
    return {"project": project, "mkdocs": root / "mkdocs-site", "zensical": project / "site"}


def test_server_pages_show_no_escapes_under_zensical(routes: dict[str, Path]) -> None:
    servers = sorted((routes["zensical"] / "dr" / "servers").glob("*/index.html"))
    assert len(servers) == 16
    for page in servers:
        text = _article(page)
        assert not re.search(r"(?<![\w\\])\\[(.)]", text), page  # the "\(" and "\." seen before
        reference = _article(routes["mkdocs"] / page.relative_to(routes["zensical"]))
        assert _backslashed(text) == _backslashed(reference), page
    notes = _article(routes["zensical"] / "dr" / "servers" / "zen-01" / "index.html")
    shown = notes.split("Notes", 1)[1]
    for line in NOTES:  # every character as written: nothing escaped, nothing taken as markup
        assert line in shown, line


def test_zensical_site_has_the_dr_section_assets_and_no_outside_requests(
    routes: dict[str, Path],
) -> None:
    site = routes["zensical"]
    home = (site / "index.html").read_text(encoding="utf-8")
    for page in ("dr/", "dr/recovery-order/", "dr/findings/", "dr/backup-matrix/"):
        assert f'href="./{page}"' in home, page
    assert "dr/servers/" not in home  # server pages stay out of the navigation
    order = (site / "dr" / "recovery-order" / "index.html").read_text(encoding="utf-8")
    assert '<script src="../../assets/exdr/vendor/mermaid.min.js"' in order
    assert 'class="mermaid"' in order
    banner = '<div class="exdr-banner"><strong>Internal: contains server names and addresses'
    assert banner in order  # generate puts the plugin's banner on every page
    assert banner in (site / "dr" / "servers" / "zen-01" / "index.html").read_text("utf-8")
    for host in ("fonts.googleapis.com", "fonts.gstatic.com", "unpkg.com", "cdn.jsdelivr"):
        assert host not in order, host
    assert (site / "assets" / "exdr" / "vendor" / "mermaid.min.js").is_file()
    assert (
        (site / "assets" / "exdr" / "exdr.css").read_text(encoding="utf-8").startswith(ASSET_MARK)
    )


def test_check_is_the_gate_of_the_zensical_route(routes: dict[str, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "from mkdocs_exdr.cli import run; run()", "check"],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=routes["project"],
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "EXDR001 ZEN-01/certificates: " in result.stdout
    assert re.search(r"EXDR001 ZEN-01/.*  \[inventory/zen\.yml:2:5\]", result.stdout)


def test_generate_replaces_its_own_assets_and_refuses_others(tmp_path: Path) -> None:
    from tests.conftest import make_project

    project = make_project(tmp_path / "source")
    out = tmp_path / "out"
    args = ["generate", "-f", str(project / "mkdocs.yml"), "-o", str(out)]
    assert CliRunner().invoke(main, args).exit_code == 0
    css = out / "assets" / "exdr" / "exdr.css"
    css.write_text(ASSET_MARK + "/* an old copy */\n", encoding="utf-8")
    assert CliRunner().invoke(main, args).exit_code == 0
    assert "an old copy" not in css.read_text(encoding="utf-8")
    css.write_text("/* someone's own stylesheet */\n", encoding="utf-8")
    page = out / "dr" / "index.md"
    before = page.read_bytes()
    page.write_text(page.read_text(encoding="utf-8") + "\nchanged\n", encoding="utf-8")
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2
    assert (
        "assets/exdr/exdr.css: not written by mkdocs-exdr generate (no exdr_generated mark on its first line)"
        in refused.stderr
    )
    assert css.read_text(encoding="utf-8") == "/* someone's own stylesheet */\n"
    assert page.read_bytes() != before  # nothing written: the page keeps the edit too
