"""Checks are not silently weakened (issue 13): a backup location must be a declared site or an
off-site keyword, and a restore test cannot be dated after the plan's as-of date. Both are input
problems, located, exit 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli import main as cli
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.validate.inventory import OFFSITE_KEYWORDS
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, make_project, write

AS_OF = dt.date(2026, 11, 20)
ORG = MINIMAL_ORG + "  - name: Boston\n"


def plan_of(tmp_path: Path, servers: str) -> Plan:
    write(tmp_path, {"inventory/org.yml": ORG, "inventory/servers.yml": servers})
    return build_plan(tmp_path / "inventory", tmp_path / "policies", AS_OF, shown_inventory="inv")


def problems_of(tmp_path: Path, servers: str) -> list[str]:
    with pytest.raises(InvalidInput) as raised:
        plan_of(tmp_path, servers)
    return [str(problem) for problem in raised.value.problems]


def codes(plan: Plan) -> set[str]:
    return {f.code for f in plan.findings}


# --- Backup locations ---------------------------------------------------------------------------


def test_a_typo_in_a_backup_location_is_an_error_that_suggests_the_site(tmp_path: Path) -> None:
    # Before, "Bostn" counted as another place, so EXDR007 (all copies in the own site) vanished.
    servers = SOUND_SERVER.replace("location: offsite", "location: Bostn")
    assert problems_of(tmp_path, servers) == [
        "inv/servers.yml:18:134: servers[0].backups[0].location: expected the name of a site "
        "(Boston, Seattle) or offsite, cloud or vault; found text ('Bostn'); "
        "did you mean 'Boston'?"
    ]


def test_free_text_in_a_backup_location_is_an_error_too(tmp_path: Path) -> None:
    servers = SOUND_SERVER.replace("location: offsite", "location: 'tapes go home with the admin'")
    [problem] = problems_of(tmp_path, servers)
    assert "servers[0].backups[0].location: expected the name of a site" in problem
    assert "found text ('tapes go home with the admin')" in problem
    assert "did you mean" not in problem


@pytest.mark.parametrize("location", ["Seattle", "seattle", "Boston", *OFFSITE_KEYWORDS, "Cloud"])
def test_sites_and_keywords_are_accepted_in_any_case(tmp_path: Path, location: str) -> None:
    plan = plan_of(tmp_path, SOUND_SERVER.replace("location: offsite", f"location: {location}"))
    # EXDR007 for the server's own site only; another site or a keyword keeps a copy away.
    assert ("EXDR007" in codes(plan)) == (location.casefold() == "seattle")


def test_a_job_without_a_location_is_still_read(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SOUND_SERVER.replace(", location: offsite", ""))
    assert plan.servers[0].server.backups[0].location is None


def test_the_keywords_are_few_and_lower_case() -> None:
    assert OFFSITE_KEYWORDS == ("offsite", "cloud", "vault")


def test_check_exits_2_for_a_bad_backup_location(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(
        make_project(
            tmp_path, inventory=SOUND_SERVER.replace("location: offsite", "location: Seatle")
        )
    )
    result = CliRunner().invoke(cli.main, ["check"])
    assert result.exit_code == 2, result.output
    assert "backups[0].location" in result.output
    assert "did you mean 'Seattle'?" in result.output


# --- Restore tests after the as-of date ---------------------------------------------------------

FUTURE = SOUND_SERVER.replace("date: 2026-11-01", "date: 2026-12-01")


def test_a_restore_test_after_the_as_of_date_is_an_error(tmp_path: Path) -> None:
    assert problems_of(tmp_path, FUTURE) == [
        "inv/servers.yml:20:9: restore_tests[0].date: 2026-12-01 is after "
        "the plan's as-of date 2026-11-20; a restore test cannot have happened yet. "
        "Correct the date, or plan as of a later date"
    ]


def test_a_restore_test_on_the_as_of_date_counts(tmp_path: Path) -> None:
    plan = plan_of(tmp_path, SOUND_SERVER.replace("date: 2026-11-01", "date: 2026-11-20"))
    assert not codes(plan) & {"EXDR002", "EXDR003", "EXDR004"}


def test_a_future_test_does_not_hide_an_old_one(tmp_path: Path) -> None:
    servers = FUTURE.replace(
        "result: passed, by: Ops}",
        "result: passed, by: Ops}\n      - {date: 2024-01-01, scope: First Storage Group, "
        "result: passed}",
    )
    [problem] = problems_of(tmp_path, servers)
    assert "restore_tests[0].date: 2026-12-01 is after" in problem


def test_check_exits_2_for_a_restore_test_in_the_future(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_project(tmp_path, inventory=FUTURE))  # as_of 2026-11-20
    result = CliRunner().invoke(cli.main, ["check"])
    assert result.exit_code == 2, result.output
    assert "restore_tests[0].date: 2026-12-01 is after the plan's as-of date" in result.output


def test_a_typo_in_kept_in_is_an_error_and_does_not_hide_exdr027(tmp_path: Path) -> None:
    inventory = SOUND_SERVER.replace("ur.msp'}", "ur.msp', kept_in: [Seatle]}")
    assert "kept_in: [Seatle]" in inventory
    write(tmp_path, {"inventory/org.yml": MINIMAL_ORG, "inventory/servers.yml": inventory})
    with pytest.raises(InvalidInput) as caught:
        build_plan(tmp_path / "inventory", None, AS_OF, shown_inventory="inventory")
    (problem,) = caught.value.problems
    assert problem.field == "servers[0].media.kept_in[0]"
    assert problem.where.file == "inventory/servers.yml" and problem.where.line == 9
    assert "did you mean 'Seattle'?" in problem.message
