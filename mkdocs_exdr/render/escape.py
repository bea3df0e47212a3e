"""Escaping inventory text for Markdown pages that Python-Markdown turns into HTML.

HTML autoescaping does not protect Markdown: ``[x](javascript:…)``, ``# heading`` or a backtick
would still become markup. Every inventory value goes through ``inline`` (one line, in running
text or a table cell), ``block`` (several lines) or ``fence`` (a command in a code block).
"""

from __future__ import annotations

import re

# The characters Python-Markdown lets a backslash escape, and | for tables.
_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")
_BACKTICKS = re.compile(r"`+")


def inline(value: object) -> str:
    """``value`` as literal text on one line: HTML-escaped, Markdown characters backslashed."""
    text = " ".join(str(value).split())
    text = (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )
    return _SPECIAL.sub(r"\\\1", text)


def block(value: object) -> str:
    """Several lines of literal text: lines kept (hard breaks), lines starting ``- `` as a list."""
    parts: list[str] = []
    for line in str(value).strip().splitlines():
        bullet = line.lstrip().startswith("- ")
        text = inline(line.lstrip()[2:] if bullet else line)
        if bullet:
            if parts and not parts[-1].startswith("- "):
                parts.append("")
            parts.append(f"- {text}")
        elif text:
            if parts and parts[-1].startswith("- "):
                parts.append("")
            parts.append(text)
    lines = []
    for index, part in enumerate(parts):
        following = parts[index + 1] if index + 1 < len(parts) else None
        joined = part and not part.startswith("- ") and following and not following.startswith("- ")
        lines.append(f"{part}<br>" if joined else part)
    return "\n".join(lines)


def fence(value: object, language: str = "") -> str:
    """``value`` in a fenced code block whose fence no backtick run in it can close."""
    text = str(value).rstrip("\n")
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{language}\n{text}\n{marks}"


def mermaid_label(value: object) -> str:
    """Text safe inside a quoted Mermaid label."""
    text = " ".join(str(value).split())
    text = re.sub(r"[^\w .,:/()+-]", "", text)
    return text or "?"
