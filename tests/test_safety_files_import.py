"""import never loses what people own: an export decides only the facts it carries, --prune
needs the server list, and names that check would reject are never written (issue 13)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_import import CSV, EXPORTS, exports, run, servers_of


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def roles(folder: Path, name: str) -> list[str]:
    return list(servers_of(folder)[name].roles)  # type: ignore[attr-defined]


def test_an_export_decides_only_the_facts_it_carries(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert roles(inventory, "PAR-PF01") == ["mailbox", "public-folder"]
    london = inventory / "servers" / "london.yml"
    london.write_text(
        london.read_text().replace(
            "roles: [mailbox, client-access, hub-transport]\n",
            "roles: [mailbox, public-folder, client-access, hub-transport]\n",
        )
    )

    # Get-ExchangeServer alone says nothing about public folders: both stay.
    code, out, err = run(
        "--inventory", str(inventory), *exports(tmp_path, "csv", ["servers.csv"], "ascii")
    )
    assert code == 1, out + err  # EX2003, as ever
    assert roles(inventory, "PAR-PF01") == ["mailbox", "public-folder"]
    assert roles(inventory, "LON-EX01") == [
        "mailbox",
        "client-access",
        "hub-transport",
        "public-folder",
    ]

    # With the public folder databases exported, the export decides.
    run(
        "--inventory",
        str(inventory),
        *exports(tmp_path, "csv", ["servers.csv", "publicfolderdatabases.csv"], "ascii"),
    )
    assert roles(inventory, "PAR-PF01") == ["mailbox", "public-folder"]
    assert roles(inventory, "LON-EX01") == ["mailbox", "client-access", "hub-transport"]


def test_prune_refuses_without_the_server_export(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    before = snapshot(inventory)
    code, out, err = run(
        "--inventory",
        str(inventory),
        "--prune",
        *exports(tmp_path, "csv", ["storagegroups.csv"], "ascii"),
    )
    assert code == 2, out + err
    assert "--prune needs the Get-ExchangeServer export among the inputs" in err
    assert snapshot(inventory) == before

    # Without --prune, a storage-group export alone calls no server missing.
    code, out, err = run(
        "--inventory", str(inventory), *exports(tmp_path, "csv", ["storagegroups.csv"], "ascii")
    )
    assert code == 0, out + err
    assert "missing" not in out


def test_prune_keeps_servers_the_export_lists_but_skips(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    code, out, err = run(
        "--inventory", str(inventory), "--prune", str(EXPORTS / "broken" / "unknown-role.csv")
    )
    assert code == 1, out + err  # PAR-PF01's row is skipped ...
    assert "PAR-PF01: unknown ServerRole 'Foo'" in err
    assert "decommissioned LON-CAS02" in out
    assert "PAR-PF01" not in out  # ... and it is not decommissioned
    assert servers_of(inventory)["PAR-PF01"].status == "active"  # type: ignore[attr-defined]


def test_prune_refuses_a_server_export_with_unreadable_rows(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    before = snapshot(inventory)
    code, _, err = run(
        "--inventory", str(inventory), "--prune", str(EXPORTS / "broken" / "servers-bad-row.csv")
    )
    assert code == 2
    assert "servers-bad-row.csv:" in err
    assert "--prune cannot tell which server this row is" in err
    assert snapshot(inventory) == before


def test_names_check_would_reject_are_located_and_not_written(tmp_path: Path) -> None:
    text = (EXPORTS / "csv" / "servers.csv").read_text()
    assert '\n"LON-UM01",' in text and '\n"LON-CAS02",' in text
    bad = text.replace('\n"LON-UM01",', '\n"LON UM01;x",').replace(
        '\n"LON-CAS02",', '\n"LONDON-CLIENT-ACCESS-02",'
    )
    line = {
        name: text[: text.index(f'\n"{name}",')].count("\n") + 2
        for name in ("LON-UM01", "LON-CAS02")
    }
    source = tmp_path / "servers.csv"
    source.write_text(bad)
    inventory = tmp_path / "inventory"
    code, out, err = run("--inventory", str(inventory), str(source))
    assert code == 1, out + err  # rows skipped: exit 1, as for every bad row
    assert (
        f"servers.csv:{line['LON-UM01']}:1: Name: 'LON UM01;x' is not a server name check "
        "accepts; expected a NetBIOS name: 1 to 15 letters, digits, - or _, starting with a "
        "letter or digit; skipped, not written"
    ) in err
    assert f"servers.csv:{line['LON-CAS02']}:1: Name: 'LONDON-CLIENT-ACCESS-02'" in err
    written = "".join(p.read_text() for p in inventory.rglob("*.yml"))
    assert "LON UM01" not in written and "LONDON-CLIENT" not in written
    assert sorted(servers_of(inventory)) == [
        "EDGE01",
        "LON-EX01",
        "LON-HUB02",
        "PAR-CMS01",
        "PAR-PF01",
    ]


# ------------------------------------------------------------------ whole files, one run at a time

KILLED_AT_RENAME = """
import os, signal, sys
calls = 0
rename = os.replace
def dying(*args, **kwargs):
    global calls
    calls += 1
    if calls == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    return rename(*args, **kwargs)
os.replace = dying
from mkdocs_exdr.cli.main import main
main(sys.argv[2:])
"""


def copy_folder(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_import_killed_between_write_and_rename_leaves_old_or_new_files(tmp_path: Path) -> None:
    old = tmp_path / "old"
    run("--inventory", str(old), *exports(tmp_path, "csv", ["servers.csv"], "ascii"))
    london = old / "servers" / "london.yml"
    london.write_text("# Our London servers.\n" + london.read_text())
    every = exports(tmp_path, "csv", CSV, "ascii")
    new = copy_folder(old, tmp_path / "new")
    run("--inventory", str(new), *every)
    before, after = snapshot(old), {p.relative_to(new): b for p, b in snapshot(new).items()}
    changed = [p for p, b in before.items() if after[p.relative_to(old)] != b]
    assert len(changed) >= 2  # london.yml and paris.yml at least

    for kill_at in range(1, len(changed) + 1):
        inventory = copy_folder(old, tmp_path / f"killed-{kill_at}")
        args = ["import", "--inventory", str(inventory), *every]
        killed = subprocess.run(
            [sys.executable, "-c", KILLED_AT_RENAME, str(kill_at), *args],
            capture_output=True,
            check=False,
        )
        assert killed.returncode == -signal.SIGKILL
        files = {p.relative_to(inventory): p.read_bytes() for p in inventory.rglob("*.yml")}
        assert set(files) == set(after)
        renamed = 0
        for path, content in files.items():
            assert content in (before[old / path], after[path]), path  # never a mix
            renamed += content != before[old / path]
        assert renamed == kill_at - 1
        assert sorted(servers_of(inventory)) == sorted(servers_of(old))  # .tmp files not read
        # The lock died with the process: the next import runs, and finishes the job.
        code, out, err = run("--inventory", str(inventory), *every)
        assert code == 1, out + err
        assert {p.relative_to(inventory): p.read_bytes() for p in inventory.rglob("*.yml")} == (
            after
        )


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = tmp_path / "inventory"
    run("--inventory", str(inventory), *exports(tmp_path, "csv", ["servers.csv"], "ascii"))
    before = snapshot(inventory)

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, out, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert code == 2, out + err
    assert "cannot write: No space left on device; the file is as it was" in err
    assert "Traceback" not in out + err
    assert snapshot(inventory) == before  # no temporary file, no lock file left either


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_import_keeps_the_file_mode(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    run("--inventory", str(inventory), *exports(tmp_path, "csv", ["servers.csv"], "ascii"))
    london = inventory / "servers" / "london.yml"
    london.chmod(0o640)
    run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert "storage_groups" in london.read_text()
    assert stat.S_IMODE(london.stat().st_mode) == 0o640


HOLD_THE_LOCK = """
import sys
from pathlib import Path
from mkdocs_exdr.importer.files import inventory_lock
with inventory_lock(Path(sys.argv[1]), "inventory"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_second_import_fails_at_once_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    run("--inventory", str(inventory), *exports(tmp_path, "csv", ["servers.csv"], "ascii"))
    before = snapshot(inventory)
    first = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(inventory)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout is not None and first.stdout.readline() == "held\n"
        code, out, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
        assert code == 2, out + err
        lock = inventory / ".mkdocs-exdr-import.lock"
        assert f"{inventory.as_posix()}/.mkdocs-exdr-import.lock: another mkdocs-exdr import" in err
        assert "nothing was written" in err
        assert {p: b for p, b in snapshot(inventory).items() if p != lock} == before
    finally:
        first.communicate("", timeout=60)
    assert first.returncode == 0
    code, out, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert code == 1 and "updated" in out, out + err
    assert not lock.exists()  # removed after the run


def test_the_lock_is_removed_when_the_import_fails(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    (inventory / "servers").mkdir(parents=True)
    (inventory / "servers" / "broken.yml").write_text("servers: [\n")
    code, _, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert code == 2 and "broken.yml" in err
    assert not (inventory / ".mkdocs-exdr-import.lock").exists()


def test_a_site_name_check_would_refuse_is_not_written(tmp_path: Path) -> None:
    text = (EXPORTS / "csv" / "servers.csv").read_text()
    row = next(line for line in text.splitlines() if line.startswith('"LON-UM01",'))
    site = next(part for part in row.split('"') if "/Sites/" in part)
    bad = text.replace(row, row.replace(site, site + "\u202ex"))
    source = tmp_path / "servers.csv"
    source.write_text(bad, encoding="utf-8")
    inventory = tmp_path / "inventory"
    code, out, err = run("--inventory", str(inventory), str(source))
    assert code == 1, out + err
    assert "holds a control, line-break or bidirectional character (U+202E)" in err
    written = "".join(p.read_text(encoding="utf-8") for p in inventory.rglob("*.yml"))
    assert "\u202e" not in written and "LON-UM01" not in written
