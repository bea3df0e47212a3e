"""Secrets in the inventory: every kind the issue names is found, redacted in the model, and
reaches no page, no plan.json, no search index and no message (issue 13, "Secrets")."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.load.secrets import redact_secrets
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import SOUND_SERVER, make_project, mkdocs

AS_OF = dt.date(2026, 11, 20)
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

#: Text written in a server's notes, and what of it must appear in no output.
IN_NOTES = {
    "api-key": ("SMTP relay api_key: sk_live_AbC123xyz", ["sk_live_AbC123xyz"]),
    "api-key-equals": ("apiKey=QmFzZTY0U2VjcmV0", ["QmFzZTY0U2VjcmV0"]),
    "token": ("monitoring token: ghp_Q1w2E3r4T5y6", ["ghp_Q1w2E3r4T5y6"]),
    "secret": ("client secret: Sup3rS3cret", ["Sup3rS3cret"]),
    "aws-secret-key": (f"aws_secret_access_key = {AWS_SECRET}", [AWS_SECRET]),
    "aws-key-pair": (
        f"S3 offload as AKIAIOSFODNN7EXAMPLE with key {AWS_SECRET}",
        ["AKIAIOSFODNN7EXAMPLE", AWS_SECRET],
    ),
    "url-credentials": (
        "copy to https://svcxfer:Hunter2x@files.contoso.com/share",
        ["Hunter2x", "svcxfer"],
    ),
    "json-password": ('agent config {"password": "Corr3ct Horse"}', ["Corr3ct", "Horse"]),
    "the-password-is": ("the password is Tr0ub4dor for the DSRM account", ["Tr0ub4dor"]),
    "password-for-is": ("password for svc-backup was Pa55-Old", ["Pa55-Old"]),
    "password-colon": ("admin password: Pa55w0rd-X", ["Pa55w0rd-X"]),
    "pw-colon": ("vpn pw: Xy7kq-Lm", ["Xy7kq-Lm"]),
    "passwd-word": ("root passwd Hunt3r-22 on the ILO", ["Hunt3r-22"]),
    "pwd-equals": ("connect with pwd=Gr33n.Tea", ["Gr33n.Tea"]),
    "net-use-after-user": (
        r"net use \\fs01\backup /user:CONTOSO\svc-bk P@ss!2024",
        ["P@ss!2024"],
    ),
    "net-use-before-user": (
        r"net use Z: \\fs01\backup Qw3rty#9 /user:CONTOSO\svc-bk /persistent:yes",
        ["Qw3rty#9"],
    ),
    "powershell-password": (
        "New-Mailbox -Password (ConvertTo-SecureString 'S3cure!Pw' -AsPlainText -Force)",
        ["S3cure!Pw"],
    ),
    "secure-string": (
        '$p = ConvertTo-SecureString -String "Blue.Sky9" -AsPlainText -Force',
        ["Blue.Sky9"],
    ),
    "connection-string": (
        "Server=sql01;Database=Ex;User Id=sa;Password=Long pass phrase!;",
        ["Long pass", "phrase!"],
    ),
    "connection-string-pwd": ("Data Source=db;Uid=exdr;Pwd=Sh0rt-9;", ["Sh0rt-9"]),
}


def with_notes(text: str) -> str:
    return SOUND_SERVER + f"    notes: {json.dumps(text)}\n"


def planned_pages(tmp_path: Path, text: str, case: str) -> list[str]:
    """The pages (plan.json among them) and the model of a server whose notes hold ``text``,
    after checking that ``text`` is an EXDR018 finding."""
    project = make_project(tmp_path, inventory=with_notes(text))
    plan = build_plan(project / "inventory", None, AS_OF)
    assert any(f.code == "EXDR018" for f in plan.findings), case
    pages = render_pages(plan).pages
    assert "plan.json" in pages
    return [*pages.values(), repr(plan.inventory)]


@pytest.mark.parametrize("case", sorted(IN_NOTES))
def test_a_secret_in_notes_is_redacted_from_pages_and_plan_json(case: str, tmp_path: Path) -> None:
    text, secrets = IN_NOTES[case]
    outputs = planned_pages(tmp_path, text, case)
    for secret in secrets:
        for output in outputs:
            assert secret not in output


@pytest.mark.parametrize("case", sorted(IN_NOTES))
def test_a_secret_in_notes_is_not_printed_by_check_or_plan(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text, secrets = IN_NOTES[case]
    monkeypatch.chdir(make_project(tmp_path, inventory=with_notes(text)))
    for command in (["check"], ["check", "--format", "json"], ["plan", "--format", "json"]):
        result = CliRunner().invoke(main, command)
        assert "EXDR018" in result.output or "looks like a secret" in result.output
        for secret in secrets:
            assert secret not in result.output + result.stderr


#: Unknown keys whose names or values are secrets.
UNKNOWN_KEYS = {
    "aws-key-name": (f"aws_secret_access_key: {AWS_SECRET}", AWS_SECRET),
    "secret-key-name": ("secret_key: Zz9Secret", "Zz9Secret"),
}


@pytest.mark.parametrize("case", sorted(UNKNOWN_KEYS))
def test_a_secret_under_a_secret_key_is_dropped_and_reported(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    line, secret = UNKNOWN_KEYS[case]
    monkeypatch.chdir(make_project(tmp_path, inventory=SOUND_SERVER + f"    {line}\n"))
    result = CliRunner().invoke(main, ["check", "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "EXDR018" in result.output and secret not in result.output + result.stderr


@pytest.mark.parametrize(
    "key",
    ["password_hunter2", "token=hunter2", "hunter2_password", "'password: hunter2'", "password"],
)
def test_an_unknown_key_named_like_a_secret_is_not_echoed(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = SOUND_SERVER + f"    {key}: {{note: hunter2}}\n"
    monkeypatch.chdir(make_project(tmp_path, inventory=inventory))
    outputs = []
    for command in (["check"], ["check", "--format", "json"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        outputs.append(result.output + result.stderr)
        assert "hunter2" not in outputs[-1]
    assert (
        "inventory/servers.yml:21:5: servers[0].[redacted]: unknown key whose name looks like a "
        "secret (not shown)" in outputs[0]
    )


@pytest.mark.parametrize(
    "text",
    [
        "The password is in Keeper under 'Exchange DSRM'.",
        "PFX export password for mail.fabrikam.com",
        "Serves https://mail.fabrikam.de/owa for Fabrikam GmbH",
        "Token Ring was replaced in 2004.",
        "The secret is kept in the password manager.",
        "Contoso's SMTP relay accepts anonymous mail from 10.0.0.0/8.",
        "Follow the password policy of the domain.",
        "Reset the DSRM password with ntdsutil before the restore.",
        "Password policy: 14 characters, changed every 90 days.",
        r"net use Z: \\fs01\backup /persistent:yes",
        "Set-Mailbox -PasswordNeverExpires",
        "Run passwd to change it; the passwd file is not used.",
        "Import-ExchangeCertificate -Password (Get-Credential).Password",
        "New-Mailbox -Password $credential.Password",
    ],
)
def test_ordinary_text_about_secrets_is_kept(text: str) -> None:
    assert redact_secrets(text) is None


def test_a_built_site_and_its_search_index_hold_no_secret(tmp_path: Path) -> None:
    notes = " | ".join(text for text, _ in IN_NOTES.values())
    project = make_project(tmp_path, inventory=with_notes(notes))
    result = mkdocs(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    assert (site / "search" / "search_index.json").is_file()
    texts = [p.read_text(errors="replace") for p in site.rglob("*") if p.is_file()]
    assert any("[redacted]" in text for text in texts)
    for _, secrets in IN_NOTES.values():
        for secret in secrets:
            assert not [t for t in texts if secret in t], secret
    for secret in secrets:
        assert secret not in result.stderr
