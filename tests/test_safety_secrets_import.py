"""A secret in an Exchange export is neither printed nor written to the inventory by
``mkdocs-exdr import``; it is reported at its export file and line (issue 13, "Secrets")."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main

EXPORTS = Path(__file__).resolve().parent / "exports"
FQDN = "LON-EX01.corp.contoso.com"
SECRETS = {
    "csv": ("csv/servers.csv", f'"{FQDN}"', "Hunter2x", "password: Hunter2x"),
    "csv-url": ("csv/servers.csv", f'"{FQDN}"', "Pw0rd9", "https://svcxfer:Pw0rd9@x.contoso.com"),
    "clixml": ("clixml/servers.xml", f'<S N="Fqdn">{FQDN}</S>', "Zq9Token", "api_key=Zq9Token"),
    "csv-pw": ("csv/servers.csv", f'"{FQDN}"', "Xy7kq-Lm", "pw: Xy7kq-Lm"),
    "csv-net-use": (
        "csv/servers.csv",
        f'"{FQDN}"',
        "P@ss!2024",
        r"net use \\fs01\bk /user:CONTOSO\svc P@ss!2024",
    ),
    "csv-connection-string": (
        "csv/servers.csv",
        f'"{FQDN}"',
        "phrase!",
        "Uid=sa;Password=Long pass phrase!;",
    ),
    "clixml-secure-string": (
        "clixml/servers.xml",
        f'<S N="Fqdn">{FQDN}</S>',
        "S3cure!Pw",
        "-Password (ConvertTo-SecureString 'S3cure!Pw' -AsPlainText -Force)",
    ),
    "clixml-aws": (
        "clixml/servers.xml",
        f'<S N="Fqdn">{FQDN}</S>',
        "AKIAIOSFODNN7EXAMPLE",
        "AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    ),
}


@pytest.mark.parametrize("case", sorted(SECRETS))
@pytest.mark.parametrize("dry_run", [False, True], ids=["write", "dry-run"])
def test_a_secret_in_an_export_is_redacted_and_located(
    case: str, dry_run: bool, tmp_path: Path
) -> None:
    source, anchor, secret, text = SECRETS[case]
    original = (EXPORTS / source).read_text(encoding="utf-8")
    assert original.count(anchor) == 1
    export = tmp_path / Path(source).name
    export.write_text(original.replace(anchor, anchor.replace(FQDN, f"{FQDN} {text}")))
    line = original[: original.index(anchor)].count("\n") + 1
    inventory = tmp_path / "inventory"
    args = [
        "import",
        "--inventory",
        str(inventory),
        *(["--dry-run"] if dry_run else []),
        str(export),
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    assert secret not in result.stdout + result.stderr
    written = "".join(p.read_text() for p in inventory.rglob("*.yml")) if not dry_run else ""
    assert secret not in written
    if not dry_run:
        assert f"fqdn: {FQDN} " in written and "[redacted]" in written
    notes = [n for n in result.stderr.splitlines() if "looks like a secret" in n]
    assert len(notes) == 1
    # CSV rows start at the anchor's line; a CLIXML object at its <Obj>, a few lines above.
    located = notes[0].split(f"{export.name}:", 1)[1].split(":", 1)[0]
    assert line - 15 < int(located) <= line, notes[0]
    assert "Fqdn: looks like a secret; written as [redacted]" in notes[0]
