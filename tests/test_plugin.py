"""Real MkDocs builds of small DR wikis, asserting on the HTML and the log lines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from tests.conftest import ENV, REPO, html, log_lines, make_project, mkdocs, write
from tests.test_escape import Page


def test_sound_project_builds_strict_with_every_page_type(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    assert log_lines(result, "WARNING") == []
    for page in (
        "dr/index.html",
        "dr/servers/ex01/index.html",
        "dr/sites/seattle/index.html",
        "dr/roles/mailbox/index.html",
        "dr/roles/index.html",
        "dr/sites/index.html",
        "dr/findings/index.html",
        "dr/backup-matrix/index.html",
        "dr/recovery-order/index.html",
    ):
        assert (project / "site" / page).is_file(), page
    server = html(project, "dr/servers/ex01/index.html")
    assert "Setup.com /m:RecoverServer" in server
    assert "First Storage Group" in server and "E00" in server
    assert 'href="../../sites/seattle/"' in server
    plan = json.loads(html(project, "dr/plan.json"))
    assert plan["schema_version"] == 1 and plan["as_of"] == "2026-11-20"
    assert [s["name"] for s in plan["servers"]] == ["EX01"]


@pytest.mark.parametrize("directory_urls", [True, False])
def test_links_resolve_with_and_without_directory_urls(
    tmp_path: Path, directory_urls: bool
) -> None:
    project = make_project(
        tmp_path,
        mkdocs=f"""
        site_name: Test DR
        use_directory_urls: {str(directory_urls).lower()}
        theme: {{name: mkdocs}}
        plugins:
          - exdr:
              as_of: "2026-11-20"
        """,
    )
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    site = project / "site"
    checked = 0
    for page in (site / "dr").rglob("*.html"):
        for href in re.findall(r'<a [^>]*href="([^"#]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http", "mailto:")) or "://" in href:
                continue
            target = (page.parent / href).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{page.relative_to(site)} links to missing {href}"
            checked += 1
    assert checked > 50


def test_strict_fails_on_a_finding_and_passes_once_accepted(tmp_path: Path) -> None:
    weak = make_project(tmp_path / "weak", inventory=_with(backup_location="Seattle"))
    result = mkdocs(weak, "--strict")
    assert result.returncode == 1
    assert log_lines(result, "WARNING") == [
        "WARNING -  mkdocs_exdr: EXDR007 EX01: every backup copy of EX01 is kept in site Seattle; "
        "losing the site loses the backups too. Keep a copy offsite or in another site."
        "  [inventory/servers.yml:2:5]"  # where, as check says it
    ]
    accepted = make_project(
        tmp_path / "accepted",
        inventory=_with(
            backup_location="Seattle",
            extra="    accept:\n      - {code: EXDR007, reason: Vault next door, owner: IT manager, "
            "expires: 2027-01-31}\n",
        ),
    )
    result = mkdocs(accepted, "--strict")
    assert result.returncode == 0, result.stderr
    assert "accepted until 2027-01-31" in html(accepted, "dr/servers/ex01/index.html")


def _with(*, backup_location: str = "offsite", extra: str = "") -> str:
    from tests.conftest import SOUND_SERVER

    return SOUND_SERVER.replace("location: offsite", f"location: {backup_location}") + extra


def test_broken_inventory_fails_with_location_and_leaves_site_alone(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, inventory=_with().replace("roles: [mailbox,", "roles: [mailbx,")
    )
    (project / "site").mkdir()
    (project / "site" / "old.html").write_text("previous build")
    result = mkdocs(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "inventory/servers.yml:5:13: servers[0].roles[0]: unknown role 'mailbx'" in result.stderr
    assert "did you mean 'mailbox'?" in result.stderr
    assert (project / "site" / "old.html").read_text() == "previous build"


def test_user_page_at_a_generated_path_is_merged_as_local_notes(tmp_path: Path) -> None:
    project = make_project(
        tmp_path, docs={"docs/dr/servers/ex01.md": "The rack key is in the safe.\n"}
    )
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    page = html(project, "dr/servers/ex01/index.html")
    assert "Local notes" in page and "The rack key is in the safe." in page
    assert "Setup.com /m:RecoverServer" in page
    assert "merged dr/servers/ex01.md into the generated page" in result.stderr


HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(3)> [click](javascript:alert(2)) "
    "![x](http://evil/x.png) <https://evil.example/> {{ 7*7 }} {: onclick=alert(4) } `tick` "
    "| a | b | **b** _i_ &lt;b&gt; &#60;i&#62; C:\\Program Files\\Exchange\\ # head"
)
# Values that would open a block at the start of a line or list item if they were markup.
HOSTILE_LINES = ["# no heading", "1. no list", "!!! danger", "??? note", "~~~", "| x |", "==="]


def test_hostile_inventory_text_is_shown_as_text(tmp_path: Path) -> None:
    def server_page(folder: str, text: str, lines: list[str]) -> tuple[Page, Page]:
        notes = json.dumps("\n".join([text, *lines]))
        path = json.dumps("C:\\x " + text)  # one line: check refuses line breaks in paths
        software = "".join(f"      - {{name: {json.dumps(line)}}}\n" for line in lines)
        extra = f"    notes: {notes}\n    customizations:\n      - path: {path}\n"
        extra += f"    software:\n{software}"
        inventory = _with(extra=extra).replace("purpose: databases", f"purpose: {json.dumps(text)}")
        inventory = inventory.replace("name: First Storage Group", "name: FRA-MBX01_SG1 (a.b)")
        project = make_project(tmp_path / folder, inventory=inventory)
        result = mkdocs(project)
        assert result.returncode == 0, result.stderr
        whole = html(project, "dr/servers/ex01/index.html")
        article = whole.split("<article", 1)[1].split(">", 1)[1].split("</article>", 1)[0]
        return Page(whole), Page(article)

    page, made = server_page("hostile", HOSTILE, HOSTILE_LINES)
    _, plain = server_page("plain", "plain words", [f"plain{i}" for i in range(len(HOSTILE_LINES))])
    for name, value in page.attributes:
        slug = re.fullmatch(r"#?[\w-]*", value or "")  # a heading's anchor, made from its text
        assert slug or not re.search(r"alert|javascript:|evil", value or ""), (name, value)
    assert made.elements == plain.elements  # the same elements and attributes as plain text
    assert made.counts == plain.counts
    shown = " ".join(HOSTILE.split())
    assert made.text.count(shown) == plain.text.count("plain words") > 2  # everywhere, as written
    for line in HOSTILE_LINES:
        assert f" {line} " in f"{made.text} "
    assert "C:\\Program Files\\Microsoft\\Exchange Server (default)" in made.text
    assert "FRA-MBX01_SG1 (a.b)" in made.text


def test_explicit_nav_gets_the_dr_section_appended(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        mkdocs="""
        site_name: Test DR
        theme: {name: mkdocs}
        nav:
          - Home: index.md
        plugins:
          - exdr:
              as_of: "2026-11-20"
        """,
    )
    result = mkdocs(project, "--strict")
    assert result.returncode == 0, result.stderr
    home = html(project, "index.html")
    assert "Disaster recovery" in home
    assert 'href="dr/recovery-order/"' in home
    assert "servers/ex01" not in home  # server pages are not in the navigation


def test_second_build_with_the_same_plugin_instance(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    config = load_config(str(project / "mkdocs.yml"))
    build(config)
    first = html(project, "dr/servers/ex01/index.html")
    (project / "inventory" / "servers.yml").write_text(
        (project / "inventory" / "servers.yml").read_text().replace("ex01.corp", "ex01-new.corp")
    )
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    second = html(project, "dr/servers/ex01/index.html")
    assert "ex01.corp.contoso.com" in first and "ex01-new.corp.contoso.com" in second


def test_serve_shows_a_broken_inventory_as_a_page(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    config = load_config(str(project / "mkdocs.yml"))
    config.plugins.on_startup(command="serve", dirty=False)
    write(project, {"inventory/servers.yml": "servers:\n  - name: EX01\n    bakups: []\n"})
    build(config)
    page = html(project, "dr/index.html")
    assert "The DR inventory has problems" in page
    assert "unknown key" in page and "did you mean" in page


def test_example_wiki_builds_strict(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=REPO,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert log_lines(result, "WARNING") == []


def test_generate_writes_pages_that_build_without_the_plugin(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mkdocs_exdr.cli.main import main

    project = make_project(tmp_path / "source")
    plain = write(
        tmp_path / "plain",
        {
            "docs/index.md": "# Home\n",
            "mkdocs.yml": """
            site_name: Plain
            theme: {name: mkdocs}
            not_in_nav: |
              /dr/servers/
            markdown_extensions: [admonition, attr_list, tables, toc]
            """,
        },
    )
    result = CliRunner().invoke(
        main, ["generate", "-f", str(project / "mkdocs.yml"), "-o", str(plain / "docs")]
    )
    assert result.exit_code == 0, result.output
    assert (plain / "docs" / "dr" / "servers" / "ex01.md").is_file()
    assert (plain / "docs" / "dr" / "plan.json").is_file()
    built = mkdocs(plain, "--strict")
    assert built.returncode == 0, built.stderr
    assert "Setup.com /m:RecoverServer" in html(plain, "dr/servers/ex01/index.html")
    for page in (plain / "site" / "dr").rglob("*.html"):  # generate's mark stays unseen
        text = page.read_text(encoding="utf-8")
        assert "exdr_generated" not in text and "edits are lost" not in text, page


def test_builds_under_properdocs_with_material(tmp_path: Path) -> None:
    from tests.conftest import SOUND_SERVER

    project = make_project(
        tmp_path, inventory=SOUND_SERVER.replace("location: offsite", "location: Seattle")
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "properdocs",
            "build",
            "--strict",
            "-f",
            str(project / "mkdocs.yml"),
        ],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=project,
        check=False,
    )
    assert result.returncode == 1  # the finding fails --strict under ProperDocs as well
    assert "WARNING -  mkdocs_exdr: EXDR007 EX01: every backup copy" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "properdocs", "build", "-f", str(project / "mkdocs.yml")],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=project,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Setup.com /m:RecoverServer" in html(project, "dr/servers/ex01/index.html")


def test_serve_watches_inventory_policies_and_templates(tmp_path: Path) -> None:
    project = make_project(
        tmp_path,
        mkdocs="""
        site_name: Test DR
        plugins:
          - exdr:
              templates: overrides
        """,
        docs={"policies/extra.yml": "role: {id: fax, title: Fax gateway}\n", "overrides/.keep": ""},
    )
    config = load_config(str(project / "mkdocs.yml"))
    watched: list[str] = []

    class Server:
        def watch(self, path: str, *args: object) -> None:
            watched.append(str(Path(path).resolve()))

    config.plugins["exdr"].on_serve(Server(), config=config, builder=None)  # type: ignore[arg-type]
    assert watched == [
        str((project / name).resolve()) for name in ("inventory", "policies", "overrides")
    ]
