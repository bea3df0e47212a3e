"""mkdocs-exdr: an Exchange Server 2007 disaster-recovery knowledge base built by MkDocs."""

__version__ = "0.1.0"
