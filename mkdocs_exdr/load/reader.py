"""Read plain YAML data into the typed dataclasses of the model, collecting every problem.

One reader is compiled per type from the dataclass annotations, so the model is the only
description of the format. Strings are checked for secrets as they are read: a secret is
replaced by ``[redacted]`` in the model and reported as a ``SecretHit``, never as its value.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mkdocs_exdr.common.durations import GRAMMAR, Duration, parse_duration
from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.common.shown import QUOTE_LIMIT, quoted, shortened
from mkdocs_exdr.load.annotations import public_fields, shape_of
from mkdocs_exdr.load.documents import Document, Path_
from mkdocs_exdr.load.secrets import REDACTED, names_a_secret, redact_secrets, secret_name

#: Entries of one list in one file (servers, storage groups, backups …), so that one file cannot
#: hold more servers than planning handles in reasonable time and memory.
MAX_LIST_ITEMS = 10_000
_TOO_MANY = "more than {:,} entries in one list ({:,}); split them across files"


@dataclass(frozen=True)
class SecretHit:
    """A value that looks like a secret; only its place is kept."""

    where: Location
    field: str
    server: str | None = None


@dataclass
class Context:
    """What reading one document produces besides the model: problems and secret hits."""

    document: Document
    vocab: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    secrets: list[SecretHit] = field(default_factory=list)

    def problem(self, path: Path_, message: str, *, key: bool = False) -> None:
        """Record a problem at ``path``."""
        where = self.document.where(path, key=key)
        self.problems.append(Problem(where, field_path(path), message))


class _Bad:
    """Marks a value that could not be read (its problem is already recorded)."""


BAD = _Bad()
Reader = Callable[[Any, Path_, Context], Any]


def field_path(path: Path_) -> str:
    """``('servers', 2, 'roles', 0)`` → ``servers[2].roles[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def suggest(word: str, choices: typing.Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the nearest choice, or nothing."""
    if len(word) > QUOTE_LIMIT:
        return ""  # nothing that long is near a choice, and comparing it would take long
    by_lower = {choice.lower(): choice for choice in choices}
    near = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.6)
    if not near and len(word) >= 2:
        # An abbreviation (cas, mbx, um, hub, ht): the one choice holding its letters in order,
        # starting with its first.
        near = [c for c in by_lower if c[:1] == word[:1].lower() and _in_order(word.lower(), c)]
    return f"; did you mean '{by_lower[near[0]]}'?" if len(near) == 1 else ""


def _in_order(letters: str, word: str) -> bool:
    rest = iter(word)
    return all(letter in rest for letter in letters)


def kind_of(value: Any) -> str:
    """The YAML word for the type of ``value``, for 'expected X, found Y'."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"a date ({value})"
    if redact_secrets(str(value)) is not None:
        return f"text ({REDACTED})"
    return f"text ('{shorten(str(value))}')"


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters, with its length when cut."""
    return shortened(text, limit)


def _read_str(value: Any, path: Path_, ctx: Context) -> Any:
    if isinstance(value, bool):
        written = ctx.document.texts.get(path, str(value).lower())
        ctx.problem(
            path, f"expected text, found {kind_of(value)}; to mean the word, quote it: '{written}'"
        )
        return BAD
    if not isinstance(value, (str, int, float, dt.date)):
        ctx.problem(path, f"expected text, found {kind_of(value)}")
        return BAD
    text = value if isinstance(value, str) else ctx.document.texts.get(path, str(value))
    redacted = redact_secrets(text)
    if redacted is not None:
        ctx.secrets.append(SecretHit(ctx.document.where(path), field_path(path)))
        return redacted
    return text


def _read_number(value: Any, path: Path_, ctx: Context) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1e12:
        ctx.problem(path, f"expected a number of zero or more, found {kind_of(value)}")
        return BAD
    return float(value)


def _read_int(value: Any, path: Path_, ctx: Context) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        ctx.problem(path, f"expected a whole number, found {kind_of(value)}")
        return BAD
    return value


def _read_bool(value: Any, path: Path_, ctx: Context) -> Any:
    if not isinstance(value, bool):
        ctx.problem(path, f"expected true or false, found {kind_of(value)}")
        return BAD
    return value


def _read_date(value: Any, path: Path_, ctx: Context) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    ctx.problem(path, f"expected a date such as 2026-03-31, found {kind_of(value)}")
    return BAD


def _read_duration(value: Any, path: Path_, ctx: Context) -> Any:
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError:
            pass
    ctx.problem(path, f"expected {GRAMMAR}, found {kind_of(value)}")
    return BAD


def _literal_reader(choices: tuple[str, ...]) -> Reader:
    def read(value: Any, path: Path_, ctx: Context) -> Any:
        if isinstance(value, str) and value in choices:
            return value
        shown = (
            quoted(value)
            if isinstance(value, str) and redact_secrets(value) is None
            else kind_of(value)
        )
        hint = suggest(value, choices) if isinstance(value, str) else ""
        ctx.problem(path, f"unknown value {shown}; expected one of {', '.join(choices)}{hint}")
        return BAD

    return read


def _list_reader(item: Reader) -> Reader:
    def read(value: Any, path: Path_, ctx: Context) -> Any:
        if value is None:
            return []
        if not isinstance(value, list):
            ctx.problem(path, f"expected a list, found {kind_of(value)}")
            return BAD
        if len(value) > MAX_LIST_ITEMS:
            ctx.problem((*path, MAX_LIST_ITEMS), _TOO_MANY.format(MAX_LIST_ITEMS, len(value)))
            return BAD
        items = [item(entry, (*path, index), ctx) for index, entry in enumerate(value)]
        return [entry for entry in items if entry is not BAD]

    return read


def _pattern_reader(base: Reader, pattern: str, doc: str) -> Reader:
    compiled = re.compile(pattern)

    def read(value: Any, path: Path_, ctx: Context) -> Any:
        text = base(value, path, ctx)
        if text is not BAD and not compiled.match(text):
            ctx.problem(path, f"'{shorten(text)}' does not fit: {doc}")
            return BAD
        return text

    return read


def _vocab_reader(base: Reader, vocab: str) -> Reader:
    def check(word: Any, path: Path_, ctx: Context) -> bool:
        known = ctx.vocab.get(vocab)
        if known is None or word in known:
            return True
        listed = ", ".join(known)
        ctx.problem(
            path, f"unknown {vocab} {quoted(word)}; expected one of {listed}{suggest(word, known)}"
        )
        return False

    def read(value: Any, path: Path_, ctx: Context) -> Any:
        result = base(value, path, ctx)
        if isinstance(result, list):
            ok = [check(word, (*path, i), ctx) for i, word in enumerate(result)]
            return result if all(ok) else BAD
        if isinstance(result, str) and not check(result, path, ctx):
            return BAD
        return result

    return read


_SCALARS: dict[Any, Reader] = {
    str: _read_str,
    float: _read_number,
    int: _read_int,
    bool: _read_bool,
    dt.date: _read_date,
    Duration: _read_duration,
}
_cache: dict[Any, Reader] = {}


def reader_for(annotation: Any) -> Reader:
    """The compiled reader for a type annotation of the model."""
    if annotation in _cache:
        return _cache[annotation]
    shape = shape_of(annotation)
    result: Reader
    if shape.kind == "scalar":
        result = _SCALARS[shape.of]
    elif shape.kind == "choice":
        result = _literal_reader(shape.choices)
    elif shape.kind == "list":
        result = _list_reader(reader_for(shape.of))
    elif shape.kind == "optional":
        inner = reader_for(shape.of)

        def optional(value: Any, path: Path_, ctx: Context) -> Any:
            return None if value is None else inner(value, path, ctx)

        result = optional
    else:
        result = _dataclass_reader(shape.of)
    _cache[annotation] = result
    return result


def _unknown_key(key: Any, item: Any, path: Path_, names: list[str], ctx: Context) -> bool:
    """Report a key the model does not have; ``True`` when the mapping stays valid (a secret's
    value dropped and recorded), ``False`` when it is a problem."""
    child = (*path, key)
    plain = names_a_secret(str(key))
    if plain and not isinstance(item, (dict, list)):
        ctx.secrets.append(SecretHit(ctx.document.where(child), field_path(child)))
        return True
    if plain or secret_name(str(key)):
        ctx.problems.append(
            Problem(
                ctx.document.where(child, key=True),
                field_path((*path, REDACTED)),
                "unknown key whose name looks like a secret (not shown); remove it "
                "and keep the secret in the password manager",
            )
        )
    elif key == "<<":
        message = "YAML merge keys (<<) are not supported; write the values out"
        ctx.problem(child, message, key=True)
    else:
        expected = f"; expected one of {', '.join(names)}"
        ctx.problem(child, f"unknown key {key!r}{expected}{suggest(key, names)}", key=True)
    return False


def _dataclass_reader(cls: Any) -> Reader:
    fields = public_fields(cls)
    readers: dict[str, Reader] = {}
    needed: list[str] = []
    for spec, annotation in fields:
        reader = reader_for(annotation)
        if spec.metadata.get("pattern"):
            reader = _pattern_reader(reader, spec.metadata["pattern"], spec.metadata["doc"])
        if spec.metadata.get("vocab"):
            reader = _vocab_reader(reader, spec.metadata["vocab"])
        readers[spec.name] = reader
        if spec.metadata.get("required"):
            needed.append(spec.name)
    names = sorted(readers)
    noun = re.sub(r"(?<!^)([A-Z])", r" \1", cls.__name__).lower()

    def read(value: Any, path: Path_, ctx: Context) -> Any:
        if not isinstance(value, dict):
            ctx.problem(path, f"expected a mapping ({noun}), found {kind_of(value)}")
            return BAD
        kwargs: dict[str, Any] = {}
        ok = True
        for key, item in value.items():
            child = (*path, key)
            reader = readers.get(key)
            if reader is None:
                ok = _unknown_key(key, item, path, names, ctx) and ok
                continue
            if key in needed and (item is None or item == []):
                ctx.problem(child, f"{key} must not be empty")
                ok = False
                continue
            result = reader(item, child, ctx)
            if result is BAD:
                ok = False
            elif result is not None:
                kwargs[key] = result
        for key in needed:
            if key not in value:
                ctx.problem(path, f"missing required key {key!r}")
                ok = False
        if not ok:
            return BAD
        return cls(**kwargs, where=ctx.document.where(path))

    return read
