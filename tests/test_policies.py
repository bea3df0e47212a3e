"""The built-in policies: valid, sourced, and in agreement with the reference."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from mkdocs_exdr.policies.catalog import builtin_texts, load_catalog

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "exchange2007-dr.md"
STATEMENTS = ("source",)


def _walk(value: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(value, dict):
        found.append((path, value))
        for key, item in value.items():
            found += _walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _walk(item, f"{path}[{index}]")
    return found


def test_builtin_policies_load() -> None:
    catalog = load_catalog()
    assert set(catalog.role_ids) >= {
        "mailbox",
        "public-folder",
        "hub-transport",
        "client-access",
        "unified-messaging",
        "edge-transport",
    }
    assert {p.id for p in catalog.cluster_policies()} == {"clustered-mailbox"}
    assert set(catalog.procedures) == {"recover-server", "edge-clone", "recover-cms"}


def test_every_statement_carries_a_source_url() -> None:
    statement_keys = {"what", "why", "title", "message", "summary"}
    checked = 0
    for name, text in builtin_texts():
        for path, mapping in _walk(yaml.safe_load(text)):
            if (statement_keys & set(mapping) and path.count(".") > 1) or "source" in mapping:
                source = mapping.get("source")
                assert isinstance(source, str) and re.match(r"^https?://\S+$", source), (
                    f"{name}{path}"
                )
                checked += 1
    assert checked > 80


def test_sources_are_the_references_sources() -> None:
    reference = REFERENCE.read_text(encoding="utf-8")
    for name, text in builtin_texts():
        for url in re.findall(r"source: \"?(https?://[^\s\"]+)", text):
            assert f"{url} " in reference or f"{url}\n" in reference, (
                f"{name}: {url} is not in the reference"
            )


def test_reference_facts_hold() -> None:
    catalog = load_catalog()
    edge = catalog.roles["edge-transport"]
    assert edge.domain_member is False and edge.procedure == "edge-clone"
    assert {c.kind for c in edge.constraints} >= {"alone", "not-domain-member"}
    hub = catalog.roles["hub-transport"]
    assert next(i for i in hub.backup_items if i.id == "queue-database").level == "not-needed"
    mailbox = catalog.roles["mailbox"]
    assert next(i for i in mailbox.backup_items if i.id == "storage-groups").level == "required"
    cas = catalog.roles["client-access"]
    assert any("metabase" in (s.title + (s.text or "")).lower() for s in cas.steps)
    cms = catalog.roles["clustered-mailbox"]
    assert cms.procedure == "recover-cms"
    assert any(c.kind == "edition" and c.editions == ["Enterprise"] for c in cms.constraints)
    run = next(
        s
        for s in catalog.procedures["recover-server"].steps
        if s.command and "RecoverServer" in s.command
    )
    assert run.unverified and "TargetDir" in run.unverified
