"""Hostile text in every string field of the inventory, built into a real site twice (Material
with its ``tags`` plugin, and MkDocs' own theme) and opened page by page in headless Chromium:
no script runs, no dialog opens, and no element of the input reaches ``<title>``, the nav, the
tags or any page body.

Every string field of the model is classified below (a new field fails
``test_every_string_field_of_the_model_is_classified`` until it is):

- ``FREE``: free text (notes, descriptions, reasons). Validation lets these keep line breaks and
  tabs, so they get markup at the start of a line too (headings, admonitions, fences, tables,
  raw HTML blocks).
- ``NAME``: names and paths. Validation refuses control, line-break and bidirectional characters
  in them (``mkdocs_exdr/validate/characters.py``), so they are generated without those.
- ``CMD``: paths and addresses that runbook commands pass to cmd.exe through the ``cmd`` filter.
  It rightly refuses ``"``, ``%`` and ``!`` (no quoting works for them both typed and in a batch
  file), so the build test leaves those three out of these fields, and
  ``test_a_cmd_path_holding_what_cmd_exe_expands_is_refused_at_its_step`` asserts the located
  refusal (exit 2) for each of them instead.
- ``PLACE``: references to a site (``server.site``, ``edge_sync_site``, backup ``location``,
  ``kept_in``): validation requires a declared site or offsite/cloud/vault, so they hold the
  same hostile site name, or a keyword.
- ``FIXED``: a pattern or vocabulary (server names, roles, backup items, finding codes,
  ``log_prefix``, review fingerprints): kept valid.
"""

from __future__ import annotations

import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from mkdocs_exdr.cli import main as cli
from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.inventory.model import InventoryFile
from mkdocs_exdr.load.annotations import model_classes, public_fields, shape_of
from mkdocs_exdr.validate.characters import FORBIDDEN
from tests.browsers import served
from tests.conftest import mkdocs, write

set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mkdocs-exdr-hypothesis")

FREE, NAME, CMD, PLACE, FIXED = "free", "name", "cmd", "place", "fixed"

#: Every string field of the model (``Class.field``; lists of strings included) and its kind.
FIELDS: dict[str, str] = {
    "Organization.name": NAME,
    "Organization.forest": NAME,
    "Organization.notes": FREE,
    "Contact.name": NAME,
    "Contact.function": NAME,
    "Contact.phone": NAME,
    "Contact.email": NAME,
    "Acceptance.code": FIXED,
    "Acceptance.subject": NAME,
    "Acceptance.reason": FREE,
    "Acceptance.owner": NAME,
    "RebuildTime.role": FIXED,
    "Site.name": NAME,
    "Site.description": FREE,
    "Site.notes": FREE,
    "Server.name": FIXED,
    "Server.roles": FIXED,
    "Server.fqdn": NAME,
    "Server.site": PLACE,
    "Server.os": NAME,
    "Server.exchange_version": NAME,
    "Server.update_rollup": NAME,
    "Server.install_path": CMD,
    "Server.edge_sync_site": PLACE,
    "Server.notes": FREE,
    "Disk.drive": NAME,
    "Disk.purpose": NAME,
    "StorageGroup.name": NAME,
    "StorageGroup.log_path": CMD,
    "StorageGroup.system_path": CMD,
    "StorageGroup.log_prefix": FIXED,
    "Database.name": NAME,
    "Database.edb_path": CMD,
    "Cluster.nodes": NAME,
    "Cluster.ip_addresses": CMD,
    "EdgeExport.path": NAME,
    "EdgeExport.kept_in": PLACE,
    "BackupJob.method": NAME,
    "BackupJob.covers": FIXED,
    "BackupJob.location": PLACE,
    "BackupJob.name": NAME,
    "RestoreTest.scope": NAME,
    "RestoreTest.by": NAME,
    "RestoreTest.ticket": NAME,
    "Certificate.subject": NAME,
    "Certificate.pfx_location": NAME,
    "Certificate.services": NAME,
    "Certificate.kept_in": PLACE,
    "Customization.path": NAME,
    "Customization.description": FREE,
    "Software.name": NAME,
    "Software.version": NAME,
    "Software.notes": FREE,
    "Media.windows": NAME,
    "Media.exchange": NAME,
    "Media.update_rollup": NAME,
    "Media.kept_in": PLACE,
    "Credential.purpose": NAME,
    "Credential.vault_entry": NAME,
    "Review.reviewer": NAME,
    "Review.scope": NAME,
    "Review.fingerprint": FIXED,
    "Review.notes": FREE,
}
HOSTILE = {name: kind for name, kind in FIELDS.items() if kind in (FREE, NAME, CMD)}

# Markup that means something to Markdown, its extensions, Jinja, HTML or a browser. Each
# element or handler that would run sets window.__x; <exdr-x> is an element no theme writes.
PIECES = (
    "<script>window.__x=1</script>",
    '<img src=x onerror="window.__x=1">',
    "<img src=x onerror=window.__x=1>",
    "</title><script>window.__x=1</script>",
    "<exdr-x>",
    "[x](javascript:window.__x=1)",
    "<javascript:window.__x=1>",
    "{{ 7*7 }}",
    "{% raw %}",
    '{: onclick="window.__x=1" }',
    "{: onclick=window.__x=1 }",
    "`",
    "``",
    "|",
    "#",
    "!!! note",
    "'",
    '"',
    "\\",
    "%",
    "!",
    "&lt;",
    "&#60;script&#62;",
    "*_~^",
    "]]>",
    "-->",
)
# Markup that only means something at the start of a line: free text alone may hold it.
LINE_PIECES = (
    '\n!!! note "<script>window.__x=1</script>"\n    <img src=x onerror=window.__x=1>\n',
    "\n# <img src=x onerror=window.__x=1>\n",
    "\n```\n",
    "\n| a | <script>window.__x=1</script> |\n| --- | --- |\n| <exdr-x> | b |\n",
    '\n<div markdown="1">\n<script>window.__x=1</script>\n</div>\n',
    "\n\t<script>window.__x=1</script>\n",
    "\n- [x](javascript:window.__x=1)\n{: onclick=window.__x=1 }\n",
    "\n---\n",
)
CMD_REFUSED = re.compile('["%!]')


def _clean(kind: str, text: str) -> str:
    """``text`` without what validation rightly refuses in a field of ``kind``."""
    if kind == FREE:
        return FORBIDDEN.sub(lambda m: m.group() if m.group() in "\n\t" else "", text)
    text = FORBIDDEN.sub("", text)
    return CMD_REFUSED.sub("", text) if kind == CMD else text


def _hostile(kind: str) -> st.SearchStrategy[str]:
    pieces = PIECES + LINE_PIECES if kind == FREE else PIECES
    part = st.one_of(st.sampled_from(pieces), st.text(max_size=10))
    return (
        st.lists(part, min_size=1, max_size=4)
        .map(lambda parts: _clean(kind, "".join(parts)))
        .filter(lambda text: bool(text.strip()))
    )


def _valid(values: dict[str, str]) -> bool:
    # A site whose page would be sites/index.md is refused, rightly (it would replace the index).
    return slugify(values["Site.name"]) != "index"


VALUES = st.fixed_dictionaries({name: _hostile(kind) for name, kind in HOSTILE.items()}).filter(
    _valid
)
NASTIEST = {
    name: _clean(kind, "".join(PIECES) + ("".join(LINE_PIECES) if kind == FREE else ""))
    for name, kind in HOSTILE.items()
}


def test_every_string_field_of_the_model_is_classified() -> None:
    found = set()
    for cls in model_classes(InventoryFile):
        for item, annotation in public_fields(cls):
            shape = shape_of(annotation)
            while shape.kind in ("optional", "list"):
                shape = shape_of(shape.of)
            if shape.kind == "scalar" and shape.of is str:
                found.add(f"{cls.__name__}.{item.name}")
    assert found == set(FIELDS)


def _inventory(v: dict[str, str]) -> dict[str, Any]:
    """Every model class with a string field, each string field holding its hostile value."""
    site = v["Site.name"]
    contact = {k: v[f"Contact.{k}"] for k in ("name", "function", "phone", "email")}

    def accept(code: str, **extra: str) -> dict[str, Any]:
        owner = v["Acceptance.owner"]
        return {"code": code, "reason": v["Acceptance.reason"], "owner": owner, **extra}

    def group(db_type: str) -> dict[str, Any]:
        database = {"name": v["Database.name"], "type": db_type, "size_gb": 10}
        database["edb_path"] = v["Database.edb_path"]
        return {
            "name": v["StorageGroup.name"],
            "log_path": v["StorageGroup.log_path"],
            "system_path": v["StorageGroup.system_path"],
            "log_prefix": "E00",
            "databases": [database],
        }

    common = {
        "fqdn": v["Server.fqdn"],
        "os": v["Server.os"],
        "exchange_version": v["Server.exchange_version"],
        "update_rollup": v["Server.update_rollup"],
        "edition": "Enterprise",
        "install_path": v["Server.install_path"],
        "disks": [{"drive": v["Disk.drive"], "size_gb": 100, "purpose": v["Disk.purpose"]}],
        "backups": [
            {
                "name": v["BackupJob.name"],
                "method": v["BackupJob.method"],
                "frequency": "daily",
                "covers": ["storage-groups", "system-state"],
                "location": site,
                "retention": "4w",
            },
            {
                "name": "TAPE",
                "frequency": "weekly",
                "covers": ["system-state"],
                "location": "vault",
            },
        ],
        "restore_tests": [
            {
                "date": "2026-11-01",
                "scope": v["RestoreTest.scope"],
                "result": "passed",
                "by": v["RestoreTest.by"],
                "ticket": v["RestoreTest.ticket"],
            }
        ],
        "certificates": [
            {
                "subject": v["Certificate.subject"],
                "expires": "2027-06-30",
                "pfx_location": v["Certificate.pfx_location"],
                "services": v["Certificate.services"],
                "kept_in": [site, "offsite"],
            }
        ],
        "customizations": [
            {"path": v["Customization.path"], "description": v["Customization.description"]}
        ],
        "software": [
            {
                "name": v["Software.name"],
                "version": v["Software.version"],
                "notes": v["Software.notes"],
                "backup_agent": True,
            }
        ],
        "media": {
            "windows": v["Media.windows"],
            "exchange": v["Media.exchange"],
            "update_rollup": v["Media.update_rollup"],
            "kept_in": [site, "cloud"],
        },
        "credentials": [
            {"purpose": v["Credential.purpose"], "vault_entry": v["Credential.vault_entry"]}
        ],
        "contacts": [contact],
        "notes": v["Server.notes"],
    }
    servers = [
        {
            "name": "EX01",
            "roles": ["mailbox", "hub-transport", "client-access"],
            "site": site,
            "storage_groups": [group("mailbox")],
            "accept": [accept("EXDR007", subject=v["Acceptance.subject"])],
            **common,
        },
        {
            "name": "CMS01",
            "roles": ["mailbox", "public-folder"],
            "site": site,
            "cluster": {
                "type": "ccr",
                "nodes": [v["Cluster.nodes"]],
                "ip_addresses": [v["Cluster.ip_addresses"]],
            },
            "portability": False,
            "storage_groups": [group("public-folder")],
            **common,
        },
        {
            "name": "EDGE01",
            "roles": ["edge-transport"],
            "domain_member": False,
            "edge_sync_site": site,
            "edge_export": {"path": v["EdgeExport.path"], "kept_in": [site, "offsite"]},
            **common,
        },
        {
            "name": "OLD01",
            "roles": ["hub-transport"],
            "site": site,
            "status": "decommissioned",
            "notes": v["Server.notes"],
        },
    ]
    return {
        "organization": {
            "name": v["Organization.name"],
            "forest": v["Organization.forest"],
            "contacts": [contact],
            "rpo": "1d",
            "rto": "24h",
            "settings": {"rebuild_times": [{"role": "mailbox", "time": "6h"}]},
            "notes": v["Organization.notes"],
            "accept": [accept("EXDR001")],
        },
        "sites": [
            {
                "name": site,
                "description": v["Site.description"],
                "contacts": [contact],
                "notes": v["Site.notes"],
                "accept": [accept("EXDR002")],
            }
        ],
        "servers": servers,
        "reviews": [
            {
                "date": "2026-11-01",
                "reviewer": v["Review.reviewer"],
                "scope": v["Review.scope"],
                "fingerprint": "3f2a9c1e7b40",
                "notes": v["Review.notes"],
            }
        ],
    }


PLUGINS = """
  - exdr:
      as_of: "2026-11-20"
      classification: Internal
markdown_extensions: [admonition, attr_list, md_in_html, tables, {toc: {permalink: true}}]
"""
THEMES = {
    "material": "site_name: Test DR\ntheme: {name: material}\nplugins:\n  - search\n  - tags"
    + PLUGINS,
    "mkdocs": "site_name: Test DR\ntheme: {name: mkdocs}\nplugins:\n  - search" + PLUGINS,
}


def _project(root: Path, theme: str, values: dict[str, str]) -> Path:
    dumped = yaml.safe_dump(_inventory(values), allow_unicode=True, sort_keys=False, width=10**6)
    files = {"mkdocs.yml": THEMES[theme], "docs/index.md": "# Home\n"}
    write(root, files)
    (root / "inventory").mkdir()
    (root / "inventory" / "all.yml").write_text(dumped, encoding="utf-8")
    return root


def _page_types(site: str) -> list[str]:
    """The pages every kind of generated page must be among."""
    slug = slugify(site)
    return [
        "dr/index.html",
        "dr/findings/index.html",
        "dr/backup-matrix/index.html",
        "dr/recovery-order/index.html",
        "dr/sites/index.html",
        f"dr/sites/{slug}/index.html",
        "dr/roles/index.html",
        "dr/roles/mailbox/index.html",
        "dr/servers/ex01/index.html",
        "dr/servers/cms01/index.html",
        "dr/servers/edge01/index.html",
        "dr/servers/old01/index.html",
        "dr/print/organization/index.html",
        f"dr/print/site-{slug}/index.html",
    ]


#: Element names the input writes; none may become an element of a page.
INPUT_TAGS = {"script", "img", "exdr-x", "title"}
#: Classes of the nav and tag links of both themes.
REGIONS = re.compile(r"\b(md-tag|md-nav__link|md-ellipsis|md-header__topic|nav-link|dropdown-item)")


class _Elements(HTMLParser):
    """What in a page could have come from the input as markup rather than text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_title = False
        self._script: str | None = None
        self._regions: list[list[Any]] = []  # [tag, label, open elements of that tag]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if self._in_title:
            self.found.append(f"<{tag}> inside <title>")
        if self._regions and tag in INPUT_TAGS:
            self.found.append(f"<{tag}> inside {self._regions[-1][1]}")
        if tag == "exdr-x" or (tag == "img" and values.get("src") == "x"):
            self.found.append(f"<{tag}> element: {attrs}")
        for name, value in attrs:
            text = (value or "").strip().lower()
            if name.startswith("on") and "__x" in text:
                self.found.append(f"{name} handler on <{tag}>: {value}")
            if name in ("href", "src", "action", "formaction") and text.startswith("javascript:"):
                self.found.append(f"javascript: URL in <{tag} {name}>: {value}")
        self._in_title = tag == "title"
        self._script = "" if tag == "script" else None
        region = REGIONS.search(values.get("class") or "")
        if region and tag not in ("img", "input", "br", "hr", "meta", "link"):
            self._regions.append([tag, f"{tag}.{region.group()}", 1])
        elif self._regions and tag == self._regions[-1][0]:
            self._regions[-1][2] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None and "__x" in self._script:
            self.found.append(f"<script> from the input: {self._script!r}")
        self._script = None
        self._in_title = False
        if self._regions and tag == self._regions[-1][0]:
            self._regions[-1][2] -= 1
            if not self._regions[-1][2]:
                self._regions.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data


def _markup_from_input(text: str) -> list[str]:
    parser = _Elements()
    parser.feed(text)
    parser.close()
    return parser.found


@pytest.mark.parametrize(
    "text",
    [
        "<title>A</title><script>window.__x=1</script>",
        '<title>A <img src="y">B</title>',
        '<p><img src="x"></p>',
        "<p><exdr-x></exdr-x></p>",
        '<p onclick="window.__x=1">a</p>',
        '<a href=" JavaScript:alert(1)">a</a>',
        "<script>window.__x=1</script>",
        '<a class="md-nav__link" href="/"><span class="md-ellipsis"><script></script></span></a>',
        '<span class="md-tag"><span>a</span><img src="y"></span>',
    ],
)
def test_the_page_check_sees_markup_from_the_input(text: str) -> None:
    assert _markup_from_input(text)


def test_the_page_check_accepts_escaped_text() -> None:
    text = (
        "<title>&lt;script&gt; \uff1cimg\uff1e</title><script>var a = 1;</script>"
        '<a class="md-nav__link" href="#x"><span class="md-ellipsis">&lt;img src=x&gt;</span></a>'
        '<h2 id="window__x1">&lt;script&gt;window.__x=1&lt;/script&gt;</h2>'
    )
    assert _markup_from_input(text) == []


def _check_in_chromium(
    browser: Any, site: Path, pages: list[str], shown: str, values: dict[str, str]
) -> None:
    with served(site) as base:
        _visit(browser, base, pages, shown, values)


def _visit(browser: Any, base: str, pages: list[str], shown: str, values: dict[str, str]) -> None:
    page = browser.new_page()
    try:
        # Nothing leaves the machine: fonts and CDN scripts would only slow every page down.
        page.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), lambda route: route.abort())
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in pages:
            page.goto(f"{base}/{path.removesuffix('index.html')}", wait_until="load")
            ran = page.evaluate("typeof window.__x")
            assert ran == "undefined", f"INJECTION: script ran on {shown} {path}; input {values!r}"
            assert not dialogs, f"INJECTION: dialog {dialogs} on {shown} {path}; input {values!r}"
    finally:
        page.close()


@settings(
    max_examples=3,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI never fails on a new draw
    # Each example is two builds and thirty pages in Chromium: shrinking would take many
    # minutes, and the failure message already names the field values, theme and page.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(values=VALUES)
@example(values=NASTIEST)
def test_no_script_from_any_field_runs_on_any_page(
    values: dict[str, str], browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    root = tmp_path_factory.mktemp("fields")
    themes = sorted(THEMES)
    projects = [_project(root / theme, theme, values) for theme in themes]
    with ThreadPoolExecutor(len(projects)) as pool:  # the two builds side by side
        results = list(pool.map(mkdocs, projects))
    for theme, project, result in zip(themes, projects, results, strict=True):
        assert result.returncode == 0, f"{theme} build failed for {values!r}:\n{result.stderr}"
        site = project / "site"
        pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
        types = _page_types(values["Site.name"])
        missing = set(types) - set(pages)
        assert not missing, f"{theme}: page types not built: {sorted(missing)}"
        for path in pages:
            found = _markup_from_input((site / path).read_text(encoding="utf-8"))
            assert not found, f"INJECTION under {theme} in {path}: {found}\ninput: {values!r}"
        # The browser opens one page of each type (and the docs' own home page, under the nav);
        # the other role pages are the same template with fixed server names.
        _check_in_chromium(browser, site, [*types, "index.html"], theme, values)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("Server.install_path", 'D:\\Exchange"'),
        ("StorageGroup.system_path", "E:\\SG1\\100%"),
        ("StorageGroup.log_path", "F:\\Logs!x!"),
        ("Database.edb_path", 'E:\\SG1\\"x".edb'),
        ("Cluster.ip_addresses", "10.1.0.40%PATH%"),
    ],
)
def test_a_cmd_path_holding_what_cmd_exe_expands_is_refused_at_its_step(
    field: str, text: str, tmp_path: Path
) -> None:
    values = dict.fromkeys(HOSTILE, "Plain value")
    values.update(
        {
            "Site.name": "Seattle",
            "Server.install_path": "D:\\Exchange",
            "StorageGroup.log_path": "F:\\SG1\\Logs",
            "StorageGroup.system_path": "E:\\SG1",
            "Database.edb_path": "E:\\SG1\\Mailbox Database.edb",
            "Cluster.ip_addresses": "10.1.0.40",
        }
    )
    values[field] = text
    project = _project(tmp_path / "p", "mkdocs", values)
    result = CliRunner().invoke(cli.main, ["check", str(project / "inventory")])
    assert result.exit_code == 2, result.output
    located = re.compile(
        r"policies/[\w-]+\.yml:\d+:\d+: step [\w-]+: template error: "
        + re.escape(repr(text))
        + r" cannot be one argument of a cmd\.exe command"
    )
    assert located.search(result.output), result.output
