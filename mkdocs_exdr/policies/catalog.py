"""The set of role policies in force: the built-in ones, overridden by the user's own.

Override rules (documented in the README): a user file whose ``role.id`` (or ``procedure.id``)
matches a built-in one changes only the keys it names. Scalar keys replace the built-in value.
``backup_items``, ``data``, ``steps`` and ``verify`` merge by ``id``: an item with a known id
replaces that item whole, a new id is added; ``depends_on`` merges by ``role`` and ``step``;
``configuration`` and ``constraints`` are replaced whole; ``remove`` lists ids to drop. A file
with a new id adds a role or procedure.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.load.documents import Document, load_folder, load_text
from mkdocs_exdr.load.reader import BAD, Context, reader_for, suggest
from mkdocs_exdr.policies import sandbox
from mkdocs_exdr.policies.model import OrderRule, PolicyFile, Procedure, RolePolicy

AD = "active-directory"
_BY_ID = ("backup_items", "data", "steps", "verify", "scenarios")


@dataclass(frozen=True)
class Catalog:
    """Role policies and procedures by id."""

    roles: dict[str, RolePolicy]
    procedures: dict[str, Procedure]
    files: tuple[str, ...] = ()
    rules: dict[str, OrderRule] = dataclasses.field(default_factory=dict)
    #: Every text of the built-in policy files: templates found here word for word are the
    #: package's code and run without the sandbox's limits (``sandbox.TRUSTED``).
    trusted: frozenset[str] = frozenset()

    @property
    def role_ids(self) -> list[str]:
        """Ids a server may list under ``roles``."""
        return sorted(p.id for p in self.roles.values() if p.applies_to == "role")

    @property
    def item_ids(self) -> list[str]:
        """Every backup item id any policy defines."""
        return sorted({item.id for p in self.roles.values() for item in p.backup_items})

    def cluster_policies(self) -> list[RolePolicy]:
        """Policies that apply to every clustered mailbox server."""
        return [p for p in self.roles.values() if p.applies_to == "cluster"]


def _read(document: Document) -> tuple[Any, list[Problem]]:
    ctx = Context(document)
    result = reader_for(PolicyFile)(document.data, (), ctx)
    problems = ctx.problems + [
        Problem(hit.where, hit.field, "looks like a secret; policies must not hold secrets")
        for hit in ctx.secrets
    ]
    if result is not BAD and _kinds(result) != 1:
        problems.append(
            Problem(
                document.where(()),
                "",
                "a policy file holds exactly one of role, procedure or rules",
            )
        )
    return result, problems


def _kinds(policy: PolicyFile) -> int:
    return (policy.role is not None) + (policy.procedure is not None) + bool(policy.rules)


def _merge_lists(base: list[Any], new: list[Any], key: Any) -> list[Any]:
    replaced = {key(item): item for item in new}
    merged = [replaced.pop(key(item), item) for item in base]
    return merged + list(replaced.values())


def _merge(base: Any, new: Any, given: set[str]) -> Any:
    changes: dict[str, Any] = {}
    for name in given - {"id", "remove"}:
        value = getattr(new, name)
        if name in _BY_ID:
            value = _merge_lists(getattr(base, name), value, lambda item: item.id)
        elif name == "depends_on":
            value = _merge_lists(base.depends_on, value, lambda d: (d.role, d.step))
        changes[name] = value
    drop = set(new.remove)
    for name in _BY_ID:
        if hasattr(base, name) and drop:
            items = changes.get(name, getattr(base, name))
            changes[name] = [item for item in items if item.id not in drop]
    return dataclasses.replace(base, **changes, where=new.where)


def builtin_texts() -> list[tuple[str, str]]:
    """The built-in policy files as (name, text), in a stable order."""
    folder = resources.files("mkdocs_exdr.policies") / "builtin"
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".yml"))
    return [(name, (folder / name).read_text(encoding="utf-8")) for name in names]


def load_catalog(user_folder: Path | None = None, shown: str | None = None) -> Catalog:
    """Load the built-in policies, then the user's folder over them; raise ``InvalidInput``."""
    roles: dict[str, RolePolicy] = {}
    procedures: dict[str, Procedure] = {}
    rules: dict[str, OrderRule] = {}
    problems: list[Problem] = []
    files: list[str] = []
    trusted: set[str] = set()
    for name, text in builtin_texts():
        documents, found = load_text(text, f"<built-in>/policies/{name}")
        problems += found
        for document in documents:
            trusted.update(_texts(document.data))
            policy, found = _read(document)
            problems += found
            if policy is not BAD and policy.role:
                roles[policy.role.id] = policy.role
            elif policy is not BAD and policy.procedure:
                procedures[policy.procedure.id] = policy.procedure
            elif policy is not BAD:
                rules.update((rule.id, rule) for rule in policy.rules)
    if user_folder is not None and user_folder.is_dir():
        loaded = load_folder(user_folder, shown if shown is not None else str(user_folder))
        files += loaded.files
        problems += loaded.problems
        for document in loaded.documents:
            policy, found = _read(document)
            problems += found
            if policy is BAD or _kinds(policy) != 1:
                continue
            if policy.rules:
                rules.update((rule.id, rule) for rule in policy.rules)
                continue
            kind = "role" if policy.role else "procedure"
            table: dict[str, Any] = roles if policy.role else procedures
            new = policy.role or policy.procedure
            given = set(document.data[kind])
            table[new.id] = _merge(table[new.id], new, given) if new.id in table else new
    if not problems:
        problems += _check(roles, procedures)
    if problems:
        raise InvalidInput(problems)
    return Catalog(roles, procedures, tuple(files), rules, frozenset(trusted))


def _texts(data: Any) -> list[str]:
    """Every string value in ``data``, however deep."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [text for value in data.values() for text in _texts(value)]
    if isinstance(data, list):
        return [text for value in data for text in _texts(value)]
    return []


_COMPILED = (
    (
        ("title", "text", "command", "note", "path", "lost", "choose", "loses", "unavailable"),
        sandbox.template,
        "template",
    ),
    (
        ("when", "required_when", "applies_when", "unavailable_when"),
        sandbox.expression,
        "expression",
    ),
)


def _templates(owner: str, items: list[Any]) -> list[Problem]:
    """Jinja2 syntax of every template and condition of ``items`` (steps or backup items)."""
    problems: list[Problem] = []
    for item in items:
        for names, compile_, kind in _COMPILED:
            for name in names:
                source = getattr(item, name, None)
                if not source:
                    continue
                try:
                    compile_(source)
                except jinja2.TemplateError as error:
                    field = f"{owner}: {item.id}: {name}"
                    problems.append(Problem(item.where, field, f"{kind} error: {error}"))
    return problems


def _check(roles: dict[str, RolePolicy], procedures: dict[str, Procedure]) -> list[Problem]:
    """Cross-references between policies (procedures, roles, backup items) and template syntax."""
    problems: list[Problem] = []
    for procedure in procedures.values():
        problems += _templates(f"procedure {procedure.id}", procedure.steps)
        if procedure.default_scenario:
            scenario = procedure.default_scenario
            problems += _templates(f"procedure {procedure.id}: default_scenario", [scenario])
    for policy in roles.values():
        problems += _check_role(policy, roles, procedures)
    return problems


def _unknown_procedure(where: Location, field: str, name: str, procedures: Any) -> Problem:
    return Problem(
        where,
        field,
        f"unknown procedure {name!r}; expected one of "
        f"{', '.join(sorted(procedures))}{suggest(name, procedures)}",
    )


def _check_role(
    policy: RolePolicy, roles: dict[str, RolePolicy], procedures: dict[str, Procedure]
) -> list[Problem]:
    """One role policy: its templates, and the procedures, roles and items it names."""
    owner = f"role {policy.id}"
    problems = _templates(owner, [*policy.steps, *policy.verify, *policy.backup_items])
    for scenario in policy.scenarios:
        field = f"{owner}: scenario {scenario.id}"
        problems += _templates(field, [scenario, *scenario.steps])
        problems += [
            _unknown_procedure(scenario.where, f"{field}: procedures", name, procedures)
            for name in scenario.procedures
            if name not in procedures
        ]
    if policy.id == "index":  # the slug of the roles index page
        problems.append(
            Problem(policy.where, "role.id", "'index' is reserved for the roles index page")
        )
    if policy.procedure and policy.procedure not in procedures:
        problems.append(
            _unknown_procedure(policy.where, f"{owner}: procedure", policy.procedure, procedures)
        )
    names = [d.role for d in policy.depends_on] + [r for c in policy.constraints for r in c.roles]
    names += [need.role for need in policy.site_needs]
    known = sorted(roles)
    problems += [
        Problem(
            policy.where,
            owner,
            f"unknown role {name!r}; expected one of {', '.join(known)}, "
            f"{AD}{suggest(name, known)}",
        )
        for name in names
        if name != AD and name not in roles
    ]
    items = [i.id for i in policy.backup_items]
    problems += [
        Problem(
            datum.where,
            f"{owner}: data {datum.id}: backup_item",
            f"unknown backup item {datum.backup_item!r}; expected one of "
            f"{', '.join(items)}{suggest(datum.backup_item, items)}",
        )
        for datum in policy.data
        if datum.backup_item and datum.backup_item not in items
    ]
    return problems
