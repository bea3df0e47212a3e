"""The finding checks' exact words, and the rules the engine reads from policy data: the Edge
subscription's role, and the last wave that takes a dependency cycle."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_exdr.common.durations import describe, parse_duration, spoken
from mkdocs_exdr.plan.checks.registry import ORGANIZATION_CHECKS, SERVER_CHECKS
from mkdocs_exdr.plan.model import OrderEntry, Plan
from tests.test_engine import ZOO, ZOO_ORG, plan_of, server

# What an administrator reads, word for word: a check that says the wrong thing fails here.
MESSAGES = {
    "EXDR001:MB2/storage-groups": (
        "Storage groups (databases, transaction logs, checkpoint) is required but no backup job "
        "covers 'storage-groups': The databases hold all mailbox and public folder data, and "
        "RecoverServer does not recreate them. The storage group is the unit of backup and "
        "restore. Add a job with covers: [storage-groups]."
    ),
    "EXDR002:MB1/SG1": (
        "storage group SG1 has never been restore-tested; restore it to a recovery storage "
        "group and record the test."
    ),
    "EXDR003:MB1/SG2": (
        "the last restore test of SG2 (2026-11-01) failed; fix the backup and test again."
    ),
    "EXDR004:MB1/SG3": (
        "the last restore test of SG3 was 688 days ago (2025-01-01); the maximum is 13w. "
        "Test it again."
    ),
    "EXDR005:MB1/storage-groups": (
        "Storage groups (databases, transaction logs, checkpoint) is backed up every week, "
        "so up to a week of data can be lost, but the RPO is 1d. Back it up more often or agree "
        "a longer RPO."
    ),
    "EXDR006:MB1": (
        "restoring 5000 GB at 20 GB/hour takes about 10.4 days, more than the RTO of 8h. "
        "Split databases, speed up restores or agree a longer RTO."
    ),
    "EXDR007:MB1": (
        "every backup copy of MB1 is kept in site Seattle; losing the site loses the backups "
        "too. Keep a copy offsite or in another site."
    ),
    "EXDR008:EDGE1": (
        "no edge_sync_site: the runbook cannot say which Hub Transport servers take the new "
        "Edge subscription. Give the AD site."
    ),
    "EXDR009:EDGE2": (
        "no active hub-transport server in site 'Boston'; the Edge subscription cannot be "
        "recreated there."
    ),
    "EXDR010:site:Seattle": (
        "site Seattle has Mailbox servers but no active hub-transport server; every site with "
        "Mailbox servers needs one."
    ),
    "EXDR011:site:Seattle": (
        "site Seattle has Mailbox servers but no active client-access server; every site with "
        "Mailbox servers needs one."
    ),
    "EXDR012:MB1/old.example": (
        "certificate old.example expired on 2026-01-01; renew it and export the new one with "
        "its private key."
    ),
    "EXDR013:MB1/soon.example": (
        "certificate soon.example expires on 2026-12-01, in 11 days; renew it and export the "
        "new one with its private key."
    ),
    "EXDR014:MB2": "nobody to call: add contacts to the server, its site or the organisation.",
    "EXDR015:MB2": "site 'Nowhere' is not declared under sites; declare it or correct the name.",
    "EXDR016:PF1/public-folder/requires-role": (
        "Public folder databases live in storage groups on a Mailbox server; add the mailbox "
        "role to this server."
    ),
    "EXDR017:MB1": (
        "MB1 runs Exchange 2007 before SP2 on Windows Server 2008, where Windows Server Backup "
        "cannot make Exchange-aware backups. Use an Exchange-aware VSS product or install SP2."
    ),
    "EXDR018:MB1/notes": (
        "notes looks like a secret; it is redacted from every output. Move it to the password "
        "manager and name the entry under credentials."
    ),
    "EXDR021:MB2": (
        "the runbook shows placeholders for facts the inventory does not give: "
        "server.service_pack, server.exchange_version, server.os, server.fqdn."
    ),
    "EXDR022:MB2": (
        "no storage groups are listed, so their backups, restore tests and restore commands "
        "cannot be planned. List them (Get-StorageGroup)."
    ),
    "EXDR023:PF1": "no site given: the server is left out of the site recovery orders.",
    "EXDR024:MB2": (
        "no RPO or RTO is set for this server's site or the organisation, so backup frequency "
        "and restore time are not checked."
    ),
    "EXDR026:organization": (
        "the plan has never been reviewed; review it and record the review under reviews, "
        "with the fingerprint shown on the DR home page."
    ),
    "EXDR027:MB1/certificate soon.example": (
        "every copy of the certificate soon.example of MB1 is kept in its own site Seattle; a "
        "site loss takes them with it: keep a copy in another site or offsite and add it to "
        "kept_in"
    ),
}


@pytest.fixture
def zoo(tmp_path: Path) -> Plan:
    return plan_of(tmp_path, ZOO, org=ZOO_ORG)


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_finding_says_exactly(zoo: Plan, key: str) -> None:
    found = {f.key: f.message for f in zoo.findings}
    assert found.get(key) == MESSAGES[key]


def test_findings_are_placed_at_their_server_or_site(zoo: Plan) -> None:
    found = {f.key: f for f in zoo.findings}
    uncovered = found["EXDR001:MB2/storage-groups"]
    assert (uncovered.severity, uncovered.server, uncovered.site) == ("error", "MB2", "Nowhere")
    assert uncovered.where is not None and uncovered.where.file.endswith("servers.yml")
    site = found["EXDR010:site:Seattle"]
    assert (site.severity, site.server, site.site) == ("warning", None, "Seattle")
    review = found["EXDR026:organization"]
    assert (review.server, review.site, review.where) == (None, None, None)


def test_each_check_is_registered_once() -> None:
    for registry in (SERVER_CHECKS, ORGANIZATION_CHECKS):
        names = [check.__name__ for check in registry]
        assert len(names) == len(set(names)) and all(check.__doc__ for check in registry)
    assert len(SERVER_CHECKS) == 15 and len(ORGANIZATION_CHECKS) == 3


# ------------------------------------------------------------------ rules from policy data

RELAY = """
role:
  id: relay
  title: Relay
  procedure: recover-server
  depends_on:
    - role: client-access
      scope: edge-sync-site
      step: resubscribe-relay
      why: Our relays subscribe to a Client Access server.
      source: "https://example.org/relay"
  steps:
    - id: resubscribe-relay
      phase: 50
      title: "Subscribe {{ server.name }} to {% for hub in server.hub_servers %}{{ hub.name }}{% endfor %}"
      source: "https://example.org/relay"
"""
RELAY_SERVERS = """
servers:
  - {name: RELAY1, roles: [relay], edge_sync_site: Seattle}
  - {name: CAS1, site: Seattle, roles: [client-access]}
  - {name: HUB1, site: Seattle, roles: [hub-transport]}
"""


def test_the_subscription_role_comes_from_the_edge_sync_site_dependency(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, RELAY_SERVERS, policies={"relay.yml": RELAY})
    relay = server(plan, "RELAY1")
    titles = [s.title for sc in relay.scenarios for s in sc.steps if s.id == "resubscribe-relay"]
    assert titles and set(titles) == {"Subscribe RELAY1 to CAS1"}
    seattle = next(o for o in plan.orders if o.scope == "Seattle")
    assert seattle.waves[-1] == (
        OrderEntry(
            "RELAY1",
            "Subscribe RELAY1 again to Seattle, after its Client Access servers",
            None,
            "resubscribe-relay",
        ),
    )
    assert seattle.wave_of("CAS1") == len(seattle.waves) - 1
    assert "EXDR009:RELAY1" not in {f.key for f in plan.findings}

    plan = plan_of(tmp_path, RELAY_SERVERS.replace("client-access]", "mailbox]"))
    found = {f.key: f.message for f in plan.findings}
    assert found["EXDR009:RELAY1"].startswith("no active client-access server in site 'Seattle'")


# A user's roles that wait for each other: neither can be placed, so both take one last wave.
CYCLE = """
role:
  id: {me}
  title: {me}
  procedure: recover-server
  depends_on:
    - {{role: {other}, scope: site, why: Each waits for the other., source: "https://example.org/x"}}
"""


def test_a_dependency_cycle_ends_up_in_one_last_wave(tmp_path: Path) -> None:
    servers = """
servers:
  - {name: MB1, site: Seattle, roles: [mailbox]}
  - {name: HUB1, site: Seattle, roles: [hub-transport]}
  - {name: UM1, site: Seattle, roles: [unified-messaging]}
  - {name: A1, site: Seattle, roles: [alpha]}
  - {name: B1, site: Seattle, roles: [beta]}
"""
    policies = {
        "alpha.yml": CYCLE.format(me="alpha", other="beta"),
        "beta.yml": CYCLE.format(me="beta", other="alpha"),
    }
    order = plan_of(tmp_path, servers, policies=policies).orders[0]
    waves = [[e.server for e in wave] for wave in order.waves]
    assert waves == [[None], ["HUB1", "MB1"], ["UM1"], ["A1", "B1"]]


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "under a minute"),
        (60, "1 minute"),
        (90, "2 minutes"),
        (3600, "1 hour"),
        (5400, "1.5 hours"),
        (36000, "10 hours"),
        (2 * 86400, "2 days"),
        (86400 * 2.5, "2.5 days"),
    ],
)
def test_durations_are_said_in_agreement(seconds: float, said: str) -> None:
    assert describe(seconds) == said


@pytest.mark.parametrize(
    ("written", "every", "amount"),
    [
        ("weekly", "week", "a week"),
        ("1d", "day", "a day"),
        ("hourly", "hour", "an hour"),
        ("2w", "2 weeks", "2 weeks"),
        ("36h", "36 hours", "36 hours"),
        ("30m", "30 minutes", "30 minutes"),
    ],
)
def test_backup_intervals_read_as_words(written: str, every: str, amount: str) -> None:
    assert spoken(parse_duration(written)) == (every, amount)
