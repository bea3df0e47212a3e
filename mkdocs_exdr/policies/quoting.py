"""Inventory values quoted for the shell a policy command is typed in: the ``ps`` and ``cmd``
filters of policy templates."""

from __future__ import annotations

import re

import jinja2

from mkdocs_exdr.common.characters import UNSAFE_CHARACTERS

# PowerShell ends a single-quoted string at any of these and reads two in a row as one.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
# Characters a command line must not hold as they are: controls, line and paragraph separators,
# bidirectional embeddings, overrides and isolates.
_UNPRINTABLE = UNSAFE_CHARACTERS
# cmd.exe expands %name% (and !name! under delayed expansion) even inside double quotes, and
# no escape for them works both typed and in a batch file; a '"' would end the quoted argument.
_CMD_REFUSED = re.compile('["%!]')


class UnquotableValue(jinja2.TemplateRuntimeError):
    """A value that cannot be written as one argument of the command's shell."""


def ps_quote(value: object) -> str:
    """``value`` as one PowerShell argument: a single-quoted string, quotes doubled.

    Inside single quotes PowerShell expands nothing (``$``, backtick, ``;`` and ``|`` are
    text). A control or bidirectional character cannot be shown there, so such a value becomes
    one expression instead: ``('a' + [char]0x000A + 'b')``.
    """
    text = str(value)
    parts: list[str] = []
    for piece in _UNPRINTABLE.split(text):
        parts.append("'" + "".join(c * 2 if c in _PS_QUOTES else c for c in piece) + "'")
    if len(parts) == 1:
        return parts[0]
    codes = [f"[char]0x{ord(c):04X}" for c in _UNPRINTABLE.findall(text)]
    pieces = [parts[0]]
    for code, part in zip(codes, parts[1:], strict=True):
        pieces += [code, part]
    return "(" + " + ".join(piece for piece in pieces if piece != "''") + ")"


def cmd_quote(value: object) -> str:
    """``value`` as one cmd.exe argument: in double quotes, where ``& | < > ^ ( )`` are text.

    Backslashes before the closing quote are doubled, so the program's argument parser
    (``CommandLineToArgvW`` rules) does not read ``\\"`` as a quote. A value holding ``"``,
    ``%``, ``!`` or a control character cannot be quoted for both typing and batch files: it
    is refused (``UnquotableValue``), a problem at the step.
    """
    text = str(value)
    refused = _CMD_REFUSED.search(text) or _UNPRINTABLE.search(text)
    if refused:
        char = refused.group()
        raise UnquotableValue(
            f"{text!r} cannot be one argument of a cmd.exe command: it holds "
            f"{char!r} (U+{ord(char):04X}); rename it or change the path"
        )
    trailing = len(text) - len(text.rstrip("\\"))
    return '"' + text + "\\" * trailing + '"'


#: Most a policy template may do for one value: loop turns, calls, attribute reads and
#: operators (a built-in step needs a few dozen), and characters of text, its own or any value
#: it builds on the way. Beyond them the template stops with a problem at its policy item.
