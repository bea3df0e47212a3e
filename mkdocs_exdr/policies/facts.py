"""A server's facts as template values, and the sandboxed Jinja2 that policies are written in.

Policy text (titles, commands, conditions) is a template over these facts. A fact the inventory
does not give is a ``Missing`` value: false in conditions, empty when looped over, and shown as
``<UNKNOWN name>`` in text, so a runbook never silently prints ``None``. Which facts a template
needs is read from its syntax tree once, so finding missing facts needs no rendering.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.inventory.model import DEFAULT_INSTALL_PATH, Database, Server, StorageGroup

_VERSION = re.compile(r"Version\s+8\.(\d+)\s+\(Build\s+(\d+)\.(\d+)")
SERVICE_PACKS = {0: "RTM", 1: "SP1", 2: "SP2", 3: "SP3"}


class Missing:
    """A fact the inventory does not give."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return f"<UNKNOWN {self.name}>"

    def __bool__(self) -> bool:
        return False

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __getattr__(self, attr: str) -> Missing:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Missing(f"{self.name}.{attr}")


class Facts(Mapping[str, Any]):
    """A read-only mapping of facts; a ``None`` value reads as ``Missing``.

    Values are taken from a model object and from extra values, which may be zero-argument
    callables computed on first use: most templates read a few facts of thousands of servers.
    """

    def __init__(self, name: str, obj: Any = None, extra: dict[str, Any] | None = None) -> None:
        self._name = name
        self._obj = obj
        self._extra = extra or {}
        self._done: dict[str, Any] = {}

    def raw(self, key: str) -> Any:
        """The value itself, ``None`` when missing; ``KeyError`` for a name that is no fact."""
        if key in self._done:
            return self._done[key]
        if key in self._extra:
            value = self._extra[key]
            if callable(value):
                value = value()
        elif self._obj is not None and key in _field_names(type(self._obj)):
            value = getattr(self._obj, key)
            if hasattr(value, "__dataclass_fields__"):
                value = _plain(value, f"{self._name}.{key}")
        else:
            raise KeyError(key)
        self._done[key] = value
        return value

    def label(self) -> str | None:
        """A short name for this item: its name, subject or path."""
        for key in ("name", "subject", "path"):
            if key in self._extra or (
                self._obj is not None and key in _field_names(type(self._obj))
            ):
                value = self.raw(key)
                if value:
                    return str(value)
        return None

    def __getitem__(self, key: str) -> Any:
        value = self.raw(key)
        return Missing(f"{self._name}.{key}") if value is None else value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        names = _field_names(type(self._obj)) if self._obj is not None else ()
        return iter(dict.fromkeys([*names, *self._extra]))

    def __len__(self) -> int:
        return sum(1 for _ in self)


_FIELDS: dict[type, frozenset[str]] = {}


def _field_names(cls: type) -> frozenset[str]:
    if cls not in _FIELDS:
        fields = getattr(cls, "__dataclass_fields__", {})
        _FIELDS[cls] = frozenset(name for name in fields if name != "where")
    return _FIELDS[cls]


def service_pack(version: str | None) -> str | None:
    """``Version 8.3 (Build 83.6)`` → ``SP3``; ``None`` when unknown."""
    match = _VERSION.search(version or "")
    return SERVICE_PACKS.get(int(match.group(1))) if match else None


def build_number(version: str | None) -> tuple[int, int, int] | None:
    """``Version 8.3 (Build 83.6)`` → ``(3, 83, 6)``."""
    match = _VERSION.search(version or "")
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


def _plain(obj: Any, name: str, **extra: Any) -> Facts:
    return Facts(name, obj, extra)


def database_facts(db: Database, group: StorageGroup) -> Facts:
    """One database, with the name of its storage group."""
    return _plain(db, "db", storage_group=group.name)


def group_facts(group: StorageGroup) -> Facts:
    """One storage group, with its databases."""
    return _plain(group, "sg", databases=[database_facts(d, group) for d in group.databases])


#: Other servers a server's templates may name: ``hub_servers`` (of its Edge subscription's
#: site), ``edge_servers`` (subscribed to its site) and ``portability_targets`` (servers of its
#: site whose role can mount its mailbox databases).
RELATED = ("hub_servers", "edge_servers", "portability_targets")


def _servers(found: list[Server], variable: str) -> Callable[[], list[Facts]]:
    return lambda: [_plain(s, variable) for s in found]


def server_facts(server: Server, domain_member: bool, related: Mapping[str, list[Server]]) -> Facts:
    """Everything a policy template may say about ``server``."""

    def groups() -> list[Facts]:
        return [group_facts(g) for g in server.storage_groups]

    def databases() -> list[Facts]:
        return [d for g in facts["storage_groups"] for d in g["databases"]]

    def of_type(kind: str) -> Callable[[], list[Facts]]:
        return lambda: [d for d in facts["databases"] if d.raw("type") == kind]

    install_path = server.install_path or DEFAULT_INSTALL_PATH
    facts = _plain(
        server,
        "server",
        install_path=install_path,
        default_install_path=install_path.rstrip("\\").lower() == DEFAULT_INSTALL_PATH.lower(),
        service_pack=service_pack(server.exchange_version),
        domain_member=domain_member,
        is_clustered=server.cluster is not None,
        disks=lambda: [_plain(d, "disk") for d in server.disks],
        storage_groups=groups,
        databases=databases,
        mailbox_databases=of_type("mailbox"),
        public_folder_databases=of_type("public-folder"),
        certificates=lambda: [_plain(c, "cert") for c in server.certificates],
        customizations=lambda: [_plain(c, "custom") for c in server.customizations],
        software=lambda: [_plain(a, "app") for a in server.software if not a.backup_agent],
        backup_agents=lambda: [_plain(a, "app") for a in server.software if a.backup_agent],
        windows_2008="2008" in (server.os or ""),
        **{name: _servers(related.get(name, []), _RELATED_VAR[name]) for name in RELATED},
        backups=lambda: [_plain(b, "backup") for b in server.backups],
    )
    return facts


_RELATED_VAR = {
    "hub_servers": "hub",
    "edge_servers": "edge",
    "portability_targets": "target",
}

# Loop variable of each for_each value, and the server fact it iterates.
LOOPS: dict[str, tuple[str, str]] = {
    "storage-group": ("sg", "storage_groups"),
    "database": ("db", "databases"),
    "certificate": ("cert", "certificates"),
    "customization": ("custom", "customizations"),
    "mailbox-database": ("db", "mailbox_databases"),
    "software": ("app", "software"),
    "backup-agent": ("app", "backup_agents"),
    "hub-server": ("hub", "hub_servers"),
    "edge-server": ("edge", "edge_servers"),
}


# PowerShell ends a single-quoted string at any of these and reads two in a row as one.
_PS_QUOTES = "'\u2018\u2019\u201a\u201b"
# Characters a command line must not hold as they are: controls, line and paragraph separators,
# bidirectional embeddings, overrides and isolates.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
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

    Both a template error, which the runbook records at its step and carries on, and invalid
    input, so a caller that lets it through still stops with a located problem (exit 2, one
    short ``PluginError``). Its text is the account of the failure, with the template's line;
    its problem is at the policy item when the catalog registered the source.
    """

    def __init__(self, message: str, problem: Problem) -> None:
        super().__init__([problem])
        self.detail = message

    def __str__(self) -> str:
        return self.detail


class UnquotablePolicyValue(PolicyTemplateError, UnquotableValue):
    """``UnquotableValue`` raised by a policy template, still caught as what it is."""


#: Where each policy template's source was read, registered by the catalog when it checks
#: templates: a failure found while planning is reported at its policy item.
_PLACES: dict[str, tuple[Location, str]] = {}


def register_place(source: str, where: Location, field: str) -> None:
    """Remember that ``source`` is the template of ``field`` at ``where``."""
    _PLACES[source] = (where, field)


def forget_places() -> None:
    """Forget the places (and the limited templates) of an earlier catalog."""
    _PLACES.clear()
    _LIMITED.clear()


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
    where, field = _PLACES.get(source, (Location("<policy template>"), ""))
    kind = UnquotablePolicyValue if isinstance(error, UnquotableValue) else PolicyTemplateError
    return kind(message, Problem(where, field, f"template error: {message}"))


#: Sources that reached a limit, with their error: the same template on the next server
#: fails at once instead of spending its whole budget again.
_LIMITED: dict[str, PolicyTemplateError] = {}


def _run(source: str, call: Callable[[], Any]) -> Any:
    """``call()`` with a fresh budget; any failure as ``PolicyTemplateError``."""
    if source in _LIMITED:
        raise _LIMITED[source]
    token = _BUDGET.set(_Budget())
    try:
        return call()
    except PolicyTemplateError:
        raise
    except Exception as error:  # a policy is input: whatever it raises is a problem at its item
        failed = _failed(source, error)
        if isinstance(error, (TemplateLimit, RecursionError, MemoryError)):
            _LIMITED[source] = failed
        raise failed from None
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


def render(source: str | None, context: dict[str, Any]) -> str | None:
    """Render ``source`` with ``context`` (missing facts print as ``<UNKNOWN name>``).

    Raises ``PolicyTemplateError`` for anything the template raises or a limit it reaches.
    """
    if source is None:
        return None
    compiled = template(source)
    return str(_run(source, lambda: compiled.render(context))).strip()


@lru_cache(maxsize=4096)
def _chains(source: str) -> tuple[tuple[str, ...], ...] | None:
    """Attribute chains (``server.media.update_rollup``) an expression reads, or ``None`` when it
    also reads a bare name, whose value cannot serve as a cache key."""
    tree = ENV.parse("{{ (" + source + ") }}")
    chains: set[tuple[str, ...]] = set()
    for node in tree.find_all(nodes.Getattr):
        chain: list[str] = [node.attr]
        inner: Any = node.node
        while isinstance(inner, nodes.Getattr):
            chain.insert(0, inner.attr)
            inner = inner.node
        if isinstance(inner, nodes.Name):
            chains.add((inner.name, *chain))
    names = {n.name for n in tree.find_all(nodes.Name)}
    if names - {c[0] for c in chains}:
        return None
    return tuple(sorted(chains))


def _key_value(context: dict[str, Any], chain: tuple[str, ...]) -> Any:
    value: Any = context.get(chain[0])
    for depth, attr in enumerate(chain[1:], 1):
        if not isinstance(value, Facts):
            return ("no", depth)  # the chain breaks before its end
        try:
            value = value.raw(attr)
        except KeyError:
            return ("unknown", depth)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Facts):
        return ("present",)  # a nested object: its own attributes are chains of their own
    if isinstance(value, list) and not value:
        return ()
    raise LookupError  # a value that is not a plain scalar: evaluate instead


def holds(source: str | None, context: dict[str, Any]) -> bool:
    """Evaluate a condition; no condition holds.

    Raises ``PolicyTemplateError`` for anything the condition raises or a limit it reaches.
    Results are remembered by the plain values the condition reads, since thousands of servers
    share a handful of facts (version, OS, whether a list is empty). They are kept on the
    organisation's facts (``context["org"]``), which each plan makes anew: nothing outlives a
    build.
    """
    if source is None:
        return True
    chains = _chains(source)
    org = context.get("org")
    try:
        if chains is None or not isinstance(org, Facts):
            raise LookupError
        key = (source, *(_key_value(context, chain) for chain in chains))
    except LookupError:
        return _holds(source, context)
    held: dict[tuple[Any, ...], bool] = org.__dict__.setdefault("_conditions", {})
    if key not in held:
        held[key] = _holds(source, context)
    return held[key]


def _holds(source: str, context: dict[str, Any]) -> bool:
    compiled = expression(source)
    return bool(_run(source, lambda: bool(compiled(**context))))


@lru_cache(maxsize=4096)
def needed_facts(source: str) -> tuple[tuple[str, str], ...]:
    """The ``(variable, attribute)`` pairs a template prints unconditionally.

    Read from the syntax tree: a fact printed only under ``{% if %}`` on that same fact is
    optional, so it is not reported as missing.
    """
    tree = ENV.parse(source)
    guarded = {
        (node.node.name, node.attr)
        for test in tree.find_all(nodes.If)
        for node in test.test.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name)
    }
    pairs: list[tuple[str, str]] = []
    for output in tree.find_all(nodes.Output):
        for node in output.find_all(nodes.Getattr):
            if isinstance(node.node, nodes.Name) and (node.node.name, node.attr) not in guarded:
                pairs.append((node.node.name, node.attr))
    return tuple(dict.fromkeys(pairs))


@lru_cache(maxsize=4096)
def needed_by(*sources: str | None) -> tuple[tuple[str, str], ...]:
    """The facts several templates print unconditionally, together."""
    pairs = [pair for source in sources if source for pair in needed_facts(source)]
    return tuple(dict.fromkeys(pairs))


def missing_in(pairs: tuple[tuple[str, str], ...], context: dict[str, Any]) -> list[str]:
    """Which of the needed ``pairs`` the inventory does not give."""
    found = []
    for variable, attr in pairs:
        facts = context.get(variable)
        if isinstance(facts, Facts):
            try:
                if facts.raw(attr) is None:
                    found.append(f"{variable}.{attr}")
            except KeyError:
                continue
    return found
