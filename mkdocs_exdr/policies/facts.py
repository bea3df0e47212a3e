"""A server's facts as template values, and the sandboxed Jinja2 that policies are written in.

Policy text (titles, commands, conditions) is a template over these facts. A fact the inventory
does not give is a ``Missing`` value: false in conditions, empty when looped over, and shown as
``<UNKNOWN name>`` in text, so a runbook never silently prints ``None``. Which facts a template
needs is read from its syntax tree once, so finding missing facts needs no rendering.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from jinja2 import TemplateError, nodes

from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.inventory.model import DEFAULT_INSTALL_PATH, Database, Server, StorageGroup
from mkdocs_exdr.policies.sandbox import ENV, PolicyTemplateError, expression, run, template

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


def render(source: str | None, context: dict[str, Any], trusted: bool = False) -> str | None:
    """Render ``source`` with ``context`` (missing facts print as ``<UNKNOWN name>``); a
    ``trusted`` text, a built-in one, without the sandbox's limits.

    Raises ``PolicyTemplateError`` for anything the template raises or a limit it reaches.
    """
    if source is None:
        return None
    compiled = template(source, trusted)
    return str(run(source, lambda: compiled.render(context), trusted)).strip()


# What a template read of a fact gives its cache key: ``(whole, chain)``, where ``whole`` says
# whether the value itself is used (printed, filtered, compared) rather than only its attributes.
_Reads = tuple[tuple[bool, tuple[str, ...]], ...]


# A filter and a test whose answer is not decided by the values they are given: ``random``, and
# ``sameas``, which asks whether two values are one object.
_VARYING = frozenset({"random", "sameas"})


def _reads(tree: nodes.Template) -> _Reads | None:
    """The attribute chains (``server.media.update_rollup``) a parsed template reads, or ``None``
    when it reads a name any other way (bare, subscripted, assigned, looped over): only values
    reached by attribute chains alone can serve as a cache key."""
    getattrs = list(tree.find_all(nodes.Getattr))
    owned = {id(node.node) for node in getattrs}  # read only for an attribute of theirs
    if any(id(name) not in owned for name in tree.find_all(nodes.Name)):
        return None
    named = [node.name for node in tree.find_all((nodes.Filter, nodes.Test))]
    named += [node.value for node in tree.find_all(nodes.Const) if isinstance(node.value, str)]
    if _VARYING.intersection(named):  # a filter or test by name, or passed by name (``map``)
        return None
    chains: set[tuple[bool, tuple[str, ...]]] = set()
    for node in getattrs:
        chain: list[str] = [node.attr]
        inner: Any = node.node
        while isinstance(inner, nodes.Getattr):
            chain.insert(0, inner.attr)
            inner = inner.node
        if isinstance(inner, nodes.Name):
            chains.add((id(node) not in owned, (inner.name, *chain)))
    return tuple(sorted(chains))


@lru_cache(maxsize=4096)
def _expression_reads(source: str) -> _Reads | None:
    try:
        return _reads(ENV.parse("{{ (" + source + ") }}"))
    except (TemplateError, RecursionError):  # evaluated instead, and fails there
        return None


@lru_cache(maxsize=4096)
def _template_reads(source: str) -> _Reads | None:
    try:
        return _reads(ENV.parse(source))
    except (TemplateError, RecursionError):  # rendered instead, and fails there
        return None


def _key_value(context: dict[str, Any], whole: bool, chain: tuple[str, ...]) -> Any:
    """What decides the value of ``chain`` in ``context``, as a hashable key part; raises
    ``LookupError`` when no plain value does."""
    if chain[0] not in context:
        raise LookupError(chain[0])
    value: Any = context[chain[0]]
    for depth, attr in enumerate(chain[1:], 1):
        if value is None:
            return ("missing", depth)  # Missing all the way down: decided by the chain itself
        if not isinstance(value, Facts):
            whole = True  # an attribute of a plain value (``name.upper``): decided by the value
            break
        try:
            value = value.raw(attr)
        except KeyError:
            raise LookupError(attr) from None  # no fact: a method, or undefined
    if isinstance(value, float):
        return ("float", repr(value))  # -0.0 == 0.0, and nan != nan
    if value is None or isinstance(value, (str, int, bool)):
        return (type(value).__name__, value)  # typed: 1, 1.0 and True are equal keys otherwise
    if isinstance(value, Facts) and not whole:
        return ("present",)  # only its attributes are read, each a chain of its own
    if isinstance(value, list) and not value:
        return ("empty",)
    raise LookupError(chain)  # a value that is not a plain scalar: evaluate instead


def holds(source: str | None, context: dict[str, Any], trusted: bool = False) -> bool:
    """Evaluate a condition; no condition holds.

    Raises ``PolicyTemplateError`` for anything the condition raises or a limit it reaches.
    """
    if source is None:
        return True
    compiled = expression(source, trusted)
    return bool(run(source, lambda: bool(compiled(**context)), trusted))


def _key(source: str, reads: _Reads | None, context: dict[str, Any]) -> tuple[Any, ...] | None:
    """``source`` with the plain values it reads, or ``None`` when it reads other values."""
    if reads is None:
        return None
    try:
        return (source, *(_key_value(context, whole, chain) for whole, chain in reads))
    except LookupError:
        return None


def _condition_key(source: str, context: dict[str, Any]) -> tuple[Any, ...] | None:
    return _key(source, _expression_reads(source), context)


def _template_key(source: str, context: dict[str, Any]) -> tuple[Any, ...] | None:
    return _key(source, _template_reads(source), context)


class TemplateMemo:
    """Texts and answers of conditions by what decides them (``_key``), kept from one plan to the
    next by whoever plans again in the same process (the plugin under ``mkdocs serve``): a key is
    the text itself with the plain values it reads, so an answer never goes stale. It holds what
    the last plan used and what the current one uses, no more: it does not grow with edits.
    """

    def __init__(self) -> None:
        self._before: dict[tuple[Any, ...], Any] = {}
        self._now: dict[tuple[Any, ...], Any] = {}

    def get(self, key: tuple[Any, ...]) -> Any:
        """The answer for ``key``, or ``None``."""
        found = self._now.get(key)
        if found is None and key in self._before:
            found = self._now[key] = self._before[key]
        return found

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        self._now[key] = value

    def next_plan(self) -> None:
        """Begin another plan: what the one before did not use is forgotten."""
        self._before, self._now = self._now, {}


class TemplateRuns:
    """The policy templates and conditions one plan runs, and the problems they found.

    The caller names the policy item and field a template belongs to, and a failure is a problem
    there: planning carries on and reports them all. Conditions are remembered by the plain
    values they read, since thousands of servers share a handful of facts (version, OS, whether a
    list is empty), and so is text: a step's text reads a few facts of its server, and the same
    step comes in several scenarios of each server. A template that reached a limit fails at once
    the next time instead of spending its budget again (some 15 ms a time: 45 s for a runaway step
    on 3,000 servers).
    Each plan makes its own, problems and limits included; only the texts and answers, in a
    ``memo``, may be kept for the next plan. ``trusted`` are the built-in policies' texts, which
    run without the sandbox's limits (see ``sandbox``).
    """

    def __init__(
        self, trusted: frozenset[str] = frozenset(), memo: TemplateMemo | None = None
    ) -> None:
        self.trusted = trusted
        self.problems: list[Problem] = []
        self._memo = memo or TemplateMemo()
        self._limited: dict[str, PolicyTemplateError] = {}

    def render(
        self, source: str | None, context: dict[str, Any], where: Location, field: str
    ) -> str | None:
        """``render(source, context)``; a failure is a problem at ``where`` and ``None``."""
        if source is None:
            return None
        key = _template_key(source, context)
        if key is not None and (known := self._memo.get(("text", *key))) is not None:
            return str(known)
        try:
            trusted = source in self.trusted
            text: str = self._run(source, lambda: render(source, context, trusted))
        except PolicyTemplateError as error:  # not remembered, as a condition's
            self.problems.append(Problem(where, field, f"template error: {error}"))
            return None
        if key is not None:
            self._memo.put(("text", *key), text)
        return text

    def holds(
        self, source: str | None, context: dict[str, Any], where: Location, field: str
    ) -> bool:
        """``holds(source, context)``; a failure is a problem at ``where`` and does not hold."""
        if source is None:
            return True
        key = _condition_key(source, context)
        if key is not None and (known := self._memo.get(("condition", *key))) is not None:
            return bool(known)
        try:
            trusted = source in self.trusted
            held: bool = self._run(source, lambda: holds(source, context, trusted))
        except PolicyTemplateError as error:  # not remembered: the same text elsewhere fails too
            self.problems.append(Problem(where, field, f"template error: {error}"))
            return False
        if key is not None:
            self._memo.put(("condition", *key), held)
        return held

    def _run(self, source: str, call: Callable[[], Any]) -> Any:
        if source in self._limited:
            raise self._limited[source]
        try:
            return call()
        except PolicyTemplateError as error:
            if error.limited:
                self._limited[source] = error
            raise


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
