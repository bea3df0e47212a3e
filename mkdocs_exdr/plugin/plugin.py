"""The MkDocs plugin: hooks of a few lines that hand the generated pages to MkDocs."""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any, Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from mkdocs_exdr.cache.pages import write_pages
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.offline import bundle as offline
from mkdocs_exdr.pipeline import build_plan, resolve_as_of, resolve_fail_on
from mkdocs_exdr.plugin import assets
from mkdocs_exdr.plugin.config import ExdrConfig, inside_docs
from mkdocs_exdr.plugin.extensions import enable_extensions
from mkdocs_exdr.policies.facts import TemplateMemo
from mkdocs_exdr.render.notes import local_notes
from mkdocs_exdr.render.pages import NAV_PAGES, PageSet, error_page, render_pages
from mkdocs_exdr.render.printouts import RenderedSteps

log = get_plugin_logger(__name__)
SECTION_TITLE = "Disaster recovery"
#: The mark ``mkdocs-exdr generate`` puts on the second line of every file it writes: a key of
#: the page's YAML front matter (MkDocs reads it into ``page.meta`` and shows it nowhere), or
#: the first key of plan.json. A file without it is a person's, and is never replaced.
GENERATED_KEY = "exdr_generated"
GENERATED_NOTE = "written by mkdocs-exdr generate; edits are lost on the next run"
_MARK_LINES = (f"{GENERATED_KEY}: {GENERATED_NOTE}", f'  "{GENERATED_KEY}": "{GENERATED_NOTE}",')


def mark_generated(path: str, content: str) -> str:
    """``content`` with the generate mark: in its front matter (added when it has none), or as
    the first key of a JSON object."""
    if path.endswith(".json") and content.startswith("{\n"):
        return f"{{\n{_MARK_LINES[1]}\n{content[2:]}"
    if content.startswith("---\n"):
        return f"---\n{_MARK_LINES[0]}\n{content[4:]}"
    return f"---\n{_MARK_LINES[0]}\n---\n{content}"


def is_generated(content: str) -> bool:
    """Whether ``content`` carries the mark of ``mark_generated`` (on its second line)."""
    lines = [line.rstrip("\r") for line in content.lstrip("\ufeff").split("\n", 2)[:2]]
    return lines in (["---", _MARK_LINES[0]], ["{", _MARK_LINES[1]])


class ExdrPlugin(BasePlugin[ExdrConfig]):  # type: ignore[no-untyped-call]
    """Generate the DR knowledge base from the inventory at every build."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.command: str = "build"
        self.dirty = False
        self.pages: PageSet | None = None
        self.banner = ""
        self.steps = RenderedSteps()
        #: Policy texts by what decides them, from one build to the next under ``serve``.
        self.memo = TemplateMemo()
        #: A server page's Markdown as generated, from ``on_page_markdown`` to ``on_page_content``.
        self.written: dict[str, str] = {}
        #: Generated pages that take and lend step bodies: not one a hand-written page was merged
        #: into (as local notes), nor a hand-written page of their folders.
        self.shared: set[str] = set()

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self.command = command
        self.dirty = dirty

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return config
        base = Path(config.config_file_path or ".").parent
        why = inside_docs(self.config.cache_dir, base, Path(config.docs_dir))
        if why:
            raise PluginError(f"exdr: invalid option cache_dir: {why}")
        enable_extensions(config)
        assets.configure(config, external=self.config.external_assets)
        if f"{offline.SITE_FOLDER}/exdr.css" not in config.extra_css:
            config.extra_css.append(f"{offline.SITE_FOLDER}/exdr.css")
        if self.config.offline:
            # Pages opened from the file system: no directory URLs, no web fonts, and the
            # scripts Material would fetch from a CDN served from the site itself.
            config.use_directory_urls = False
            if config.theme.name == "material":
                config.theme["font"] = False
            polyfills = config.extra.setdefault("polyfills", [])
            polyfills[:0] = [p for p in offline.OFFLINE_SCRIPTS if p not in polyfills]
            if f"{offline.SITE_FOLDER}/exdr-age.js" not in config.extra_javascript:
                config.extra_javascript.append(f"{offline.SITE_FOLDER}/exdr-age.js")
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Load, plan and render before MkDocs cleans the site folder: bad input stops here."""
        self.pages = None
        self.banner = ""
        self.written = {}
        self.shared = set()
        # Under serve --dirty the plugin lives from build to build, and a printout rebuilt
        # for one changed server takes the other servers' steps from the builds before.
        context = repr((config.markdown_extensions, config.mdx_configs, config.use_directory_urls))
        if not (self.dirty and self.steps.context == context):
            self.steps = RenderedSteps(context)
        if not self.config.enabled:
            return
        base = Path(config.config_file_path or ".").parent
        try:
            as_of = resolve_as_of(None, self.config.as_of)
            built = offline.build_date()
        except ValueError as error:
            raise PluginError(f"exdr: as_of or SOURCE_DATE_EPOCH: {error}") from None
        try:
            # Not kept: once its pages are written, the plan is garbage (memory, README "Speed").
            plan = build_plan(
                Path(self.config.inventory),
                Path(self.config.policies),
                as_of,
                shown_inventory=_shown(self.config.inventory, base),
                shown_policies=_shown(self.config.policies, base),
                memo=self.memo,
            )
            templates = Path(self.config.templates) if self.config.templates else None
            self.pages = render_pages(
                plan,
                user_templates=templates,
                prefix=self.config.path,
                print_limit=self.config.print_limit,
                directory_urls=config.use_directory_urls,
            )
        except InvalidInput as error:
            log.error("invalid DR inventory, policies or templates:\n%s", error.report())
            if self.command == "serve":
                self.pages = error_page(error, self.config.path)
                return
            raise PluginError(f"exdr: {error}; see the list above") from None
        self.banner = offline.Banner(
            classification=self.config.classification,
            revision=offline.inventory_revision(
                Path(self.config.inventory), Path(self.config.policies)
            ),
            as_of=plan.as_of,
            fingerprint=plan.fingerprint,
            built=built,
            warn_after_days=self.config.offline_warn_after if self.config.offline else None,
        ).html()
        fail_on = resolve_fail_on(None, self.config.fail_on, plan)
        for finding in plan.counted(fail_on):
            where = f"  [{finding.where}]" if finding.where and finding.where.file else ""
            log.warning("%s %s: %s%s", finding.code, finding.subject, finding.message, where)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return files
        for uri, source in assets.SITE_FILES.items():
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(source)))
        if self.pages is None:
            return files
        nav_pages = {posixpath.join(self.pages.prefix, p) for p in NAV_PAGES}
        texts: dict[str, str] = {}
        noted: set[str] = set()
        for path, content in self.pages.pages.items():
            uri = posixpath.join(self.pages.prefix, path)
            existing = files.get_file_from_path(uri)
            texts[uri] = content
            if existing is not None:
                # A hand-written page at a generated path is kept, as local notes at the end;
                # one that generate wrote is an old copy of this very page.
                if is_generated(existing.content_string):
                    log.info(
                        "replaced %s, written by mkdocs-exdr generate, with the page built now",
                        existing.src_uri,
                    )
                else:
                    notes = local_notes(existing.content_string)
                    texts[uri] = f"{content}\n\n## Local notes\n\n{notes}\n"
                    noted.add(uri)
                    log.info("merged %s into the generated page as local notes", existing.src_uri)
                files.remove(existing)
        for uri, page in self._sources(texts, config).items():
            # With an explicit nav, on_nav appends the index pages itself: MkDocs must not log
            # them as "not included in the nav".
            in_nav = uri in nav_pages and config.nav is None
            inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
            if isinstance(page, Path):
                file = File.generated(config, uri, abs_src_path=str(page), inclusion=inclusion)
            else:
                file = File.generated(config, uri, content=page, inclusion=inclusion)
            files.append(file)
        self.pages.pages.clear()  # MkDocs has them now (or their files, under --dirty)
        self.shared = set(texts) - noted
        return files

    def _sources(self, texts: dict[str, str], config: MkDocsConfig) -> dict[str, str | Path]:
        """The pages' text; under ``--dirty``, their files in the cache folder instead, where
        an unchanged page keeps its time, so that MkDocs builds only the pages that changed."""
        if not self.dirty:
            return dict(texts)
        base = Path(config.config_file_path or ".").parent
        written = write_pages(base / self.config.cache_dir, texts)
        if written is None:
            log.info(
                "no page cache: %s is not the cache's folder or cannot be written; every "
                "page is built",
                self.config.cache_dir,
            )
            return dict(texts)
        return dict(written)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        if self.pages is None:
            return nav
        home = posixpath.join(self.pages.prefix, "index.md")
        for item in _walk(nav.items):
            if isinstance(item, Section) and any(
                isinstance(c, Page) and c.file.src_uri == home for c in item.children
            ):
                if item.title.casefold() == posixpath.basename(self.pages.prefix).casefold():
                    item.title = SECTION_TITLE
                return nav
        if any(p.file.src_uri == home for p in nav.pages):
            return nav
        # An explicit nav without the DR pages: append them as one section.
        pages = []
        for path in NAV_PAGES:
            file = files.get_file_from_path(posixpath.join(self.pages.prefix, path))
            if file is not None:
                pages.append(file.page if file.page is not None else Page(None, file, config))
        section = Section(SECTION_TITLE, pages)  # type: ignore[arg-type]
        for page in pages:
            page.parent = section
        nav.items.append(section)
        nav.pages.extend(pages)
        return nav

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Step bodies already rendered (on a server page before, or in a build before under
        ``serve --dirty``) become placeholders: the same step comes in several scenarios of a
        server and on many servers, and is rendered once."""
        kind = self._shares_steps(page)
        if kind == "server":
            self.written[page.file.src_uri] = markdown
        return self.steps.use(markdown) if kind else markdown

    def on_page_content(
        self, html: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Placeholders take in their bodies; server pages lend theirs to the pages after."""
        kind = self._shares_steps(page)
        if not kind:
            return html
        html = self.steps.fill(html)
        written = self.written.pop(page.file.src_uri, None)
        if kind == "server" and written:
            self.steps.learn(written, html)
        return html

    def _shares_steps(self, page: Page) -> str | None:
        """``server`` or ``print`` for a page that takes (and, a server page, lends) rendered
        step bodies; ``None`` for any other.

        A body renders alike on every such page only when the page around it is the package's:
        none is shared with the user's page templates (which may define abbreviations or
        reference links for a page, or link relatively), on a page with local notes or a
        hand-written page in those folders (which may too), or on a server page that is its
        folder's index (a URL one level up).
        """
        if self.pages is None or self.config.templates or page.file.src_uri not in self.shared:
            return None
        uri = page.file.src_uri
        if uri.startswith(self._folder("servers")):
            return None if posixpath.basename(uri) == "index.md" else "server"
        return "print" if uri.startswith(self._folder("print")) else None

    def _folder(self, name: str) -> str:
        assert self.pages is not None
        return posixpath.join(self.pages.prefix, name, "")

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.banner:
            return offline.insert_banner(output, self.banner)
        return output

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.dirty:
            self.steps = RenderedSteps()
        if self.config.enabled and self.config.offline:
            offline.write_search_script(Path(config.site_dir))

    def on_serve(
        self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        for folder in (self.config.inventory, self.config.policies, self.config.templates):
            if folder and Path(folder).is_dir():
                server.watch(folder)
        return server


def _walk(items: list[Any]) -> list[Any]:
    found = []
    for item in items:
        found.append(item)
        if isinstance(item, Section):
            found += _walk(item.children)
    return found


def _shown(folder: str, base: Path) -> str:
    try:
        return Path(folder).relative_to(base.resolve()).as_posix()
    except ValueError:
        try:
            return Path(folder).relative_to(base).as_posix()
        except ValueError:
            return folder
