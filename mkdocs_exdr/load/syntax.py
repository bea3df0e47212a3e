"""YAML syntax errors as a person reads them: where, and what to do about it."""

from __future__ import annotations

import yaml

from mkdocs_exdr.common.problems import Location, Problem


def reader_problem(error: yaml.reader.ReaderError, text: str, shown: str) -> Problem:
    """A character YAML refuses, at its line and column, named by its code point."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    code = error.character if isinstance(error.character, int) else ord(str(error.character)[0])
    return Problem(
        Location(shown, line, column),
        "",
        f"YAML syntax: character U+{code:04X} is not allowed in YAML; remove it",
    )


def _syntax_where(error: yaml.MarkedYAMLError, text: str, shown: str) -> Location:
    # An unclosed quote is found at the end of the file; where it was opened helps more.
    quoted = "quoted scalar" in (error.context or "")
    mark = (error.context_mark if quoted else None) or error.problem_mark or error.context_mark
    return Location(shown, mark.line + 1, mark.column + 1) if mark else Location(shown)


def _syntax(error: yaml.MarkedYAMLError, text: str) -> str:
    mark = error.problem_mark
    if mark is not None and 0 <= mark.index < len(text) and text[mark.index] == "\t":
        return "a tab character; YAML is indented with spaces only"
    if "unknown escape character" in str(error.problem) and error.context_mark is not None:
        return _escape_hint(text, error.context_mark.index)
    return "; ".join(str(part) for part in (error.context, error.problem) if part)


def syntax_problem(error: yaml.MarkedYAMLError, text: str, shown: str) -> Problem:
    """A YAML syntax error at its file, line and column."""
    return Problem(_syntax_where(error, text, shown), "", f"YAML syntax: {_syntax(error, text)}")


def _escape_hint(text: str, start: int) -> str:
    """For ``"L:\\SG2\\Logs"``: in double quotes a backslash starts an escape sequence; the
    same text in single quotes, or without quotes, is read as written."""
    end = text.find('"', start + 1)
    line_end = text.find("\n", start)
    quoted = text[start + 1 : end] if end != -1 and (line_end == -1 or end < line_end) else ""
    example = quoted.replace("'", "''") if 0 < len(quoted) <= 80 else _EXAMPLE_PATH
    return (
        "in double quotes a backslash starts an escape sequence, and this one is not one; "
        f"write Windows paths in single quotes ('{example}') or without quotes"
    )


_EXAMPLE_PATH = "L:\\SG2\\Logs"
