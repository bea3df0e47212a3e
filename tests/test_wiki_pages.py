"""What people look for on the pages: restore tests, backup jobs and where copies are kept on the
server page; findings whose source is a practice rule; counts in words; local notes that fit
under the page's own heading; a matrix that reads without colour."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mkdocs_exdr.render.notes import local_notes
from tests.conftest import SOUND_SERVER, html, make_project, mkdocs

TESTED = SOUND_SERVER.replace(
    "      - {date: 2026-11-01, scope: First Storage Group, result: passed, by: Ops}",
    "      - {date: 2026-11-01, scope: First Storage Group, result: passed, by: Ops}\n"
    "      - {date: 2026-01-05, scope: First Storage Group, result: failed, by: Old Ops,"
    " ticket: CHG-1}\n"
    "      - {date: 2026-03-02, scope: Second Storage Group, result: partial, by: Night shift}",
).replace(
    "    restore_tests:",
    "    certificates:\n"
    "      - {subject: mail.contoso.com, expires: 2027-03-01, pfx_location: '\\\\\\\\bk\\\\mail.pfx',"
    " kept_in: [Seattle, offsite]}\n"
    "    restore_tests:",
)


def rows(page: str, heading: str) -> list[list[str]]:
    """The body rows of the first table after ``heading``, cell texts without tags."""
    section = page[page.index(heading) :]
    table = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    notes = "---\ntitle: mine\n---\n# Rack\n\nThe key is in the safe.\n\nSpare disks\n===\n"
    project = make_project(
        tmp_path_factory.mktemp("wiki"),
        inventory=TESTED,
        docs={"docs/dr/servers/ex01.md": notes},
    )
    result = mkdocs(project)
    assert result.returncode == 0, result.stderr
    return project


def test_the_server_page_lists_restore_tests_newest_first_with_their_age(built: Path) -> None:
    page = html(built, "dr/servers/ex01/index.html")
    assert "at most 13w (91 days) old" in page
    assert rows(page, 'id="restore-tests"') == [
        ["2026-11-01", "First Storage Group", "✓ passed", "Ops", "", "19 days"],
        [
            "2026-03-02",
            "Second Storage Group",
            "! partial",
            "Night shift",
            "",
            "263 days: older than the limit",
        ],
        [
            "2026-01-05",
            "First Storage Group",
            "✗ failed",
            "Old Ops",
            "CHG-1",
            "319 days (a newer test counts)",
        ],
    ]


def test_the_server_page_lists_backup_jobs_with_retention_and_where_copies_are_kept(
    built: Path,
) -> None:
    page = html(built, "dr/servers/ex01/index.html")
    [job] = rows(page, 'id="backup-jobs"')
    assert job[0] == "NIGHTLY" and job[2] == "daily" and job[4] == "offsite" and job[5] == "4w"
    assert job[3].startswith("Storage groups") and "System State" in job[3]
    [certificate] = rows(page, 'id="certificates-to-re-import"')
    assert certificate[0] == "mail.contoso.com" and certificate[3] == "Seattle, offsite"


def test_a_job_kept_in_the_servers_own_site_says_so_and_its_finding_names_its_source(
    tmp_path: Path,
) -> None:
    project = make_project(tmp_path, inventory=SOUND_SERVER.replace("offsite", "Seattle"))
    assert mkdocs(project).returncode == 0
    [job] = rows(html(project, "dr/servers/ex01/index.html"), 'id="backup-jobs"')
    assert job[4] == "Seattle (this server's own site)"
    # EXDR007 is a practice rule: its source is named, not a link back to the findings page.
    for path in ("dr/findings/index.html", "dr/servers/ex01/index.html"):
        page = html(project, path)
        row = next(r for r in re.findall(r"<tr>(.*?)</tr>", page, re.S) if "EXDR007" in r)
        assert "mkdocs-exdr practice rule (README.md, section Findings), no outside source" in row
        assert "source</a>" not in row


def test_at_a_glance_has_a_header_in_words(built: Path) -> None:
    page = html(built, "dr/servers/ex01/index.html")
    glance = page[page.index('id="at-a-glance"') :]
    head = glance[glance.index("<thead>") : glance.index("</thead>")]
    assert re.findall(r"<th>(.*?)</th>", head) == ["Fact", "Value"]


def test_counts_are_in_words_with_the_right_plural(built: Path) -> None:
    page = html(built, "dr/index.html")
    assert "1 active server in 1 site." in page
    assert "from 2 inventory files" in page


def test_local_notes_keep_one_h1_and_lose_their_front_matter(built: Path) -> None:
    page = html(built, "dr/servers/ex01/index.html")
    article = page[page.index("<article") : page.index("</article>")]
    assert len(re.findall(r"<h1[ >]", article)) == 1
    notes = article[article.index('id="local-notes"') :]
    assert re.search(r"<h3[^>]*>Rack", notes) and re.search(r"<h3[^>]*>Spare disks", notes)
    assert "title: mine" not in article


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("# A\n## B\n###### C", "### A\n#### B\n###### C"),
        ("#Tight", "###Tight"),
        ("```\n# code\n```\n# After", "```\n# code\n```\n### After"),
        ("~~~~\n```\n# code\n~~~~\n# After", "~~~~\n```\n# code\n~~~~\n### After"),
        ("Title\n=====\nSub\n---", "### Title\n#### Sub"),
        ("- item\n---", "- item\n---"),
        ("\n---\n", "\n---"),
        ("---\ntitle: x\n---\nText", "Text"),
        ("    # indented code", "    # indented code"),
    ],
)
def test_local_notes_move_headings_down_two_levels(notes: str, expected: str) -> None:
    assert local_notes(notes) == expected


def test_the_matrix_shows_missing_and_accepted_gaps_by_symbol_and_word(tmp_path: Path) -> None:
    """Without a storage-groups job the required item is missing; with an acceptance of its
    EXDR001 finding, accepted. Each cell has its class (its colour) and its words."""
    inventory = SOUND_SERVER.replace(
        "covers: [storage-groups, system-state]", "covers: [system-state]"
    )
    two = inventory + inventory.split("servers:\n", 1)[1].replace("EX01", "EX02").replace(
        "    restore_tests:",
        "    accept:\n"
        "      - {code: EXDR001, subject: EX02/storage-groups, reason: Rebuilt from AD,"
        " owner: IT manager, expires: 2027-01-31}\n"
        "    restore_tests:",
    )
    project = make_project(tmp_path, inventory=two)
    assert mkdocs(project).returncode == 0
    page = html(project, "dr/backup-matrix/index.html")
    cells = dict(
        re.findall(
            r'<tr data-site="Seattle"[^>]*><th scope="row"><a [^>]*>(EX0\d)</a>(.*?)</tr>', page
        )
    )
    assert cells.keys() == {"EX01", "EX02"}
    assert (
        '<td class="exdr-missing">✗ missing<small class="exdr-level-required">required</small></td>'
        in cells["EX01"]
    )
    assert (
        '<td class="exdr-accepted">! accepted<small class="exdr-level-required">required</small></td>'
        in cells["EX02"]
    )
    assert "exdr-missing" not in cells["EX02"]
