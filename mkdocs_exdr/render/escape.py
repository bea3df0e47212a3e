"""Escaping inventory text for Markdown pages that Python-Markdown turns into HTML.

HTML autoescaping does not protect Markdown: ``[x](javascript:…)``, ``# heading`` or a backtick
would still become markup. Every inventory value goes through ``inline`` (one line, in running
text, a heading, a link's text or a table cell), ``block`` (several lines) or ``fence`` (a
command in a code block).

``inline`` escapes a character only where it could be markup, so names and paths stay readable
in the Markdown source (``LON-MBX03 (databases)``, ``C:\\Program Files\\Microsoft``):

- always: ``<`` ``>`` ``&`` ``"`` as HTML entities (no raw HTML, entity or autolink, and no end
  to an admonition's quoted title); ``\\`` `` ` `` ``*`` ``[`` ``]`` ``{`` ``|`` with a
  backslash (escapes, code spans, emphasis, links and images, ``{: attr_list}`` and Jinja-looking
  ``{{ }}``, table cells);
- ``_`` unless between two letters or digits (``LON_MBX`` is never emphasis);
- ``~`` in runs of two or more, as entities (fences, strikethrough);
- at the start of the value, which may be the start of a line: ``#``, ``-`` or ``+`` and a
  space, a line of ``-`` or ``=``, the ``.`` or ``)`` of ``1.`` and a space, ``!!!``, ``???``
  (headings, lists, setext underlines and rules, admonitions, details);
- a ``#`` at the end (a heading's closing hashes), a ``:`` after ``]`` (Python-Markdown would
  read ``[\\]:`` at a line's start as a link definition) and a ``\\`` before punctuation or at
  the end (it would escape what follows it, the template's ``]`` or ``|`` included).

A backslash is used only for characters that both Python-Markdown (with ``tables``) and
CommonMark unescape; the others become numeric entities, so no renderer shows a stray backslash.
Control characters and bidirectional overrides are shown as escapes (``\\u202e``) rather than
reordering the text around them.
"""

from __future__ import annotations

import re
import string

from mkdocs_exdr.common.characters import UNSAFE_CHARACTERS

_BACKTICKS = re.compile(r"`+")
_ALWAYS = {
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    '"': "&quot;",
    "`": "\\`",
    "*": "\\*",
    "[": "\\[",
    "]": "\\]",
    "{": "\\{",
    "|": "\\|",
}
# What opens a block at the start of a line, with the character to escape as its group.
_BLOCK_START = re.compile(
    r"(#)"  # a heading: Python-Markdown needs no space after the "#"
    r"|([-+])(?= |$)"  # a list item
    r"|([-=])(?=[-= ]*$)"  # a setext underline or a rule
    r"|\d+([.)])(?= |$)"  # an ordered list item
    r"|(!)(?=!!)|(\?)(?=\?\?)"  # an admonition, a details block
)
# A backslash does not escape these in Python-Markdown.
_ENTITIES = {"=": "&#61;", "?": "&#63;"}
# C0 and C1 controls, line and paragraph separators, bidirectional embeddings, overrides and
# isolates ("Trojan Source"); the same set the terminal reporter shows as escapes.
_CONTROL = UNSAFE_CHARACTERS


# Text that is never markup: it starts with a letter (so it opens no block) and holds no
# character ``_token`` escapes or a rule above looks at. Most names, paths and sentences are.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,'()/;@%$^.:-]*")


def inline(value: object) -> str:
    """``value`` as literal text on one line, wherever on the line it lands."""
    text = " ".join(str(value).split())
    return text if _PLAIN.fullmatch(text) else escaped(text)


def escaped(text: str) -> str:
    """``inline``'s work on one line of text, character by character."""
    tokens = [_token(text, index) for index in range(len(text))]
    start = _BLOCK_START.match(text)
    if start and start.lastindex:
        at = start.start(start.lastindex)
        tokens[at] = _ENTITIES.get(text[at], "\\" + text[at])
    if text.endswith("#"):
        tokens[-1] = "\\#"
    for index, token in enumerate(tokens):
        following = tokens[index + 1][:1] if index + 1 < len(tokens) else ""
        if token == "\\" and (not following or following in string.punctuation):
            tokens[index] = "\\\\"
    return "".join(tokens)


def _token(text: str, index: int) -> str:
    """The Markdown for ``text[index]``, escaped where it could be markup in running text."""
    char = text[index]
    if char in _ALWAYS:
        return _ALWAYS[char]
    if char == "_":
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        return "_" if before.isalnum() and after.isalnum() else "\\_"
    if char == ":" and text[index - 1 : index] == "]":
        return "&#58;"  # Python-Markdown reads "[\\]:" at a line's start as a link definition
    if char == "~" and "~~" in text[max(index - 1, 0) : index + 2]:
        return "&#126;"
    if _CONTROL.match(char):
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return char


def block(value: object) -> str:
    """Several lines of literal text: lines kept (hard breaks), lines starting ``- `` as a list."""
    parts: list[str] = []
    for line in str(value).strip().splitlines():
        bullet = line.lstrip().startswith("- ")
        text = inline(line.lstrip()[2:] if bullet else line)
        if not text:
            continue  # an empty line, or a bullet with nothing after it
        if bullet:
            if parts and not parts[-1].startswith("- "):
                parts.append("")
            parts.append(f"- {text}")
        else:
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
