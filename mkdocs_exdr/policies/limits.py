"""What a sandboxed template may spend: operations, printed text and built values.

A budget is set for one rendering (``budget``); the sandbox (``sandbox.py``) spends from it on
every call, attribute read, operator, filter and loop turn, and a filter, method or operator
spends more in proportion to the characters or items it is given and returns (``cost``), so work
on large values is stopped by the same count. Values that would grow too large are
refused *before* they are built where their size can be known from the operands (``'x' * 10**9``,
``join``, ``~``, ``indent``, printing a list), and everything built is charged to the budget, so
many values that are each small cannot add up to gigabytes either. A clock is the last guard
(``POLICY_SECONDS``), for whatever the count misses.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import jinja2

#: A policy template's budget: operations (loop turns, calls, attribute reads, operators) ...
MAX_OPERATIONS = 100_000
#: ... and characters printed, also the largest text or list one operation may build.
MAX_TEXT = 1_000_000
#: What all the values a policy template builds may add up to (each is charged once built).
MAX_BUILT = 8 * MAX_TEXT
#: Page templates, all pages of a plan together: a base and a share per server and per runbook
#: step. The package's templates spend about 2,640 operations (2,440 before filters paid for the
#: size of their inputs) and print about 80,000 characters per server and step
#: (benchmarks/generate.py, 100 and 500 servers), so a user's template may spend over four times
#: the operations and three times the text before it is stopped.
PAGE_OPERATIONS = 500_000
PAGE_OPERATIONS_PER_UNIT = 12_500
PAGE_TEXT = 10_000_000
PAGE_TEXT_PER_UNIT = 250_000
#: A filter's, method's or operator's inputs and result cost one more operation per this many
#: characters or items: C-speed string work (``upper``, ``replace``, ``join``) takes about 1 to
#: 10 ns a character, and an operation (a loop turn, a filter call) about 1 to 4 µs.
UNITS_PER_OPERATION = 250
#: Filters that work in Python a character, word or item at a time, and their own rate
#: (measured on 1,000,000 characters or 100,000 items: ``urlize`` 0.6 µs a character,
#: ``unique`` 0.24, ``title`` 0.09, ``sort`` 0.7 µs an item). ``wordwrap`` also spends one
#: operation per line it makes: at width 1, 1.5 µs a character.
_SLOW_FILTERS = {
    "urlize": 5,
    "sort": 5,
    "dictsort": 5,
    "groupby": 5,
    "min": 5,
    "max": 5,
    "unique": 10,
    "wordwrap": 20,
    "title": 25,
    "wordcount": 50,
    "pprint": 50,
    "urlencode": 50,
    "capitalize": 100,
    "striptags": 100,
}
#: The clock, the last guard: a policy template or condition may run this long ...
POLICY_SECONDS = 10.0
#: ... and all the pages of a plan together this long, plus a share per server and step (the
#: package's own take about 1.5 ms a server and step: benchmarks/generate.py, 100 servers).
PAGE_SECONDS = 60.0
PAGE_SECONDS_PER_UNIT = 0.1
#: The clock is read at the first spend and then every this many (about 0.1 ms of work).
CLOCK_EVERY = 64
_clock = time.monotonic  # replaced in the tests by a clock that runs fast
_MAX_BITS = 100_000  # of an integer built by * or **
# A %-format or str.format width or precision of seven digits or more, or taken from an argument.
_WIDE_FORMAT = re.compile(r"%[^a-zA-Z%]*?(?:\*|\d{7})|\{[^{}]*?(?:\d{7}|\{)")
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# Filters whose result is about as long as their first argument printed.
_AS_TEXT = frozenset({"string", "tojson", "pprint", "e", "escape", "forceescape", "urlencode"})


_T = TypeVar("_T")
_SIZED = (bytes, bytearray, list, tuple, dict, set, frozenset)


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A template that ran past its operations, printed past its text or built too much."""


class Budget:
    """What one rendering (or several, see ``spending``) may still spend, and the figures it
    started with."""

    __slots__ = (
        "built",
        "deadline",
        "max_built",
        "max_operations",
        "max_text",
        "operations",
        "seconds",
        "text",
        "ticks",
    )

    def __init__(self, operations: int, text: int, built: int, seconds: float) -> None:
        self.max_operations = self.operations = operations
        self.max_text = self.text = text
        self.max_built = self.built = built
        self.seconds = seconds
        #: When the time is up; set by the first operation spent, so a budget made ahead of
        #: its rendering loses no time.
        self.deadline: float | None = None
        self.ticks = 0  # spends until the clock is read again


_BUDGET: ContextVar[Budget | None] = ContextVar("exdr_template_budget", default=None)


@contextmanager
def spending(budget: Budget) -> Iterator[None]:
    """Templates rendered inside spend from ``budget``."""
    token = _BUDGET.set(budget)
    try:
        yield
    finally:
        _BUDGET.reset(token)


def policy_budget() -> Budget:
    """One policy template's or condition's budget."""
    return Budget(MAX_OPERATIONS, MAX_TEXT, MAX_BUILT, POLICY_SECONDS)


def page_budget(servers: int, steps: int) -> Budget:
    """What all the pages of a plan may spend together, in proportion to its servers and steps
    (``PAGE_OPERATIONS``): one budget for all pages, so a runaway loop in a template used by
    every server page is stopped once, not once a page."""
    units = servers + steps
    text = PAGE_TEXT + PAGE_TEXT_PER_UNIT * units
    seconds = PAGE_SECONDS + PAGE_SECONDS_PER_UNIT * units
    return Budget(PAGE_OPERATIONS + PAGE_OPERATIONS_PER_UNIT * units, text, text, seconds)


def spend(operations: int = 1, text: int = 0) -> None:
    """Spend; past the budget, ``TemplateLimit``."""
    current = _BUDGET.get()
    if current is None:  # compiling (constant folding), not rendering
        return
    current.operations -= operations
    current.text -= text
    if current.operations < 0:
        raise TemplateLimit(
            f"stopped after {current.max_operations:,} operations (loop turns, calls, attribute "
            "reads, work on long text); loop over fewer items or shorter text"
        )
    if current.text < 0:
        raise TemplateLimit(f"stopped: the text grew past {current.max_text:,} characters")
    current.ticks -= 1
    if current.ticks > 0:
        return
    current.ticks = CLOCK_EVERY
    now = _clock()
    if current.deadline is None:
        current.deadline = now + current.seconds
    elif now > current.deadline:
        raise TemplateLimit(
            f"stopped after {current.seconds:g} seconds; loop over fewer items or work on "
            "shorter text"
        )


def cost(name: str, values: list[Any]) -> int:
    """What a filter (by ``name``), method or operator (``name`` empty) spends before it runs:
    one operation, one per ``UNITS_PER_OPERATION`` characters or items of ``values`` (the
    value it is applied to and its arguments), and for ``wordwrap`` one per line it makes."""
    size = 0
    for value in values:
        size += length(value)
    operations = 1 + size // _SLOW_FILTERS.get(name, UNITS_PER_OPERATION) if size else 1
    if name == "wordwrap" and len(values) > 1 and isinstance(values[0], str):
        width = values[1] if isinstance(values[1], int) else 79
        operations += len(values[0]) // max(width, 1)
    return operations


def refuse_growth(size: int) -> None:
    """Refuse a value of ``size`` characters or items before it is built."""
    if size > MAX_TEXT:
        raise TemplateLimit(f"stopped: a value would grow past {MAX_TEXT:,} characters or items")


def built(value: _T, name: str = "") -> _T:
    """``value``, the result of a filter (by ``name``), method or operator, charged to what the
    rendering has built and, by its size, to its operations (``cost``); refused if it alone is
    too large."""
    size = length(value)
    if size > MAX_TEXT:
        raise TemplateLimit(f"stopped: a value grew past {MAX_TEXT:,} characters or items")
    current = _BUDGET.get()
    if current is not None and size:
        current.built -= size
        if current.built < 0:
            raise TemplateLimit(
                f"stopped: the values built added up to more than {current.max_built:,} "
                "characters or items"
            )
        operations = size // _SLOW_FILTERS.get(name, UNITS_PER_OPERATION)
        if operations:
            spend(operations)
    return value


def length(value: Any) -> int:
    """Characters or items of ``value``; 0 for anything else."""
    if isinstance(value, str):
        return len(value)
    return len(value) if isinstance(value, _SIZED) else 0


def printed_size(value: Any, limit: int | None = None) -> int:
    """About how long ``str(value)`` would be, found without building it; the count stops once
    past ``limit``, so a large container costs no more than the limit to measure."""
    limit = MAX_TEXT if limit is None else limit
    if isinstance(value, (str, bytes, bytearray)):
        return len(value)
    if not isinstance(value, (list, tuple, dict, set, frozenset)):
        return 24  # a number, None, a model object: its text is short
    total = 2
    stack: list[Any] = [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
            total += 2 + 4 * len(item)
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
            total += 2 + 2 * len(item)
        else:
            total += len(item) + 2 if isinstance(item, (str, bytes, bytearray)) else 24
    return total


def check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse an operator whose result would be too large, before it is built."""
    if operator == "*":
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > _MAX_BITS:
                raise TemplateLimit(f"stopped: a number grew past {_MAX_BITS:,} bits")
        elif isinstance(left, int) or isinstance(right, int):
            count = left if isinstance(left, int) else right
            refuse_growth(max(length(left), length(right)) * max(count, 0))
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and left.bit_length() * right > _MAX_BITS:
            raise TemplateLimit(f"stopped: a number grew past {_MAX_BITS:,} bits")
    elif operator == "+":
        refuse_growth(length(left) + length(right))
    elif operator == "%" and isinstance(left, str):
        if _WIDE_FORMAT.search(left):
            raise TemplateLimit("stopped: a format width or precision too large")
        refuse_growth(len(left) + printed_size(right))


def _joined_size(items: Any, separator: Any) -> int:
    if not isinstance(items, (list, tuple, set, frozenset, dict)):
        return 0  # a generator or a string: charged once built
    parts = sum(printed_size(item) for item in items)
    return parts + printed_size(separator) * len(items)


def check_call(obj: Any, args: tuple[Any, ...]) -> None:
    """Refuse a string method whose result would be too large, before it is built."""
    # The sandbox hands out ``str.format`` wrapped; the method is the wrapper's ``__wrapped__``.
    owner = getattr(getattr(obj, "__wrapped__", obj), "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(obj, "__name__", "")
    numbers = [a for a in args if isinstance(a, int)]
    if name in _WIDTH_METHODS and numbers:
        refuse_growth(max(numbers) * (max(owner.count("\t"), 1) if name == "expandtabs" else 1))
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and args[0]:
        refuse_growth(len(owner) + owner.count(args[0]) * length(args[1]))
    elif name == "join" and args:
        refuse_growth(_joined_size(args[0], owner))
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((printed_size(v) for v in args[0].values()), default=0)
        refuse_growth(len(owner) * longest)
    elif name in ("format", "format_map"):
        if _WIDE_FORMAT.search(owner):
            raise TemplateLimit("stopped: a format width or precision too large")
        refuse_growth(len(owner) + sum(printed_size(a) for a in args))


def check_filter(name: str, values: list[Any]) -> None:
    """Refuse a filter whose result would be too large, before it runs."""
    first = values[0] if values else None
    rest = values[1:]
    if name in ("center", "truncate"):
        refuse_growth(max([a for a in rest if isinstance(a, int)], default=0))
    elif name in ("indent", "wordwrap") and isinstance(first, str) and rest:
        width = rest[0] if isinstance(rest[0], int) else length(rest[0])
        refuse_growth(len(first) + max(width, 0) * (first.count("\n") + 1))
    elif name == "replace" and len(rest) >= 2 and isinstance(rest[0], str) and rest[0]:
        text = str(first)
        refuse_growth(len(text) + text.count(rest[0]) * printed_size(rest[1]))
    elif name == "format":
        if _WIDE_FORMAT.search(str(first)):
            raise TemplateLimit("stopped: a format width or precision too large")
        refuse_growth(sum(printed_size(a) for a in values))
    elif name == "join":
        refuse_growth(_joined_size(first, rest[0] if rest else ""))
    elif name in _AS_TEXT:
        refuse_growth(printed_size(first))
    elif name == "sum" and isinstance(first, (list, tuple)):
        refuse_growth(sum(length(item) for item in first))
