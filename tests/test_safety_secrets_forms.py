"""Secret forms found by the attacker review of issue 13: tokens known by their form (Slack,
GitHub, JWT, Azure, Google), HTTP Basic credentials and short password words (``pass:``, ``PW``,
psexec's ``-p``) are EXDR018 and reach no page and no plan.json; the package's own policies and
the example inventory raise none."""

from __future__ import annotations

import base64
import datetime as dt
import json
from pathlib import Path

import pytest

from mkdocs_exdr.load.secrets import redact_secrets
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.render.pages import render_pages
from tests.test_safety_secrets import planned_pages

AS_OF = dt.date(2026, 11, 20)
REPO = Path(__file__).resolve().parent.parent


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


JWT_PAYLOAD = _b64({"sub": "svc-exdr", "iat": 1700000000})
JWT = f"{_b64({'alg': 'HS256', 'typ': 'JWT'})}.{JWT_PAYLOAD}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV"
AZURE_KEY = "Q1w2E3r4" * 11  # 88 characters
BASIC = base64.b64encode(b"admin:Hunter2Sekrit").decode()

#: Text written in a server's notes, and what of it must appear in no output.
FORMS = {
    "basic-header": (f"relay sends Authorization: Basic {BASIC}", [BASIC]),
    "basic-bare": (f"curl header Basic {BASIC} for the relay", [BASIC]),
    "slack": (
        "alerts go to xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
        ["xoxb-123456789012", "AbCdEfGhIjKlMnOpQrStUvWx"],
    ),
    "github": (
        "scripts mirror ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij",
        ["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"],
    ),
    "jwt": (f"the monitor sends {JWT} to the API", [JWT_PAYLOAD, "SflKxwRJSMeKKF2QT4fw"]),
    "azure": (
        f"DefaultEndpointsProtocol=https;AccountName=exdrbk;AccountKey={AZURE_KEY};"
        "EndpointSuffix=core.windows.net",
        [AZURE_KEY[:40]],
    ),
    "pass-colon": ("svc-backup pass: Hunter2Sekrit", ["Hunter2Sekrit"]),
    "pass-quoted": ("vpn pass: 'Hunter2 Sekrit' (rotated)", ["Hunter2", "Sekrit"]),
    "psexec": (
        r"psexec \\mbx01 -u admin -p Hunter2Sekrit cmd /c ntbackup",
        ["Hunter2Sekrit"],
    ),
    "pw-word": ("ILO login PW Hunter2Sekrit", ["Hunter2Sekrit"]),
    "google": (
        "geocoding key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW",
        ["SyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"],
    ),
}


@pytest.mark.parametrize("case", sorted(FORMS))
def test_a_secret_form_in_notes_is_exdr018_and_absent_from_pages(case: str, tmp_path: Path) -> None:
    text, secrets = FORMS[case]
    outputs = planned_pages(tmp_path, text, case)
    assert any("[redacted]" in output for output in outputs[:-1])
    for secret in secrets:
        for output in outputs:
            assert secret not in output


@pytest.mark.parametrize(
    "text",
    [
        "Basic authentication is enabled on the OWA virtual directory.",
        "Set-OwaVirtualDirectory -BasicAuthentication $true",
        "Authorization is granted by the Exchange Organization Administrators group.",
        "Second pass: run eseutil /g on every database.",
        "Passive copy of SG1 on MBX02; bypass the CCR witness during the move.",
        "PW reset is handled by the service desk.",
        "Run psexec \\\\mbx01 -s cmd /c ntbackup to start the job remotely.",
        "Server APEXMAIL01 holds SG1, SG2 and the public folder database.",
        "JSON web tokens are not used by Exchange 2007.",
    ],
)
def test_ordinary_exchange_text_is_kept(text: str) -> None:
    assert redact_secrets(text) is None


def test_the_builtin_policies_and_the_example_raise_no_exdr018() -> None:
    # The example's strict build is tests/test_plugin.py::test_example_wiki_builds_strict.
    plan = build_plan(REPO / "inventory", None, AS_OF)
    assert len(plan.servers) > 5
    assert not [f for f in plan.findings if f.code == "EXDR018"]
    assert "[redacted]" not in json.dumps(render_pages(plan).pages)
