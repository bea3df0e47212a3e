"""``mkdocs-exdr import`` into an inventory file it cannot update: exit 2, the file and line,
no traceback, and nothing written (issue 13, "Exit codes")."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main

SERVERS_CSV = Path(__file__).resolve().parent / "exports" / "csv" / "servers.csv"

CASES = {
    "servers-a-number": (b"servers: 5\n", "a.yml:1:1: servers: cannot be updated: expected a list"),
    "sites-a-mapping": (b"sites: {Seattle: 1}\n", "a.yml:1:1: sites: cannot be updated"),
    "only-a-string": (b"'just a string'\n", "a.yml:1:1: cannot be updated: expected a mapping"),
    "only-a-list": (b"- a\n- b\n", "a.yml:1:1: cannot be updated: expected a mapping"),
    "utf-16-without-bom": (
        "servers:\n  - name: EX01\n".encode("utf-16-le"),
        "a.yml: cannot be updated: looks like UTF-16 without a byte order mark",
    ),
    "utf-16-be-without-bom": (
        "servers:\n  - name: EX01\n".encode("utf-16-be"),
        "a.yml: cannot be updated: looks like UTF-16 without a byte order mark",
    ),
    "control-character": (b"a: 1\n\x01\n", "a.yml: cannot be updated: unacceptable character"),
    "not-utf-8": (b"notes: caf\xe9\n", "a.yml: cannot be updated: line 1: byte 10 is not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_an_inventory_file_import_cannot_update_exits_2_with_its_place(
    case: str, tmp_path: Path
) -> None:
    content, message = CASES[case]
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "a.yml").write_bytes(content)
    result = CliRunner().invoke(main, ["import", "--inventory", str(inventory), str(SERVERS_CSV)])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    assert sorted(p.name for p in inventory.rglob("*")) == ["a.yml"]  # nothing written
    assert (inventory / "a.yml").read_bytes() == content
