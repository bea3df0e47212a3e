"""Snapshots of the example organisation: plan.json and one page of each page type.

A change to policies, templates or the engine shows up here as a reviewable diff. Read it, then
accept it with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from syrupy.assertion import SnapshotAssertion

from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.render.pages import PageSet, render_pages
from tests.conftest import EXAMPLE_INVENTORY

PAGES = [
    "index.md",
    "findings.md",
    "backup-matrix.md",
    "recovery-order.md",
    "sites/index.md",
    "sites/london.md",
    "roles/index.md",
    "roles/mailbox.md",
    "servers/lon-mbx03.md",  # a mailbox server whose backup agent is installed software
    "servers/lon-mbx02.md",  # the public folder server
    "servers/lon-cms01.md",  # the CCR clustered mailbox server
    "servers/dmz-edge01.md",  # an Edge server with a certificate
    "servers/man-ex01.md",  # mailbox, hub and client access on one server
    "servers/lon-mbx01.md",  # decommissioned
    "print/site-london.md",
    "plan.json",
]


@pytest.fixture(scope="module")
def pages() -> PageSet:
    plan = build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20), shown_inventory="inventory")
    return render_pages(plan)


@pytest.mark.parametrize("path", PAGES)
def test_example_page(pages: PageSet, path: str, snapshot: SnapshotAssertion) -> None:
    assert pages.pages[path] == snapshot
