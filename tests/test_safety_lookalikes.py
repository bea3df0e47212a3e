"""Names that look like other names are refused (one script per name; no two names of a kind
alike), and a name cannot mention or link anyone from the diff's Markdown report (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.validate.lookalikes import scripts_of, skeleton, words
from tests.conftest import MINIMAL_ORG, SOUND_SERVER, make_project, write

CYRILLIC_O = "L\u043endon"  # "London" with U+043E CYRILLIC SMALL LETTER O
ORG = MINIMAL_ORG.replace("  - name: Seattle", "  - name: Seattle\n  - name: London")


def check(project: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "-f", str(project / "mkdocs.yml")])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout + result.stderr


def project_with(tmp_path: Path, org: str, servers: str = SOUND_SERVER) -> Path:
    project = make_project(tmp_path, inventory=servers)
    write(project, {"inventory/org.yml": org})
    return project


def test_a_lookalike_site_cannot_hide_that_every_backup_is_in_one_site(tmp_path: Path) -> None:
    """The attack: a London server's only backup kept "in" a second site that reads London."""
    org = ORG + f"  - name: {json.dumps(CYRILLIC_O)}\n"
    servers = SOUND_SERVER.replace("site: Seattle", "site: London").replace(
        "location: offsite", f"location: {json.dumps(CYRILLIC_O)}"
    )
    code, output = check(project_with(tmp_path, org, servers))
    assert code == 2, output
    where = f"{tmp_path.as_posix()}/inventory/org.yml:12:5: sites:"
    assert (
        f"{where} site name {CYRILLIC_O!r} mixes Latin and Cyrillic letters in a word "
        "(U+043E CYRILLIC SMALL LETTER O)" in output
    )
    assert f"{where} site name {CYRILLIC_O!r} looks like site 'London' (at " in output
    assert "Traceback" not in output
    # Without the lookalike the same inventory is sound, and the finding is back.
    sound = servers.replace(json.dumps(CYRILLIC_O), "London")
    code, output = check(project_with(tmp_path / "sound", ORG, sound))
    assert code == 1 and "EXDR007 EX01" in output, output


GROUP = ("- name: First Storage Group", "First Storage Gr\u03bfup")
DATABASE = ("{name: Mailbox Database,", "Mailb\u043ex Database")


@pytest.mark.parametrize(
    ("old", "name", "message"),
    [
        (
            *GROUP,
            "storage_groups: storage group name {!r} mixes Latin and Greek letters in a word "
            "(U+03BF GREEK SMALL LETTER OMICRON)",
        ),
        (
            *DATABASE,
            "databases: database name {!r} mixes Latin and Cyrillic letters in a word "
            "(U+043E CYRILLIC SMALL LETTER O)",
        ),
    ],
)
def test_storage_group_and_database_names_are_one_script(
    tmp_path: Path, old: str, name: str, message: str
) -> None:
    new = old.replace(old.split("name: ")[1].rstrip(","), json.dumps(name, ensure_ascii=False))
    servers = SOUND_SERVER.replace(old, new)
    assert name in servers
    code, output = check(project_with(tmp_path, MINIMAL_ORG, servers))
    assert code == 2, output
    assert "/inventory/servers.yml:" in output and message.format(name) in output


def test_a_site_that_looks_like_another_is_refused(tmp_path: Path) -> None:
    other = "\u0405\u0435\u0430ttl\u0435"  # Ѕеаttlе: four Cyrillic letters among Latin ones
    org = MINIMAL_ORG + f"  - name: {json.dumps(other)}\n"
    code, output = check(project_with(tmp_path, org))
    assert code == 2, output
    assert f"org.yml:11:5: sites: site name {other!r} looks like site 'Seattle' (at " in output
    assert (
        "mixes Latin and Cyrillic letters in a word (U+0405 CYRILLIC CAPITAL LETTER DZE)" in output
    )


@pytest.mark.parametrize(
    ("latin", "other", "codes"),
    [
        ("ABC", "\u0410\u0412\u0421", "U+0410, U+0412, U+0421"),  # АВС, all Cyrillic
        ("TOKYO", "\u03a4\u039f\u039a\u03a5\u039f", "U+039A, U+039F, U+03A4, U+03A5"),  # Greek
    ],
)
def test_names_wholly_in_another_script_that_look_latin_are_refused(
    tmp_path: Path, latin: str, other: str, codes: str
) -> None:
    org = MINIMAL_ORG + f"  - name: {latin}\n  - name: {json.dumps(other)}\n"
    code, output = check(project_with(tmp_path, org))
    assert code == 2, output
    assert "mixes" not in output
    assert f"org.yml:12:5: sites: site name {other!r} looks like site {latin!r} (at " in output
    assert f"({codes})" in output


def test_names_in_one_other_script_or_with_accents_are_fine(tmp_path: Path) -> None:
    org = MINIMAL_ORG + "".join(
        f"  - name: {name}\n"
        for name in ("Αθήνα", "Москва", "Zürich", "東京", "Ωμέγα-2", "ÉCOLE", "DC2 Москва")
    )
    code, output = check(project_with(tmp_path, org))
    assert code == 0, output


def test_rule() -> None:
    assert scripts_of(CYRILLIC_O) == ["LATIN", "CYRILLIC"]
    assert words("SG1 Москва-L\u043endon_x") == ["SG", "Москва", CYRILLIC_O, "x"]
    assert scripts_of("Αθήνα") == ["GREEK"] and scripts_of("東京-1") == []
    assert skeleton(CYRILLIC_O) == skeleton("LONDON") == "london"
    assert skeleton("\u039c\u03a7") == skeleton("MX")  # Greek capitals Mu, Chi
    assert skeleton("Zürich") != skeleton("Zurich")


HOSTILE_SITE = "@everyone see https://evil.example/x, www.evil.example and #12, mail a@b.example"
EX02 = (
    "  - {name: EX02, site: SITE, roles: [hub-transport], fqdn: ex02.corp.contoso.com, "
    "os: Windows Server 2003 R2 x64 SP2, exchange_version: Version 8.3 (Build 83.6), "
    "media: {windows: w, exchange: e, update_rollup: u}}\n"
)


def test_the_markdown_diff_mentions_and_links_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = make_project(tmp_path / "base")
    head_org = MINIMAL_ORG + f"  - name: {json.dumps(HOSTILE_SITE)}\n"
    head_servers = SOUND_SERVER + EX02.replace("SITE", json.dumps(HOSTILE_SITE))
    write(tmp_path / "head", {"inventory/org.yml": head_org, "inventory/servers.yml": head_servers})
    monkeypatch.chdir(base)
    args = ["diff", "inventory", str(tmp_path / "head" / "inventory"), "--format", "markdown"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    report = result.stdout
    line = next(line for line in report.splitlines() if line.startswith("- EX02"))
    assert line == (
        "- EX02 (hub-transport) in &#64;everyone see https&#58;//evil.example/x, "
        "www&#46;evil.example and &#35;12, mail a&#64;b.example"
    )
    for live in ("@", "://", "www.", "#12"):
        assert live not in report
    text = CliRunner().invoke(main, args[:-2]).stdout
    assert f"EX02 (hub-transport) in {HOSTILE_SITE}" in text  # the terminal shows it as written
