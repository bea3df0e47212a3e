"""import never loses what people own: an export decides only the facts it carries, --prune
needs the server list, and names that check would reject are never written (issue 13)."""

from __future__ import annotations

from pathlib import Path

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
