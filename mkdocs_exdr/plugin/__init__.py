"""The MkDocs front end: the ``exdr`` plugin and its configuration."""

from mkdocs_exdr.plugin.plugin import ExdrPlugin

__all__ = ["ExdrPlugin"]
