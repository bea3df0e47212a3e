"""Input as a message quotes it: whole when short, else its start and its length, so that a
hostile 40 MB name cannot flood a terminal, a log or a ``--format json`` report."""

from __future__ import annotations

#: Characters of a value a message quotes in full.
QUOTE_LIMIT = 80


def shortened(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` if at most ``limit`` characters, else its first ``limit`` and how long it is:
    ``AAAA… (40,000,000 characters)``."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` in single quotes as ``repr`` writes a string, shortened."""
    return repr(shortened(str(value), limit))
