"""mkdocs-exdr import: realistic Exchange 2007 exports in every format and encoding, into an
empty folder and into an inventory people have edited."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.validate.inventory import read_inventory
from tests.conftest import write

EXPORTS = Path(__file__).resolve().parent / "exports"
CSV = [
    "servers.csv",
    "storagegroups.csv",
    "mailboxdatabases.csv",
    "publicfolderdatabases.csv",
    "mailboxservers-nodes.csv",
]
XML = [
    "servers.xml",
    "storagegroups.xml",
    "mailboxdatabases.xml",
    "publicfolderdatabases.xml",
    "mailboxservers.xml",
]
ENCODINGS = {
    "utf-16-le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),
    "utf-16-le": lambda text: text.encode("utf-16-le"),  # a tool that dropped the mark
    "utf-8-bom": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    "ascii": lambda text: text.encode("ascii"),
}


def exports(tmp_path: Path, folder: str, names: list[str], encoding: str) -> list[str]:
    """Copy the fixtures, re-encoded as Windows PowerShell would have written them."""
    out = tmp_path / "exports"
    out.mkdir(exist_ok=True)
    for name in names:
        text = (EXPORTS / folder / name).read_bytes().decode("utf-8")
        (out / name).write_bytes(ENCODINGS[encoding](text))
    return [str(out / name) for name in names]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["import", *args])
    return result.exit_code, result.stdout, result.stderr


def servers_of(folder: Path) -> dict[str, object]:
    loaded = read_inventory(folder, load_catalog(folder.parent / "policies"))
    return {s.name: s for s in loaded.inventory.servers}


@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
@pytest.mark.parametrize(("folder", "names"), [("csv", CSV), ("clixml", XML)])
def test_import_into_an_empty_folder(
    tmp_path: Path, folder: str, names: list[str], encoding: str
) -> None:
    inventory = tmp_path / "inventory"
    code, out, err = run("--inventory", str(inventory), *exports(tmp_path, folder, names, encoding))
    assert code == 1, out + err  # EX2003 (Exchange 2003) is reported and skipped
    assert "EX2003 runs 'Version 6.5 (Build 7638.2: Service Pack 2)', not Exchange 2007" in err
    assert "servers." in err.split("EX2003")[0].splitlines()[-1]  # file:line before the message
    assert "EDGE01: no AD site in the export" in err
    assert "7 added; 1 skipped." in out
    servers = servers_of(inventory)
    assert sorted(servers) == [
        "EDGE01",
        "LON-CAS02",
        "LON-EX01",
        "LON-HUB02",
        "LON-UM01",
        "PAR-CMS01",
        "PAR-PF01",
    ]
    multi = servers["LON-EX01"]
    assert multi.roles == ["mailbox", "client-access", "hub-transport"]  # type: ignore[attr-defined]
    assert multi.site == "London" and multi.exchange_version == "Version 8.3 (Build 83.6)"  # type: ignore[attr-defined]
    groups = {g.name: g for g in multi.storage_groups}  # type: ignore[attr-defined]
    assert groups["First Storage Group"].log_prefix == "E00"
    assert (
        groups["Second Storage Group"].databases[0].edb_path
        == "E:\\Second Storage Group\\Sales, Marketing.edb"
    )
    assert "public-folder" in servers["PAR-PF01"].roles  # type: ignore[attr-defined]
    cms = servers["PAR-CMS01"]
    assert cms.cluster is not None and cms.cluster.type == "ccr"  # type: ignore[attr-defined]
    assert cms.cluster.nodes == ["PAR-CMS01-N1", "PAR-CMS01-N2"]  # type: ignore[attr-defined]
    assert servers["EDGE01"].roles == ["edge-transport"] and servers["EDGE01"].site is None  # type: ignore[attr-defined]
    organization = (inventory / "organization.yml").read_text()
    assert "name: Contoso Ltd" in organization and "forest: corp.contoso.com" in organization


def test_plain_csv_loses_the_cluster_nodes_and_says_so(tmp_path: Path) -> None:
    names = [n if n != "mailboxservers-nodes.csv" else "mailboxservers.csv" for n in CSV]
    code, _, err = run(
        "--inventory", str(tmp_path / "inventory"), *exports(tmp_path, "csv", names, "ascii")
    )
    assert code == 1
    assert "PAR-CMS01: the cluster nodes arrived as a type name" in err
    cms = servers_of(tmp_path / "inventory")["PAR-CMS01"]
    assert cms.cluster is not None and cms.cluster.nodes == []  # type: ignore[attr-defined]


def test_servers_csv_without_type_line_is_recognised_by_its_columns(tmp_path: Path) -> None:
    code, out, _ = run(
        "--inventory",
        str(tmp_path / "inventory"),
        *exports(tmp_path, "csv", ["servers-notype.csv"], "utf-8-bom"),
    )
    assert code == 1 and "7 added" in out


def test_bad_rows_and_unknown_roles_are_reported_and_skipped(tmp_path: Path) -> None:
    code, _, err = run(
        "--inventory", str(tmp_path / "a"), str(EXPORTS / "broken" / "servers-bad-row.csv")
    )
    assert code == 1
    assert "servers-bad-row.csv:" in err and "values where the header has 41 columns" in err
    code, _, err = run(
        "--inventory", str(tmp_path / "b"), str(EXPORTS / "broken" / "unknown-role.csv")
    )
    assert code == 1 and "unknown-role.csv:" in err and "PAR-PF01: unknown ServerRole 'Foo'" in err
    assert "PAR-PF01" not in servers_of(tmp_path / "b")


def test_a_file_that_is_no_export_is_invalid_input(tmp_path: Path) -> None:
    other = write(tmp_path, {"notes.csv": '"A","B"\n"1","2"\n'}) / "notes.csv"
    code, _, err = run("--inventory", str(tmp_path / "inventory"), str(other))
    assert code == 2 and "not an export of Get-ExchangeServer" in err
    assert not (tmp_path / "inventory").exists()


BES_POLICY = """
role:
  id: blackberry
  title: BlackBerry Enterprise Server
  procedure: recover-server
"""
PERSON_EDITS = """\
# Kept by the messaging team; import updates only what Exchange knows.
servers:
  - name: lon-ex01          # lower case on purpose: matching ignores case
    site: London
    roles: [mailbox, blackberry]   # blackberry comes from our own policies
    notes: >-
      Rack B4. iLO at lon-ex01-ilo.
    backups:
      - {name: NIGHTLY, method: 'NTBackup, Exchange-aware full', frequency: daily, covers: [storage-groups], location: offsite}
    restore_tests:
      - {date: 2026-10-01, scope: First Storage Group, result: passed, by: T. H.}
    accept:
      - {code: EXDR007, reason: Vault next door, owner: IT, expires: 2027-01-31}
    storage_groups:
      - name: First Storage Group
        log_prefix: E00
        databases:
          - {name: Mailbox Database, size_gb: 120}
  - name: OLD-EX01
    site: London
    roles: [hub-transport]
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le-bom"])
def test_reimport_keeps_what_people_wrote(tmp_path: Path, encoding: str) -> None:
    inventory = tmp_path / "inventory"
    write(tmp_path, {"policies/bes.yml": BES_POLICY})
    run("--inventory", str(inventory), *exports(tmp_path, "clixml", XML, "utf-16-le-bom"))
    moved = inventory / "people" / "london-mailbox.yml"
    moved.parent.mkdir()
    data = PERSON_EDITS.replace("\n", "\r\n")
    moved.write_bytes(
        data.encode() if encoding == "utf-8" else codecs.BOM_UTF16_LE + data.encode("utf-16-le")
    )
    london = inventory / "servers" / "london.yml"
    london.write_text(
        london.read_text().replace("  - name: LON-EX01\n", "  - name: LON-EX01-GONE\n")
    )

    code, out, _ = run(
        "--inventory", str(inventory), *exports(tmp_path, "clixml", XML, "utf-16-le-bom")
    )
    assert code == 1  # EX2003 again
    assert "updated        LON-EX01       people/london-mailbox.yml" in out
    assert "missing" in out and "OLD-EX01" in out and "--prune marks it decommissioned" in out
    raw = moved.read_bytes()
    text = raw.decode("utf-8") if encoding == "utf-8" else raw[2:].decode("utf-16-le")
    if encoding != "utf-8":
        assert raw.startswith(codecs.BOM_UTF16_LE)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    for line in PERSON_EDITS.splitlines():
        if any(fact in line for fact in ("roles:", "site:", "Mailbox Database")):  # updated facts
            continue
        assert line in text.splitlines(), f"lost: {line!r}"
    assert "roles: [mailbox, client-access, hub-transport, blackberry]" in text
    assert "fqdn: LON-EX01.corp.contoso.com" in text
    assert (
        "size_gb: 120" in text and "edb_path: E:\\First Storage Group\\Mailbox Database.edb" in text
    )
    assert "LON-EX01-GONE" in london.read_text()  # the renamed entry is reported missing, kept

    # Nothing changed since: a second import leaves every file byte for byte as it was.
    snapshot = {p: p.read_bytes() for p in inventory.rglob("*.yml")}
    code, out, _ = run(
        "--inventory",
        str(inventory),
        "--dry-run",
        *exports(tmp_path, "clixml", XML, "utf-16-le-bom"),
    )
    assert "Dry run: nothing written." in out
    run("--inventory", str(inventory), *exports(tmp_path, "clixml", XML, "utf-16-le-bom"))
    assert {p: p.read_bytes() for p in inventory.rglob("*.yml")} == snapshot

    code, out, _ = run(
        "--inventory", str(inventory), "--prune", *exports(tmp_path, "clixml", XML, "utf-16-le-bom")
    )
    assert "decommissioned OLD-EX01" in out
    assert servers_of(inventory)["OLD-EX01"].status == "decommissioned"  # type: ignore[attr-defined]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    _, out, _ = run(
        "--inventory",
        str(tmp_path / "inventory"),
        "--dry-run",
        *exports(tmp_path, "csv", CSV, "ascii"),
    )
    assert "7 added; 1 skipped. Dry run: nothing written." in out
    assert not (tmp_path / "inventory").exists()


def test_imported_inventory_builds_a_site(tmp_path: Path) -> None:
    run(
        "--inventory",
        str(tmp_path / "inventory"),
        *exports(tmp_path, "clixml", XML, "utf-16-le-bom"),
    )
    write(
        tmp_path,
        {
            "docs/index.md": "# DR\n",
            "mkdocs.yml": "site_name: Imported\nplugins:\n  - exdr:\n      as_of: '2026-11-20'\n",
        },
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "EXDR001 LON-EX01/storage-groups" in result.stderr  # findings: no backups yet
    assert "problem" not in result.stderr.lower()
    assert (tmp_path / "site" / "dr" / "servers" / "par-cms01" / "index.html").is_file()
