"""The Markdown extensions the generated pages need, added to the user's list when missing."""

from __future__ import annotations

import importlib.util
from typing import Any

from mkdocs.config.defaults import MkDocsConfig

BASIC = ("admonition", "attr_list", "tables", "toc")


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def enable_extensions(config: MkDocsConfig) -> None:
    """Add admonitions, tables and (with PyMdown Extensions) details and a Mermaid fence."""
    extensions: list[Any] = config.markdown_extensions
    for name in BASIC:
        if name not in extensions:
            extensions.append(name)
    if not _has("pymdownx"):
        return
    from pymdownx.superfences import fence_code_format

    if "pymdownx.details" not in extensions:
        extensions.append("pymdownx.details")
    if "pymdownx.superfences" not in extensions:
        extensions.append("pymdownx.superfences")
    options = config.mdx_configs.setdefault("pymdownx.superfences", {})
    fences = options.setdefault("custom_fences", [])
    if not any(f.get("name") == "mermaid" for f in fences):
        fences.append({"name": "mermaid", "class": "mermaid", "format": fence_code_format})
