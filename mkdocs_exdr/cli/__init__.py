"""The command-line front end: ``mkdocs-exdr``."""

from mkdocs_exdr.cli.main import run

__all__ = ["run"]
