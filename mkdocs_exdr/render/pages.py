"""The render step: the plan as Markdown pages, by path, through Jinja2 templates.

No MkDocs here: the plugin hands these pages to MkDocs, ``mkdocs-exdr generate`` writes them to
a folder. Templates are looked up in the user's folder first, then in the package, one by one.
Page paths (under ``path``, default ``dr``) are stable and documented in the README.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from mkdocs_exdr.common.characters import UNSAFE
from mkdocs_exdr.common.collection import collection_paused
from mkdocs_exdr.common.durations import describe
from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.plan.findings import CODES, SEVERITIES, Finding
from mkdocs_exdr.plan.model import OrderEntry, Plan, RecoveryOrder, ServerPlan
from mkdocs_exdr.policies.limits import page_budget, spending
from mkdocs_exdr.policies.model import by_rank
from mkdocs_exdr.policies.sandbox import describe_error, sandboxed, template_line
from mkdocs_exdr.render import escape
from mkdocs_exdr.render.diagram import DiagramMaker
from mkdocs_exdr.render.plan_json import dumps, plan_json

#: Pages that appear in the navigation; every other generated page is reachable by links only,
#: so the navigation rendered into each page does not grow with the number of servers.
NAV_PAGES = (
    "index.md",
    "recovery-order.md",
    "findings.md",
    "backup-matrix.md",
    "sites/index.md",
    "roles/index.md",
)
OUTCOME_TEXT = {
    "active-directory": "Rebuilt from Active Directory",
    "backup": "Restored from backup",
    "reinstall": "Reinstalled from media",
    "replication": "Comes back by replication",
    "reapply": "Reapplied by hand",
    "lost": "Lost",
}


@dataclass(frozen=True)
class PageSet:
    """Generated pages: Markdown (and ``plan.json``) text by path under the section folder."""

    prefix: str
    pages: dict[str, str]

    def paths(self) -> list[str]:
        """Full paths, prefix included."""
        return [posixpath.join(self.prefix, path) for path in self.pages]


# Characters that would be markup once a theme decodes entities (Material's ``striptags`` in
# ``<title>``) or YAML decodes ``\u003c`` (tags), as look-alikes that are plain text anywhere.
_LOOK_ALIKES = str.maketrans({"<": "\uff1c", ">": "\uff1e", "&": "\uff06", '"': "\uff02"})
_INVISIBLE = re.compile(f"[{UNSAFE}\ud800-\udfff\ufffe\uffff]")


def front_matter(value: object) -> str:
    """``value`` as a YAML string for a page's ``title`` or ``tags``: one line, no HTML.

    Themes print titles and tags as HTML without escaping them (MkDocs' theme, Material's
    ``page.meta.title`` and tags), or after ``striptags`` has turned entities back into markup
    (Material's ``page.title``), so no escaping survives there: ``<``, ``>``, ``&`` and ``"``
    become full-width look-alikes, and controls and bidirectional overrides show as ``\u202e``.
    """
    text = " ".join(str(value).split()).translate(_LOOK_ALIKES)
    text = _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return json.dumps(text, ensure_ascii=False)


class TemplateOutsideFolder(jinja2.TemplateError):
    """A template of the user's folder that resolves (through a symlink) outside that folder."""

    def __init__(self, name: str, filename: str, folder: str) -> None:
        super().__init__(f"template {name!r} resolves outside the templates folder {folder}")
        self.filename = filename
        self.lineno = 0


class _FolderLoader(jinja2.FileSystemLoader):
    """The user's template folder; a template that resolves outside it is refused, not read."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder.resolve()

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        for searchpath in self.searchpath:
            candidate = Path(searchpath, *jinja2.loaders.split_template_path(template))
            if candidate.exists() and not candidate.resolve().is_relative_to(self.folder):
                raise TemplateOutsideFolder(template, str(candidate), str(self.folder))
        return super().get_source(environment, template)


def environment(user_templates: Path | None = None) -> jinja2.Environment:
    """The Jinja2 environment for pages: user's templates first, package's last.

    With a user's folder, sandboxed like policy templates: a template can read the plan, not
    call into Python (``popen``, ``__subclasses__``) or change the values it is given, and it
    runs within the limits. The package's templates alone are its code, and run in a plain
    environment with the same filters and the same output, without the cost of counting.
    """
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(_FolderLoader(user_templates))
    loaders.append(jinja2.PackageLoader("mkdocs_exdr.render", "templates"))
    filters: dict[str, Callable[..., Any]] = {
        "md": _remembered(escape.inline),
        "md_block": _remembered(escape.block),
        "fence": escape.fence,
        "mermaid": escape.mermaid_label,
        "slug": slugify,
        "fold": str.casefold,
        "hours": lambda h: describe(h * 3600),
        "about": about_hours,
        "front_matter": front_matter,
        "by_item": lambda items: {i.item.id: i for i in items},
        "superseded": _superseded,
    }
    options: dict[str, Any] = {
        "loader": jinja2.ChoiceLoader(loaders),
        "autoescape": False,
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    if user_templates is None:
        trusted = jinja2.Environment(undefined=jinja2.StrictUndefined, auto_reload=False, **options)
        trusted.filters.update(filters)
        return trusted
    # The policies' sandbox and limits; the budget is set in render_pages.
    return sandboxed(filters, **options)


def _superseded(tests: list[Any]) -> list[bool]:
    """For restore tests newest first: whether a newer test of the same scope came before each
    (in one pass, as a server may list thousands)."""
    seen: set[Any] = set()
    found = []
    for test in tests:
        found.append(test.scope in seen)
        seen.add(test.scope)
    return found


def _remembered(escaper: Callable[[object], str]) -> Callable[[object], str]:
    """``escaper`` remembering its answers for one environment: a printout escapes again the
    text its server pages escaped."""
    seen: dict[str, str] = {}

    def escape_once(value: object) -> str:
        if type(value) is not str:
            return escaper(value)
        if value not in seen:
            seen[value] = escaper(value)
        return seen[value]

    return escape_once


class _Links:
    """Relative links between generated pages, so they work with any use_directory_urls."""

    def __init__(self, here: str) -> None:
        self.here = here

    def __call__(self, target: str) -> str:
        return posixpath.relpath(target, posixpath.dirname(self.here) or ".")


def _by_severity(findings: list[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {s: [] for s in reversed(SEVERITIES)}
    for finding in findings:
        groups[finding.severity].append(finding)
    return groups


def about_hours(hours: float) -> str:
    """An estimate as a reader plans with it: half hours up to 10, whole hours up to two days,
    then hours and days."""
    if hours < 10:
        half = round(hours * 2) / 2
        return f"{half:g} hours" if half != 1 else "1 hour"
    if hours < 48:
        return f"{round(hours)} hours"
    return f"{round(hours)} hours ({hours / 24:.1f} days)"


def _context(
    plan: Plan, servers: list[ServerPlan], prefix: str, print_limit: int
) -> dict[str, Any]:
    """What every page template can read."""
    sites = sorted(plan.inventory.sites, key=lambda s: s.name.casefold())
    by_site: dict[str, list[ServerPlan]] = defaultdict(list)
    by_role: dict[str, list[ServerPlan]] = defaultdict(list)
    for server in servers:
        by_site[(server.server.site or "").casefold()].append(server)
        for policy in server.policies:
            by_role[policy.id].append(server)
    return {
        "plan": plan,
        "org": plan.inventory.organization,
        "as_of": plan.as_of,
        "servers": servers,
        "sites": sites,
        "by_site": by_site,
        "site_keys": {site.name.casefold() for site in sites},
        "by_role": by_role,
        "waves": {s.server.name: plan.orders[0].wave_of(s.server.name) for s in servers},
        "codes": CODES,
        "outcome_text": OUTCOME_TEXT,
        "item_ids": sorted({i.item.id for s in servers for i in s.items}),
        "roles": sorted(plan.catalog.roles.values(), key=by_rank),
        "by_severity": _by_severity(list(plan.findings)),
        "prefix": prefix,
        "print_org": len(plan.servers) <= print_limit,
    }


class _Writer:
    """Renders templates into pages by path; a template error is invalid input at its line."""

    def __init__(
        self, env: jinja2.Environment, common: dict[str, Any], directory_urls: bool = True
    ) -> None:
        self.env = env
        self.common = common
        self.pages: dict[str, str] = {}
        self.directory_urls = directory_urls
        self.budget = page_budget(0, 0)  # one for all pages: a template's limits (README)

    def _site_page(self, name: str) -> str | None:
        return f"sites/{slugify(name)}.md" if name.casefold() in self.common["site_keys"] else None

    def __call__(self, path: str, template: str, **extra: Any) -> None:
        diagram = DiagramMaker(path, self.directory_urls, self._site_page)
        context = {**self.common, **extra, "link": _Links(path), "here": path, "diagram": diagram}
        try:
            with spending(self.budget):
                self.pages[path] = self.env.get_template(template).render(context)
        except InvalidInput:
            raise
        except Exception as error:  # a page template is input: what it raises is a problem in it
            raise InvalidInput([_template_problem(error, template, path)]) from None


def _template_problem(error: BaseException, template: str, path: str) -> Problem:
    """Where a page template failed (file and line, from the error or the traceback), and how."""
    name, line = template_line(error, getattr(error, "filename", None))
    if isinstance(error, UnicodeDecodeError):
        line = error.object[: error.start].count(b"\n") + 1
        message = f"not UTF-8: byte {error.object[error.start]:#04x} cannot be read"
    else:
        message = describe_error(error)
    where = Location(str(name or template), line, 1 if line else 0)
    return Problem(where, "", f"template error while writing {path}: {message}")


def render_pages(
    plan: Plan,
    *,
    user_templates: Path | None = None,
    prefix: str = "dr",
    print_limit: int = 500,
    directory_urls: bool = True,
) -> PageSet:
    """Every page of the DR section, rendered; ``directory_urls`` as the site will be built
    (the diagrams' links are final URLs, not Markdown links MkDocs rewrites)."""
    with collection_paused():
        return _render_pages(plan, user_templates, prefix, print_limit, directory_urls)


def _render_pages(
    plan: Plan,
    user_templates: Path | None,
    prefix: str,
    print_limit: int,
    directory_urls: bool,
) -> PageSet:
    servers = sorted(plan.servers, key=lambda s: s.server.name.casefold())
    common = _context(plan, servers, prefix, print_limit)
    page = _Writer(environment(user_templates), common, directory_urls)
    page.budget = page_budget(len(plan.servers), sum(len(s.items) for s in plan.servers))
    org_order = plan.orders[0]
    page("index.md", "home.md.j2")
    page("findings.md", "findings.md.j2")
    page("backup-matrix.md", "backup-matrix.md.j2")
    page("recovery-order.md", "recovery-order.md.j2")
    page("sites/index.md", "sites.md.j2")
    page("roles/index.md", "roles.md.j2")
    for site in common["sites"]:
        members = common["by_site"].get(site.name.casefold(), [])
        order = next((o for o in plan.orders if o.scope == site.name), None)
        path = f"sites/{slugify(site.name)}.md"
        page(path, "site.md.j2", site=site, members=members, order=order)
    for policy in common["roles"]:
        members = common["by_role"].get(policy.id, [])
        page(f"roles/{policy.id}.md", "role.md.j2", policy=policy, members=members)
    for server in servers:
        wave = common["waves"].get(server.server.name)
        neighbours = _neighbours(server, org_order)
        page(
            f"servers/{server.slug}.md", "server.md.j2", s=server, wave=wave, neighbours=neighbours
        )
    by_name = {s.server.name: s for s in servers}
    for name, order in _print_orders(plan, common["print_org"]):
        in_order = [by_name[e.server] for e in _rebuilds(order) if e.server in by_name]
        rebuilt = {s.server.name for s in in_order}
        elsewhere = [e for w in order.waves for e in w if e.step and e.server not in rebuilt]
        title = "the whole organisation" if order.scope == "organization" else f"site {order.scope}"
        page(name, "print.md.j2", title=title, runbooks=in_order, elsewhere=elsewhere)
    for old in plan.decommissioned:
        page(f"servers/{slugify(old.name)}.md", "decommissioned.md.j2", server=old)
    page.pages["plan.json"] = dumps(plan_json(plan))
    return PageSet(prefix, page.pages)


def _rebuilds(order: RecoveryOrder) -> list[OrderEntry]:
    """The rebuild entries of an order (not the waiting steps), wave by wave."""
    return [e for wave in order.waves for e in wave if e.server and e.step is None]


def _print_orders(plan: Plan, whole: bool) -> list[tuple[str, RecoveryOrder]]:
    """Printable runbooks: one per site, and one for the organisation unless it is too large."""
    found = [(f"print/site-{slugify(o.scope)}.md", o) for o in plan.orders[1:]]
    return ([("print/organization.md", plan.orders[0])] if whole else []) + found


def _neighbours(server: ServerPlan, order: RecoveryOrder) -> dict[str, list[str]]:
    """Servers rebuilt in the wave before, the same wave and the wave after, by name."""
    number = order.wave_of(server.server.name)
    if number is None:
        return {}
    names: dict[str, list[str]] = {}
    for label, index in (("before", number - 2), ("with", number - 1), ("after", number)):
        if 0 <= index < len(order.waves):
            found = {e.server for e in order.waves[index] if e.server and e.step is None}
            found.discard(server.server.name)
            names[label] = sorted(found, key=str.casefold)[:12]
    return names


def error_page(error: InvalidInput, prefix: str = "dr") -> PageSet:
    """Under ``mkdocs serve``: one page listing the problems, so the preview says what is wrong."""
    lines = [
        "# The DR inventory has problems",
        "",
        "Fix these and save; the preview rebuilds.",
        "",
        *(f"- {escape.inline(problem)}" for problem in error.problems),
        "",
    ]
    return PageSet(prefix, {"index.md": "\n".join(lines)})
