"""The sandbox policy templates run in: Jinja's immutable sandbox with an operation budget and a
size limit, and every failure raised as one ``PolicyTemplateError`` for the caller to place at
its policy item. Nothing here outlives a call but the compiled templates, keyed by their text."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.policies.quoting import UnquotableValue, cmd_quote, ps_quote

MAX_OPERATIONS = 100_000
MAX_TEXT = 1_000_000
_MAX_BITS = 100_000  # of an integer built by * or **
# A %-format or str.format width or precision of seven digits or more, or taken from an argument.
_WIDE_FORMAT = re.compile(r"%[^a-zA-Z%]*?(?:\*|\d{7})|\{[^{}]*?(?:\d{7}|\{)")
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})


class TemplateLimit(jinja2.TemplateRuntimeError):
    """A policy template that ran past ``MAX_OPERATIONS`` or built text past ``MAX_TEXT``."""


class _Budget:
    """What one rendering may still spend."""

    __slots__ = ("operations", "text")

    def __init__(self) -> None:
        self.operations = MAX_OPERATIONS
        self.text = MAX_TEXT


_BUDGET: ContextVar[_Budget | None] = ContextVar("exdr_policy_budget", default=None)


def _spend(operations: int = 1, text: int = 0) -> None:
    budget = _BUDGET.get()
    if budget is None:  # compiling (constant folding), not rendering
        return
    budget.operations -= operations
    budget.text -= text
    if budget.operations < 0:
        raise TemplateLimit(
            f"stopped after {MAX_OPERATIONS:,} operations (loop turns, calls, attribute reads); "
            "loop over fewer items"
        )
    if budget.text < 0:
        raise TemplateLimit(f"stopped: the text grew past {MAX_TEXT:,} characters")


def _sized(value: Any) -> Any:
    """``value``, unless it is text or a list longer than ``MAX_TEXT``."""
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_TEXT:
        raise TemplateLimit(f"stopped: a value grew past {MAX_TEXT:,} characters or items")
    return value


def _refuse_growth(size: int) -> None:
    if size > MAX_TEXT:
        raise TemplateLimit(f"stopped: a value would grow past {MAX_TEXT:,} characters or items")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _check_operands(operator: str, left: Any, right: Any) -> None:
    """Refuse an operator whose result would be too large, before it is built."""
    if operator == "*":
        if isinstance(left, int) and isinstance(right, int):
            if left.bit_length() + right.bit_length() > _MAX_BITS:
                raise TemplateLimit(f"stopped: a number grew past {_MAX_BITS:,} bits")
        elif isinstance(left, int) or isinstance(right, int):
            count = left if isinstance(left, int) else right
            _refuse_growth(max(_length(left), _length(right)) * max(count, 0))
    elif operator == "**" and isinstance(left, int) and isinstance(right, int):
        if abs(left) > 1 and left.bit_length() * right > _MAX_BITS:
            raise TemplateLimit(f"stopped: a number grew past {_MAX_BITS:,} bits")
    elif operator == "+":
        _refuse_growth(_length(left) + _length(right))
    elif operator == "%" and isinstance(left, str) and _WIDE_FORMAT.search(left):
        raise TemplateLimit("stopped: a format width or precision too large")


def _check_call(obj: Any, args: tuple[Any, ...]) -> None:
    """Refuse a string method whose result would be too large, before it is built."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str):
        return
    name = getattr(obj, "__name__", "")
    numbers = [a for a in args if isinstance(a, int)]
    if name in _WIDTH_METHODS and numbers:
        _refuse_growth(max(numbers) * (max(owner.count("\t"), 1) if name == "expandtabs" else 1))
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and args[0]:
        _refuse_growth(len(owner) + owner.count(args[0]) * _length(args[1]))
    elif name == "join" and args and isinstance(args[0], (list, tuple)):
        _refuse_growth(sum(len(str(a)) for a in args[0]) + len(owner) * len(args[0]))
    elif name in ("format", "format_map") and _WIDE_FORMAT.search(owner):
        raise TemplateLimit("stopped: a format width or precision too large")


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, counted as an operation, refused before a too large result where that can be
    known, and refused after a too large result."""

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        _spend()
        values = [a for a in args if not isinstance(a, (jinja2.runtime.Context,))]
        if name in ("center", "indent", "wordwrap", "truncate"):
            _refuse_growth(max([a for a in values[1:] if isinstance(a, int)], default=0))
        elif name == "replace" and len(values) >= 3 and isinstance(values[1], str) and values[1]:
            _refuse_growth(
                len(str(values[0])) + str(values[0]).count(values[1]) * len(str(values[2]))
            )
        elif name == "format" and values and _WIDE_FORMAT.search(str(values[0])):
            raise TemplateLimit("stopped: a format width or precision too large")
        return _sized(func(*args, **kwargs))

    return guarded


@jinja2.pass_context  # never folded at compile time: every turn is counted when it runs
def _counted_loop(context: Any, iterable: Any) -> Iterator[Any]:
    for item in iterable:
        _spend()
        yield item


@jinja2.pass_context
def _counted_text(context: Any, text: str) -> str:
    return text  # printed through _finalize, which counts its characters


@jinja2.pass_context
def _counted_concat(context: Any, parts: list[Any]) -> str:
    _spend(text=0)
    _refuse_growth(sum(len(str(part)) for part in parts))
    return "".join(str(part) for part in parts)


class _CountedNodes(NodeTransformer):
    """Rewrites a template so its loops, literal text and ``~`` go through the counting
    filters above: no loop, however nested, runs uncounted."""

    def __init__(self, environment: jinja2.Environment) -> None:
        self.environment = environment

    def _filter(self, node: nodes.Node, name: str) -> nodes.Filter:
        wrapped = nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)
        return wrapped.set_environment(self.environment)  # type: ignore[return-value]

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = self._filter(node.iter, "exdr_counted_loop")
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        parts = nodes.List(node.nodes, lineno=node.lineno).set_environment(self.environment)
        return self._filter(parts, "exdr_counted_concat")

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [
            self._filter(nodes.Const(child.data, lineno=child.lineno), "exdr_counted_text")
            if isinstance(child, nodes.TemplateData)
            else child
            for child in node.nodes
        ]
        return node


class _CountingCodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        _CountedNodes(self.environment).visit(node)
        super().visit_Template(node, frame)


class PolicySandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with limits: every call, attribute read, operator, filter and loop
    turn is counted, and text that would grow too large is refused."""

    code_generator_class = _CountingCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        _check_call(__obj, args)
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _spend()
        _check_operands(operator, left, right)
        return super().call_binop(context, operator, left, right)


def _finalize(value: Any) -> Any:
    if value is None:
        return ""  # a Missing fact prints as its own placeholder
    _spend(text=len(value) if isinstance(value, str) else len(str(value)))
    return value


ENV = PolicySandbox(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    finalize=_finalize,
    keep_trailing_newline=False,
    auto_reload=False,
)
for _name in ("lipsum", "cycler", "joiner"):  # text generators and state no policy needs
    ENV.globals.pop(_name, None)
ENV.filters.update(ps=ps_quote, cmd=cmd_quote)
ENV.filters = {name: _guarded_filter(name, f) for name, f in ENV.filters.items()}
ENV.filters.update(
    exdr_counted_loop=_counted_loop,
    exdr_counted_text=_counted_text,
    exdr_counted_concat=_counted_concat,
)


class PolicyTemplateError(InvalidInput, jinja2.TemplateRuntimeError):
    """A policy template or condition that failed while it ran: raised, limited or recursive.

    Its text is the account of the failure, with the template's line. The caller that ran the
    template knows its policy item and records the failure there (``facts.TemplateRuns``); it is
    also invalid input, so one that is let through still stops with a problem (exit 2, one short
    ``PluginError``), if not at its item.
    """

    def __init__(self, message: str, problem: Problem, limited: bool = False) -> None:
        super().__init__([problem])
        self.detail = message
        #: Whether it reached a limit (operations, size, recursion, memory): running the same
        #: template again would spend the whole budget again and fail the same way.
        self.limited = limited

    def __str__(self) -> str:
        return self.detail


class UnquotablePolicyValue(PolicyTemplateError, UnquotableValue):
    """``UnquotableValue`` raised by a policy template, still caught as what it is."""


def template_line(error: BaseException, filename: str | None = None) -> tuple[str | None, int]:
    """The template file and line where ``error`` was raised, from its traceback.

    Jinja rewrites the traceback of an error raised while rendering so that template code shows
    as frames of the template file (their globals hold ``__jinja_exception__``); the innermost
    one is the line that failed. A syntax error carries its own ``filename`` and ``lineno``.
    """
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.filename or filename, error.lineno
    found: tuple[str | None, int] = (filename, 0)
    tb = error.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:
            found = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def describe_error(error: BaseException) -> str:
    """A one-line account of a template failure, for a person."""
    if isinstance(error, RecursionError):
        return "stopped: the template calls or includes itself without end"
    if isinstance(error, MemoryError):
        return "stopped: the template ran out of memory"
    if isinstance(error, jinja2.TemplateError):
        return str(error.message or type(error).__name__)
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _failed(source: str, error: BaseException) -> PolicyTemplateError:
    _, line = template_line(error)
    message = describe_error(error)
    if line and "\n" in source.strip():
        message += f" (line {line} of the template)"
    problem = Problem(Location("<policy template>"), "", f"template error: {message}")
    limited = isinstance(error, (TemplateLimit, RecursionError, MemoryError))
    kind = UnquotablePolicyValue if isinstance(error, UnquotableValue) else PolicyTemplateError
    return kind(message, problem, limited)


def run(source: str, call: Callable[[], Any]) -> Any:
    """``call()`` with a fresh budget; any failure as ``PolicyTemplateError``."""
    token = _BUDGET.set(_Budget())
    try:
        return call()
    except PolicyTemplateError:
        raise
    except Exception as error:  # a policy is input: whatever it raises is a problem at its item
        raise _failed(source, error) from None
    finally:
        _BUDGET.reset(token)


@lru_cache(maxsize=4096)
def template(source: str) -> jinja2.Template:
    """The compiled template for ``source`` (policies repeat, so compile once)."""
    return ENV.from_string(source)


@lru_cache(maxsize=4096)
def expression(source: str) -> Callable[..., Any]:
    """The compiled expression for ``source``."""
    return ENV.compile_expression(source)
