"""The sandbox policy templates run in: Jinja's immutable sandbox with an operation budget and a
size limit, and every failure raised as one ``PolicyTemplateError`` for the caller to place at
its policy item. Nothing here outlives a call but the compiled templates, keyed by their text.

The package's own policy texts are its code, read and reviewed like the rest of it: they run in
a plain environment (``TRUSTED``), with the same filters and the same output, without the cost of
counting every operation. Only a text found word for word in the built-in policy files does.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.policies.limits import (
    TemplateLimit,
    built,
    check_call,
    check_filter,
    check_operands,
    cost,
    policy_budget,
    printed_size,
    refuse_growth,
    spend,
    spending,
)
from mkdocs_exdr.policies.quoting import UnquotableValue, cmd_quote, ps_quote

# What Jinja passes a filter before its value (``pass_context`` and the like).
_PASSED = (jinja2.runtime.Context, jinja2.nodes.EvalContext, jinja2.Environment)


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func``, counted as operations in proportion to its inputs and result, refused before a
    too large result where that can be known, and its result charged to what the rendering has
    built."""

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        values = [a for a in args if not isinstance(a, _PASSED)]
        spend(cost(name, [*values, *kwargs.values()]))
        check_filter(name, values)
        return built(func(*args, **kwargs), name)

    return guarded


@jinja2.pass_context  # never folded at compile time: every turn is counted when it runs
def _counted_loop(context: Any, iterable: Any) -> Iterator[Any]:
    for item in iterable:
        spend()
        yield item


@jinja2.pass_context
def _counted_text(context: Any, text: str) -> str:
    return text  # printed through _finalize, which counts its characters


@jinja2.pass_context
def _counted_concat(context: Any, parts: list[Any]) -> str:
    spend(cost("", parts))
    refuse_growth(sum(printed_size(part) for part in parts))
    return built("".join(str(part) for part in parts))


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
        owner = getattr(getattr(__obj, "__wrapped__", __obj), "__self__", None)
        spend(cost("", [owner, *args, *kwargs.values()]))
        check_call(__obj, args)
        return built(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj: Any, attribute: str) -> Any:
        spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        spend()
        return super().getitem(obj, argument)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        spend(cost("", [left, right]))
        check_operands(operator, left, right)
        return built(super().call_binop(context, operator, left, right))


def _counted_print(value: Any) -> Any:
    size = printed_size(value)  # measured, not printed: ``{{ [text] * 900 }}`` is refused first
    refuse_growth(size)
    spend(text=size)
    return value


def _finalize(value: Any) -> Any:
    return "" if value is None else _counted_print(value)  # a Missing fact prints as its own


def sandboxed(
    filters: dict[str, Callable[..., Any]],
    finalize: Callable[[Any], Any] = _counted_print,
    **options: Any,
) -> PolicySandbox:
    """A ``PolicySandbox`` with these filters and options, every filter guarded and counted.

    Policy templates (``ENV``) and page templates (``render/pages.py``) both run in one; what
    they may spend is set by whoever renders, with ``limits.budget``.
    """
    env = PolicySandbox(
        undefined=jinja2.StrictUndefined, finalize=finalize, auto_reload=False, **options
    )
    for name in ("lipsum", "cycler", "joiner"):  # text generators and state no template needs
        env.globals.pop(name, None)
    env.filters.update(filters)
    env.filters = {name: _guarded_filter(name, f) for name, f in env.filters.items()}
    env.filters.update(
        exdr_counted_loop=_counted_loop,
        exdr_counted_text=_counted_text,
        exdr_counted_concat=_counted_concat,
    )
    return env


ENV = sandboxed(
    {"ps": ps_quote, "cmd": cmd_quote}, _finalize, autoescape=False, keep_trailing_newline=False
)


def _plain_finalize(value: Any) -> Any:
    return "" if value is None else value


TRUSTED = jinja2.Environment(
    undefined=jinja2.StrictUndefined,
    finalize=_plain_finalize,
    autoescape=False,
    keep_trailing_newline=False,
    auto_reload=False,
)
for _name in ("lipsum", "cycler", "joiner"):
    TRUSTED.globals.pop(_name, None)
TRUSTED.filters.update(ps=ps_quote, cmd=cmd_quote)


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


def run(source: str, call: Callable[[], Any], trusted: bool = False) -> Any:
    """``call()`` with a fresh budget (none for a ``trusted`` text); any failure as
    ``PolicyTemplateError``."""
    try:
        if trusted:
            return call()
        with spending(policy_budget()):
            return call()
    except PolicyTemplateError:
        raise
    except Exception as error:  # a policy is input: whatever it raises is a problem at its item
        raise _failed(source, error) from None


@lru_cache(maxsize=4096)
def template(source: str, trusted: bool = False) -> jinja2.Template:
    """The compiled template for ``source`` (policies repeat, so compile once); a ``trusted``
    one, a built-in text, in ``TRUSTED``."""
    return (TRUSTED if trusted else ENV).from_string(source)


@lru_cache(maxsize=4096)
def expression(source: str, trusted: bool = False) -> Callable[..., Any]:
    """The compiled expression for ``source``."""
    return (TRUSTED if trusted else ENV).compile_expression(source)
