"""Where the browser gets the wiki's scripts and fonts: from the site itself, unless opted out.

A DR wiki is read when the link to the internet may be gone, so by default no page asks another
host for anything, in every build (``build``, ``serve``, ``bundle``):

- Mermaid is the copy shipped in ``offline/vendor``. Material draws diagrams with its own loader,
  which fetches Mermaid from unpkg unless ``mermaid`` is already defined, so the shipped copy is
  one of Material's ``extra.polyfills`` (scripts in ``<head>``, on every page, so instant
  navigation finds it too). Other themes have no loader: ``exdr-mermaid.js`` draws the diagrams
  and fetches the shipped copy only on pages that have one.
- Fonts are the system's: Material's ``theme.font`` is turned off (it would load Google Fonts),
  and MkDocs' own theme loses highlight.js, which it loads from cdnjs.

``external_assets: true`` leaves the theme's own choices alone.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig

from mkdocs_exdr.offline import bundle as offline

MERMAID = f"{offline.SITE_FOLDER}/vendor/mermaid.min.js"
DRAW = f"{offline.SITE_FOLDER}/exdr-mermaid.js"
FILTER = f"{offline.SITE_FOLDER}/exdr-filter.js"
#: Every file the plugin adds to the site, by its path in the site.
SITE_FILES = {
    **offline.SITE_FILES,
    DRAW: offline.ASSETS / "exdr-mermaid.js",
    FILTER: offline.ASSETS / "exdr-filter.js",
}


def configure(config: MkDocsConfig, *, external: bool) -> None:
    """Point the theme at the site's own copies of what it would fetch from elsewhere."""
    scripts: list[Any] = config.extra_javascript
    if FILTER not in scripts:
        scripts.append(FILTER)
    if config.theme.name == "material":
        if not external:
            config.theme["font"] = False
            polyfills: list[str] = config.extra.setdefault("polyfills", [])
            if MERMAID not in polyfills:
                polyfills.insert(0, MERMAID)
        return
    # No Mermaid loader in this theme: draw with the shipped copy, whatever ``external`` says.
    if DRAW not in scripts:
        scripts.append(DRAW)
    if not external and "highlightjs" in config.theme:
        config.theme["highlightjs"] = False
