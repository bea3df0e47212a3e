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
from mkdocs_exdr.load.annotations import public_fields, shape_of
from mkdocs_exdr.load.documents import Document, Path_

REDACTED = "[redacted]"
# Words that name a secret. A key that is one of them (``password``, ``smtp_token``,
# ``aws_secret_access_key``) holds a secret; a longer key holding one may be a secret itself.
_WORDS = (
    r"pass(?:word|wd|phrase)|pwd|secret|private[_-]?key|api[_-]?key|access[_-]?key"
    r"|secret[_-]?key|token|credentials?|kennwort|mot[_ ]de[_ ]passe|pfx[_ ]password"
)
# A plain name is letters and separators only: ``smtp_password``, ``clientSecret``. Digits or
# other text around the word (``password_hunter2``) may be the secret, so that name is not shown.
_SECRET_KEY = re.compile(rf"(?i)^(?:[a-z]+[_-]){{0,3}}(?:[a-z]*(?:{_WORDS})|pin)$")
_SECRET_WORD = re.compile(rf"(?i)(?:{_WORDS})")
# A value after a secret's name: quoted (spaces allowed) or up to white space.
_VALUE = r"""(?:"[^"\n]*"|'[^'\n]*'|[^\s"',;}]+)"""
# Ordinary words after "the password is", which say where a password is, not what it is.
_NOT_A_VALUE = (
    r"(?:in|on|at|under|stored|kept|held|saved|managed|listed|recorded|documented|rotated|"
    r"changed|set|known|required|needed|available|written|also|only|never|not|the|a|an|"
    r"same|blank|empty|expired|reset|shared|with|from|of)\b"
)
_SECRET_TEXT = re.compile(
    r"(?i)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    # password: x, api_key=x, "token": "x", aws_secret_access_key = x
    rf"|[\"']?\b[\w-]*?(?:{_WORDS})[\w-]*[\"']?\s*[:=]\s*{_VALUE}"
    # the password is x, password for admin was x
    rf"|\b(?:{_WORDS})(?:\s+(?:for|of)\s+\S+)?\s+(?:is|was)\s*:?\s+(?!{_NOT_A_VALUE}){_VALUE}"
    # credentials in a URL: https://user:pw@host keeps the scheme and host
    r"|(?<=://)[^\s/:@]+:[^\s/@]+(?=@)"
    # AWS access key ids
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
    re.DOTALL,
)
# With an AWS access key id in the same value, a 40-character key is its secret.
_AWS_ID = re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
_AWS_SECRET = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")


def redact_secrets(text: str) -> str | None:
    """``text`` with every secret in it replaced by ``[redacted]``, or ``None`` when it holds
    none. Detected: passwords, tokens, API and access keys after their name (``name: x``,
    ``"name": "x"``, ``the password is x``), private key blocks, credentials in URLs and AWS
    key pairs."""
    found = False
    if _AWS_ID.search(text):
        text, count = _AWS_SECRET.subn(REDACTED, text)
        found = bool(count)
    text, count = _SECRET_TEXT.subn(REDACTED, text)
    return text if found or count else None


def secret_name(key: str) -> bool:
    """Whether a key's name may itself hold a secret (``password_hunter2``, ``token=x``), so
    messages must not print it. Plain secret names (``password``, ``api_key``) are not."""
    if _SECRET_KEY.match(key):
        return False
    return bool(_SECRET_WORD.search(key) or redact_secrets(key) is not None)


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
    """``text`` cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
            f"'{value}'"
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
            path, f"unknown {vocab} {word!r}; expected one of {listed}{suggest(word, known)}"
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
    plain = _SECRET_KEY.match(str(key))
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
