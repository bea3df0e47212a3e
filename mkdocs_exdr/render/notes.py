"""A person's page at a generated path, fitted under the generated page's "Local notes" heading.

The notes are the person's own Markdown (not inventory text), so they are kept as written, except:
their YAML front matter is dropped (it would show as text in the middle of the page), and their
headings move down two levels, so that a ``# Title`` becomes a ``###`` under ``## Local notes``
instead of a second ``<h1>`` on the page. Headings inside fenced code blocks are left alone.
"""

from __future__ import annotations

import re

#: Levels the notes' headings move down: ``## Local notes`` is at level 2.
SHIFT = 2
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^(?:---|\.\.\.)[ \t]*\r?$\n?", re.S | re.M)
# Python-Markdown needs no space after the hashes.
_ATX = re.compile(r"^( {0,3})(#{1,6})")
# A line that a setext underline does not turn into a heading: a list item, a quote, a table row,
# an indented code line.
_NOT_TITLE = re.compile(r"^(\s*([-*+]\s|\d+[.)]\s|>|\|)| {4}|\t)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def local_notes(text: str) -> str:
    """``text`` without front matter, its headings two levels down (at most level 6)."""
    lines = _FRONT_MATTER.sub("", text, count=1).splitlines()
    fence = ""
    out: list[str] = []
    for line in lines:
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
            out.append(line)
            continue
        if opening:
            fence = opening.group(1)
            out.append(line)
            continue
        underline = _SETEXT.match(line)
        title = out[-1] if out else ""
        if underline and title.strip() and not _ATX.match(title) and not _NOT_TITLE.match(title):
            level = 1 if underline.group(1)[0] == "=" else 2
            out[-1] = f"{'#' * min(level + SHIFT, 6)} {title.strip()}"
            continue
        out.append(_ATX.sub(lambda m: m.group(1) + "#" * min(len(m.group(2)) + SHIFT, 6), line))
    return "\n".join(out)
