"""Inventory values in runbook commands are quoted for their shell: whatever a name or path
holds, each command of the built-in policies stays one command with the value as one argument."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from mkdocs_exdr.policies import facts
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.policies.model import Step
from mkdocs_exdr.policies.quoting import UnquotableValue, cmd_quote, ps_quote

PROPERTY = settings(max_examples=150, deadline=None, database=None)
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mkdocs-exdr-hypothesis")

PS_SINGLE = "'\u2018\u2019\u201a\u201b"
PS_DOUBLE = '"\u201c\u201d\u201e'
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
CHAR = r"\[char\]0x[0-9A-F]{4}"
EXPRESSION = re.compile(rf"\((?:Q|{CHAR})(?: \+ (?:Q|{CHAR}))*\)")


def _steps() -> list[Step]:
    catalog = load_catalog()
    found: list[Step] = []
    for policy in catalog.roles.values():
        found += [*policy.steps, *policy.verify]
        for scenario in policy.scenarios:
            found += scenario.steps
    for procedure in catalog.procedures.values():
        found += procedure.steps
        if procedure.default_scenario:
            found += procedure.default_scenario.steps
    return [step for step in found if step.command and "{{" in step.command]


STEPS = _steps()


def _context(value: str) -> dict[str, Any]:
    """Every name and path the built-in commands print, set to ``value``."""
    db = {"name": value, "storage_group": value, "edb_path": value, "type": "mailbox"}
    sg = {
        "name": value,
        "log_prefix": "E00",
        "log_path": value,
        "system_path": "S" + value,
        "databases": [db],
    }
    server = {
        "name": value,
        "site": value,
        "edge_sync_site": value,
        "install_path": value,
        "default_install_path": False,
        "windows_2008": True,
        "cluster": {"ip_addresses": [value, value]},
        "storage_groups": [sg],
        "databases": [db],
    }
    named = {"name": value}
    cert = {"pfx_location": value, "services": value}
    return {"server": server, "sg": sg, "db": db, "cert": cert, "edge": named, "hub": named}


def ps_skeleton(command: str) -> str:
    """``command`` as PowerShell tokenizes its quotes: each single-quoted string (and each
    ``('a' + [char]0x000A)`` expression of them) as ``Q``; double-quoted strings as written."""
    out: list[str] = []
    index = 0
    while index < len(command):
        char = command[index]
        if char in PS_SINGLE:
            end = index + 1
            while True:
                assert end < len(command), f"unterminated string in {command!r}"
                if command[end] in PS_SINGLE:
                    if end + 1 < len(command) and command[end + 1] in PS_SINGLE:
                        end += 2
                        continue
                    break
                end += 1
            out.append("Q")
            index = end + 1
        elif char in PS_DOUBLE:
            end = index + 1
            while command[end] not in PS_DOUBLE:
                end += 2 if command[end] == "`" else 1
            out.append(command[index : end + 1])
            index = end + 1
        else:
            out.append(char)
            index += 1
    return EXPRESSION.sub("Q", "".join(out))


def cmd_skeleton(command: str) -> str:
    """``command`` as cmd.exe reads its quotes (``"`` toggles), each quoted part as ``Q``; the
    quoted parts must hold nothing cmd.exe expands and end with an even run of backslashes."""
    parts = command.split('"')
    assert len(parts) % 2 == 1, f"unbalanced quotes in {command!r}"
    for quoted in parts[1::2]:
        assert not re.search("[%!\n\r]", quoted) and not UNPRINTABLE.search(quoted), quoted
        trailing = len(quoted) - len(quoted.rstrip("\\"))
        assert trailing % 2 == 0, quoted
    return "Q".join(parts[0::2])


def _rendered(step: Step, value: str) -> str:
    result = facts.render(step.command, _context(value))
    assert result is not None
    return result


VALUES = st.text(
    alphabet=st.one_of(
        st.sampled_from("'\"\u2018\u2019\u201a\u201b\u201c\u201d`$;|&<>%!^()\\\n\r\t\x00 #{}"),
        st.sampled_from("\u2028\u2029\u202e\u2066\x85\x1b"),
        st.characters(exclude_categories=["Cs"]),
    ),
    max_size=30,
)


def test_every_templated_command_of_the_built_in_policies_is_checked() -> None:
    shells = {step.shell for step in STEPS}
    assert len(STEPS) > 30 and shells == {"powershell", "cmd"}
    for step in STEPS:
        for value in re.findall(r"\{\{(.*?)\}\}", step.command or ""):
            if "log_prefix" not in value and "Target" not in value:
                assert re.search(r"\|\s*(ps|cmd)\s*$", value.strip()), (step.id, value)


@PROPERTY
@given(value=VALUES)
def test_a_value_is_one_argument_of_one_command_whatever_it_holds(value: str) -> None:
    for step in STEPS:
        benign = _rendered(step, "X")
        if step.shell == "powershell":
            command = _rendered(step, value)
            assert ps_skeleton(command) == ps_skeleton(benign), (step.id, command)
            assert not UNPRINTABLE.search(command.replace("\n", "")), (step.id, command)
            assert command.count("\n") == benign.count("\n"), (step.id, command)
        else:
            try:
                command = _rendered(step, value)
            except UnquotableValue:
                assert re.search('["%!]', value) or UNPRINTABLE.search(value), value
                continue
            assert cmd_skeleton(command) == cmd_skeleton(benign), (step.id, command)


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("LON-MBX01", "'LON-MBX01'"),
        ("O'Brien's SG", "'O''Brien''s SG'"),
        ("D\u2019Arcy", "'D\u2019\u2019Arcy'"),
        ('x"; Remove-Mailbox -Identity * #', "'x\"; Remove-Mailbox -Identity * #'"),
        ("$(Stop-Computer)`", "'$(Stop-Computer)`'"),
        ("DB\nformat C: /y", "('DB' + [char]0x000A + 'format C: /y')"),
        ("\u202eexe.txt", "([char]0x202E + 'exe.txt')"),
    ],
)
def test_powershell_quoting(value: str, quoted: str) -> None:
    assert ps_quote(value) == quoted


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("E:\\SG1\\Mailbox Database.edb", '"E:\\SG1\\Mailbox Database.edb"'),
        ("D:\\Exchange\\", '"D:\\Exchange\\\\"'),
        ("D:\\A&B (old) | <new> ^", '"D:\\A&B (old) | <new> ^"'),
    ],
)
def test_cmd_quoting(value: str, quoted: str) -> None:
    assert cmd_quote(value) == quoted


@pytest.mark.parametrize(
    "value", ['D:\\Ex"\nformat C: /y', "D:\\%PATH%", "D:\\!x!", "D:\\Ex\r", "D:\\\u202eEx"]
)
def test_cmd_refuses_what_it_cannot_quote(value: str) -> None:
    with pytest.raises(UnquotableValue, match=r"cannot be one argument of a cmd\.exe command"):
        cmd_quote(value)


def test_a_value_cmd_cannot_quote_is_a_template_error_of_its_step() -> None:
    step = next(s for s in STEPS if "/TargetDir:" in (s.command or "") and s.shell == "cmd")
    with pytest.raises(jinja2.TemplateError, match="'%'"):
        _rendered(step, "C:\\100%\\Exchange")
