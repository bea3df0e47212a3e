"""The built-in policies: valid, sourced from allowed hosts, and in a safe order."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import yaml

from mkdocs_exdr.plan.model import PlannedStep
from mkdocs_exdr.plan.runbook import check_order
from mkdocs_exdr.policies.catalog import Catalog, builtin_texts, load_catalog
from mkdocs_exdr.policies.model import Scenario, Step

#: Microsoft's own hosts: the Exchange 2007 library, TechNet and the knowledge base.
MICROSOFT = {"learn.microsoft.com", "technet.microsoft.com", "support.microsoft.com"}
#: Verbatim copies of Microsoft Help files (Exchange 2007 Help, Forefront TMG Help), used only
#: where no Microsoft URL of the topic is known.
HELP_MIRRORS = {"unifiedpeople.ru", "certsrv.ru"}
#: Trade press, community sites and personal blogs (Microsoft-hosted blogs included): they may
#: source background statements, but a step that rests on them must say it is practice.
COMMUNITY = {
    "searchwindowsserver.techtarget.com",
    "www.sqlmag.com",
    "windowsitpro.com",
    "exchangeshare.wordpress.com",
    "practical365.com",
    "techgenix.com",
    "blogs.technet.com",
    "blogs.technet.microsoft.com",
}
#: Pirated-book mirrors, Exchange 2010 and current-product pages, localised copies and
#: pages about later Exchange versions: never a source for Exchange 2007.
FORBIDDEN = re.compile(
    r"book4u|exchg\.140|exchange-140|powershell/module|exchangepowershell|view=exchange-ps"
    r"|/(?:zh-tw|zh-cn|ja-jp|cs-cz|de-de|it-it|fr-fr|es-es|ru-ru|he-il)/"
    r"|streaminghotcoffee|supertekboy|github\.com",
    re.IGNORECASE,
)
STEP_LISTS = re.compile(r"\.(?:steps|verify)\[\d+\]$")


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


def _sources() -> list[tuple[str, str, dict[str, Any], str]]:
    """(file, path, mapping, url) of every source URL in the built-in policies."""
    found = []
    for name, text in builtin_texts():
        for path, mapping in _walk(yaml.safe_load(text)):
            for key in ("source", "summary_source"):
                if isinstance(mapping.get(key), str):
                    found.append((name, path, mapping, mapping[key]))
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
    assert set(catalog.procedures) == {
        "recover-server",
        "edge-clone",
        "recover-cms",
        "restore-databases",
        "seed-ccr-copies",
        "edge-subscribe",
    }
    assert set(catalog.rules) >= {
        "prerequisites-before-restore",
        "agent-before-restore",
        "restore-before-mount",
        "mount-before-seed",
        "swap-before-merge",
        "certificate-before-edge-subscription",
        "no-restore-over-dial-tone",
    }


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


def test_source_hosts_are_allowed() -> None:
    hosts: dict[str, int] = {}
    for name, path, mapping, url in _sources():
        assert not FORBIDDEN.search(url), f"{name}{path}: {url} is not an Exchange 2007 source"
        host = (urlparse(url).hostname or "").lower()
        hosts[host] = hosts.get(host, 0) + 1
        assert host in MICROSOFT | HELP_MIRRORS | COMMUNITY, f"{name}{path}: host {host}"
        if host in COMMUNITY and STEP_LISTS.search(path):
            assert mapping.get("practice") is True, (
                f"{name}{path}: a step sourced from {host} must be marked practice: true"
            )
        if host in MICROSOFT and "learn.microsoft.com" in host:
            assert "/en-us/" in url, f"{name}{path}: {url} is not the en-us page"
    assert set(hosts) & MICROSOFT
    # Microsoft's own library carries most statements; mirrors and community sources less.
    microsoft = sum(n for h, n in hosts.items() if h in MICROSOFT)
    assert microsoft > sum(n for h, n in hosts.items() if h in COMMUNITY)


def test_order_rules_hold_for_every_builtin_scenario() -> None:
    catalog = load_catalog()
    checked = 0
    for policy in catalog.roles.values():
        procedure = catalog.procedures.get(policy.procedure or "")
        for scenario in policy.scenarios:
            steps = _scenario_steps(catalog, policy.id, procedure, scenario)
            planned = [PlannedStep(step, policy.id, {}) for step in steps]
            assert check_order(scenario.id, planned, catalog.rules.values()) == [], (
                f"{policy.id}: {scenario.id}"
            )
            checked += 1
    assert checked >= 12


def _scenario_steps(catalog: Catalog, role: str, procedure: Any, scenario: Scenario) -> list[Step]:
    """The steps of one role's scenario, every id once, in phase order (as the engine does)."""
    policy = catalog.roles[role]
    found: list[Step] = []
    if scenario.rebuilds and procedure is not None:
        found += procedure.steps
    if scenario.rebuilds:
        found += policy.steps
    for name in scenario.procedures:
        found += catalog.procedures[name].steps
    found += scenario.steps
    unique: dict[str, Step] = {}
    for step in found:
        unique.setdefault(step.id, step)
    return sorted(unique.values(), key=lambda s: s.phase)


def _scenario(catalog: Catalog, role: str, sid: str) -> Scenario:
    return next(s for s in catalog.roles[role].scenarios if s.id == sid)


def test_required_scenarios_per_role() -> None:
    catalog = load_catalog()
    ids = {role: {s.id for s in p.scenarios} for role, p in catalog.roles.items()}
    assert ids["mailbox"] >= {"rebuild-keep-data", "rebuild-restore", "dial-tone", "portability"}
    assert ids["public-folder"] >= {"rebuild-keep-data", "rebuild-restore"}
    assert not ids["public-folder"] & {"dial-tone", "portability"}
    assert ids["clustered-mailbox"] >= {"ccr-node", "recover-cms"}
    assert ids["edge-transport"] >= {"edge-clone"}
    for role in ("hub-transport", "client-access", "unified-messaging"):
        rebuild = _scenario(catalog, role, "rebuild")
        assert rebuild.rebuilds and rebuild.fallback
    for role in ("mailbox", "public-folder"):
        for sid in ids[role] - {"portability"}:
            assert "not server.cluster" in (_scenario(catalog, role, sid).applies_when or "")
    assert _scenario(catalog, "clustered-mailbox", "ccr-node").applies_when == (
        'server.cluster.type == "ccr"'
    )
    for role, policy in catalog.roles.items():
        assert policy.rebuild_time is not None, role


def test_reference_facts_hold() -> None:
    catalog = load_catalog()
    edge = catalog.roles["edge-transport"]
    assert edge.domain_member is False and edge.procedure == "edge-clone"
    assert {c.kind for c in edge.constraints} >= {"alone", "not-domain-member"}
    hub = catalog.roles["hub-transport"]
    assert next(i for i in hub.backup_items if i.id == "queue-database").level == "not-needed"
    resubscribe = next(s for s in hub.steps if s.id == "resubscribe-edge")
    assert resubscribe.for_each == "edge-server" and resubscribe.action == "edge-subscription"
    assert resubscribe.practice and "resubscribe-edge-remove" in resubscribe.after
    mailbox = catalog.roles["mailbox"]
    assert next(i for i in mailbox.backup_items if i.id == "storage-groups").level == "required"
    cas = catalog.roles["client-access"]
    assert any("metabase" in (s.title + (s.text or "")).lower() for s in cas.steps)
    cms = catalog.roles["clustered-mailbox"]
    assert cms.procedure == "recover-cms"
    assert any(c.kind == "edition" and c.editions == ["Enterprise"] for c in cms.constraints)
    assert not any((d.loss or "").lower().startswith("nothing") for d in cms.data)

    # Dial tone never restores over a production database, nor allows it.
    dial = _steps(catalog, "mailbox", "dial-tone")
    actions = [s.action for s in dial]
    assert "restore" not in actions and "allow-restore" not in actions
    assert {"dial-tone", "restore-rsg", "swap", "merge"} <= set(actions)
    assert not any("AllowFileRestore" in (s.command or "") for s in dial)
    # "Allow overwrite by a restore" only where a backup is restored over the database.
    full = _steps(catalog, "mailbox", "rebuild-restore")
    assert "allow-restore" in [s.action for s in full]
    assert "Last Restore Set" in " ".join(s.text or "" for s in full)
    assert "allow-restore" not in [
        s.action for s in _steps(catalog, "mailbox", "rebuild-keep-data")
    ]
    # Portability: mailbox databases only.
    for step in _scenario(catalog, "mailbox", "portability").steps:
        assert step.for_each in (None, "mailbox-database", "storage-group")
        if step.for_each == "storage-group":
            assert step.when and '"mailbox"' in step.when
    rehome = next(
        s
        for s in _scenario(catalog, "mailbox", "portability").steps
        if "Move-Mailbox" in (s.command or "")
    )
    assert "-ConfigurationOnly" in (rehome.command or "") and rehome.unverified is None
    assert _scenario(catalog, "mailbox", "portability").unavailable_when

    # Clustered: IP addresses from the inventory, seeding after mount, no standby cluster.
    recover = catalog.procedures["recover-cms"]
    run = next(s for s in recover.steps if "/RecoverCMS" in (s.command or ""))
    assert "server.cluster.ip_addresses" in (run.command or "") and run.unverified
    assert not any("ClearLocalCMS" in (s.command or "") for s in recover.steps)
    seed = next(s for s in catalog.procedures["seed-ccr-copies"].steps if s.action == "seed")
    assert "Update-StorageGroupCopy" in (seed.command or "")
    assert _scenario(catalog, "clustered-mailbox", "recover-cms").procedures == [
        "restore-databases",
        "seed-ccr-copies",
    ]

    # Every rebuild procedure: prerequisites before Setup, the backup agent before data,
    # the update rollup as recorded, never inferred from AdminDisplayVersion.
    for name in ("recover-server", "recover-cms", "edge-clone"):
        steps = catalog.procedures[name].steps
        assert {"prerequisites", "setup", "backup-agent"} <= {s.action for s in steps}, name
        agent = next(s for s in steps if s.action == "backup-agent")
        assert agent.for_each == "backup-agent" and agent.phase == 35
        rollup = next(s for s in steps if s.id == "install-update-rollup")
        assert "server.update_rollup" in (rollup.when or "")
        assert "exchange_version" not in (rollup.when or "")
    run = next(
        s
        for s in catalog.procedures["recover-server"].steps
        if s.command and "RecoverServer" in s.command
    )
    assert run.unverified and "TargetDir" in run.unverified
    obtain = next(s for s in catalog.procedures["recover-server"].steps if s.id == "obtain-media")
    assert obtain.practice

    # Edge: certificate, then the subscription, then the other software.
    clone = {
        s.id: s for name in ("edge-clone", "edge-subscribe") for s in catalog.procedures[name].steps
    }
    assert (
        clone["reimport-certificates"].phase
        < clone["create-subscription-file"].phase
        < clone["new-edge-subscription"].phase
        < clone["reinstall-software"].phase
    )
    assert "-FileData" not in (clone["new-edge-subscription"].command or "")

    # Commands Microsoft documents for Exchange 2007 carry no "not verified" box.
    verify = {s.id: s for p in catalog.roles.values() for s in p.verify}
    assert verify["test-outlook-web-services"].unverified is None
    assert verify["test-mapi-connectivity"].unverified is None


def _steps(catalog: Catalog, role: str, sid: str) -> list[Step]:
    policy = catalog.roles[role]
    return _scenario_steps(
        catalog, role, catalog.procedures.get(policy.procedure or ""), _scenario(catalog, role, sid)
    )


def test_policy_text_is_plain_text() -> None:
    """Policy text is escaped on the page like inventory text, so Markdown in it would show
    as literal characters: commands go in ``command``, not in backticks in ``text``."""
    for name, text in builtin_texts():
        for number, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            assert "`" not in line, f"{name}:{number}: backtick in policy text"
