"""Names defined more than once: the first wins and every later one is reported against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.common.repeats import split_repeats
from mkdocs_exdr.load.documents import load_folder
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.validate.inventory import read_inventory
from tests.conftest import write


def test_split_repeats_keeps_the_first_and_pairs_each_repeat_with_it() -> None:
    firsts, repeats = split_repeats(["a1", "b1", "A2", "a3"], key=lambda s: s[0].casefold())
    assert firsts == {"a": "a1", "b": "b1"}
    assert repeats == [("a1", "A2"), ("a1", "a3")]


def test_load_folder_names_files_under_the_shown_folder(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "inv",
        {
            "b.yml": "x: 1\n---\ny: 2\n",
            "a/c.yaml": "z: 3\n",
            ".hidden.yml": "h: 0\n",
            "bad.yml": "x: [\n",
        },
    )
    loaded = load_folder(folder, "inventory")
    assert loaded.files == ["inventory/b.yml", "inventory/bad.yml", "inventory/a/c.yaml"]
    assert [d.data for d in loaded.documents] == [{"x": 1}, {"y": 2}, {"z": 3}]
    assert [d.file for d in loaded.documents] == ["inventory/b.yml"] * 2 + ["inventory/a/c.yaml"]
    assert [p.where.file for p in loaded.problems] == ["inventory/bad.yml"]


THREE_TIMES = """
organization: {name: Contoso}
sites: [{name: Seattle}]
servers:
  - name: EX01
    roles: [mailbox]
    site: Seattle
    storage_groups:
      - name: SG1
        databases: [{name: DB}, {name: db}, {name: Db}]
      - name: sg1
      - name: Sg1
  - name: ex01
    roles: [mailbox]
  - name: EX01
    roles: [mailbox]
"""


def test_a_name_three_times_is_reported_twice_against_the_first(tmp_path: Path) -> None:
    folder = write(tmp_path / "inventory", {"all.yml": THREE_TIMES})
    with pytest.raises(InvalidInput) as raised:
        read_inventory(folder, load_catalog(), "inventory")
    assert [str(p) for p in raised.value.problems] == [
        "inventory/all.yml:9:33: databases: database 'db' appears twice in SG1; "
        "first at inventory/all.yml:9:21",
        "inventory/all.yml:9:45: databases: database 'Db' appears twice in SG1; "
        "first at inventory/all.yml:9:21",
        "inventory/all.yml:10:9: storage_groups: storage group 'sg1' appears twice on EX01; "
        "first at inventory/all.yml:8:9",
        "inventory/all.yml:11:9: storage_groups: storage group 'Sg1' appears twice on EX01; "
        "first at inventory/all.yml:8:9",
        "inventory/all.yml:12:5: servers: server 'ex01' defined twice; "
        "first at inventory/all.yml:4:5",
        "inventory/all.yml:14:5: servers: server 'EX01' defined twice; "
        "first at inventory/all.yml:4:5",
    ]
