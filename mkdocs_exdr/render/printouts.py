"""Printable runbooks assembled from the server pages' HTML: each step is rendered once.

A printout repeats, step by step, what the server pages already show. The step's heading stays
in the printout's Markdown (so its anchor, its table of contents and its look are the
printout's own); the step's body, the same Markdown on both pages, is rendered once, on the
server page, and put into the printout as HTML. A body is matched by the hash of its Markdown,
so a body that differs in any way (a link written from another folder, a template override) is
simply rendered again. No MkDocs here: the plugin calls these functions from its hooks.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field

#: A step's heading line, as ``_macros.md.j2``'s ``step`` writes it.
_STEP_HEADING = re.compile(r"^#{1,6} .*\{ \.exdr-step \}[ \t]*$")
#: Where a step's body ends in Markdown: the next heading, or the printout's page break.
_BODY_END = re.compile(r'^(?:#{1,6} |<div class="exdr-print-break">)')
#: A line opening or closing a fenced code block (whose ``#`` lines are not headings).
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
#: A step heading in HTML, and the next heading of any kind after it.
_STEP_HTML = re.compile(r'<h([1-6])\b[^>]*\bclass="exdr-step"[^>]*>.*?</h\1>', re.DOTALL)
_NEXT_HEADING = re.compile(r"<h[1-6][\s>]")
#: What the body of a printout's step becomes in its Markdown before rendering: a comment
#: holding this build's random nonce (so no text of a page can carry one) and the body's key.
_PLACEHOLDER = re.compile(r"<!-- exdr-step-body ([0-9a-f]{32}) ([0-9a-f]{32}) -->\n?")


def _key(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


def step_bodies(markdown: str) -> list[tuple[str, int, int]]:
    """Each step body of a page's Markdown: its key, and where it starts and ends.

    A body runs from its step's heading to the next heading or page break; lines inside a
    fenced code block are neither.
    """
    found = []
    fence = ""
    start: int | None = None
    position = 0
    for line in markdown.splitlines(keepends=True):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1).startswith(fence) and not line[opening.end() :].strip():
                fence = ""
        elif opening:
            fence = opening.group(1)
        elif _BODY_END.match(line):
            if start is not None:
                found.append((start, position))
            start = position + len(line) if _STEP_HEADING.match(line) else None
        position += len(line)
    if start is not None:
        found.append((start, len(markdown)))
    return [(_key(markdown[a:b].strip()), a, b) for a, b in found if markdown[a:b].strip()]


@dataclass
class RenderedSteps:
    """Step bodies rendered on server pages, as HTML by the key of their Markdown.

    ``context`` names what else the HTML depends on (the Markdown extensions and their
    settings): bodies learned under another context are never used.
    """

    context: str = ""
    html: dict[str, str] = field(default_factory=dict)
    nonce: str = field(default_factory=lambda: secrets.token_hex(16))

    def learn(self, markdown: str, html: str) -> None:
        """Remember the bodies of a page rendered from ``markdown`` into ``html``.

        A page whose step headings cannot be paired one to one with its Markdown's (another
        plugin changed them) teaches nothing. A body holding an ``id`` (line anchors of a code
        block, numbered per page) is not reused either.
        """
        keys = [key for key, _, _ in step_bodies(markdown)]
        headings = list(_STEP_HTML.finditer(html))
        if len(keys) != len(headings):
            return
        for key, heading in zip(keys, headings, strict=True):
            after = _NEXT_HEADING.search(html, heading.end())
            body = html[heading.end() : after.start() if after else len(html)].strip()
            if " id=" not in body:
                self.html.setdefault(key, body)

    def use(self, markdown: str) -> str:
        """``markdown`` of a printout, each body already rendered replaced by a placeholder."""
        parts = []
        last = 0
        for key, start, stop in step_bodies(markdown):
            if key in self.html:
                parts += [
                    markdown[last:start],
                    f"\n\n<!-- exdr-step-body {self.nonce} {key} -->\n\n",
                ]
                last = stop
        return "".join(parts) + markdown[last:] if parts else markdown

    def fill(self, html: str) -> str:
        """The printout's HTML with each placeholder of this build replaced by the body it
        stands for; anything else that looks like one is left as it is."""

        def body(match: re.Match[str]) -> str:
            if match.group(1) != self.nonce:
                return match.group(0)
            return self.html.get(match.group(2), match.group(0))

        return _PLACEHOLDER.sub(body, html)
