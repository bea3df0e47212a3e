"""A site with many Mailbox servers: each runbook names at most ten database portability
targets, those outside a cluster with the fewest databases first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.organization import PORTABILITY_SHOWN
from tests.conftest import SOUND_SERVER, make_project

AS_OF = dt.date(2026, 11, 20)


def _server(number: int, databases: int) -> str:
    """SOUND_SERVER renamed, mailbox only, with ``databases`` databases in its storage group."""
    listed = ", ".join(
        f"{{name: DB{d}, size_gb: 5, edb_path: 'E:\\SG1\\DB{d}.edb'}}" for d in range(databases)
    )
    text = SOUND_SERVER.split("servers:\n", 1)[1]
    text = text.replace("EX01", f"EX{number:02d}").replace("ex01.", f"ex{number:02d}.")
    text = text.replace("roles: [mailbox, hub-transport, client-access]", "roles: [mailbox]")
    old = "databases: [{name: Mailbox Database, size_gb: 50, edb_path: 'E:\\SG1\\Mailbox Database.edb'}]"
    assert old in text
    return text.replace(old, f"databases: [{listed}]")


def _step_text(tmp_path: Path, count: int) -> tuple[str, str]:
    """The choose-target step of EX00 and its 'choose' line, with ``count`` Mailbox servers."""
    servers = "".join(_server(n, databases=1 + (n * 7) % 5) for n in range(count))
    project = make_project(tmp_path, inventory="servers:\n" + servers)
    plan = build_plan(project / "inventory", None, AS_OF)
    ex00 = next(s for s in plan.servers if s.server.name == "EX00")
    scenario = next(sc for sc in ex00.scenarios if sc.id == "portability")
    step = next(s for s in scenario.steps if s.id == "choose-target-server")
    return step.text or "", scenario.choose or ""


def _named(text: str, count: int) -> list[str]:
    return [f"EX{n:02d}" for n in range(1, count) if f"EX{n:02d}" in text]


def test_a_small_site_names_every_other_mailbox_server_room_first(tmp_path: Path) -> None:
    text, choose = _step_text(tmp_path, 4)
    # databases: EX01 3, EX02 5, EX03 2 -> EX03 (2), EX01 (3), EX02 (5)
    assert "(EX03 or EX01 or EX02)" in text, text
    assert "at most ten" not in text
    assert "EX03 or EX01 or EX02" in choose


def test_a_large_site_names_ten_with_the_fewest_databases(tmp_path: Path) -> None:
    count = 25
    text, _ = _step_text(tmp_path, count)
    named = _named(text, count)
    assert len(named) == PORTABILITY_SHOWN == 10, text
    # Those with one database (n*7 % 5 == 0: n = 5, 10, 15, 20) must all be among them.
    assert {"EX05", "EX10", "EX15", "EX20"} <= set(named)
    assert "at most ten are named, those with the fewest databases first" in text
