"""The pipeline in one call: load policies and inventory, validate, plan. No MkDocs here."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from mkdocs_exdr.common.collection import collection_paused
from mkdocs_exdr.plan.engine import plan_organization
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.policies.facts import TemplateMemo
from mkdocs_exdr.validate.inventory import read_inventory


def resolve_as_of(
    flag: dt.date | str | None = None, option: dt.date | str | None = None
) -> dt.date:
    """The one date everything time-dependent is computed against.

    ``--as-of``, else the plugin's ``as_of`` option, else ``SOURCE_DATE_EPOCH``, else today.
    """
    for value in (flag, option):
        if isinstance(value, dt.date):
            return value
        if value:
            return dt.date.fromisoformat(str(value))
    return epoch_date() or dt.date.today()


def epoch_date() -> dt.date | None:
    """The date of ``SOURCE_DATE_EPOCH`` (reproducible builds), if set; ``ValueError`` if bad."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not a count of seconds") from None


def resolve_fail_on(flag: str | None, option: str | None, plan: Plan) -> str:
    """``fail_on``: the flag, else the plugin's option, else the organisation's, else warning."""
    settings = plan.inventory.organization.settings
    return flag or option or (settings.fail_on if settings else None) or "warning"


def build_plan(
    inventory: Path,
    policies: Path | None,
    as_of: dt.date,
    *,
    shown_inventory: str | None = None,
    shown_policies: str | None = None,
    memo: TemplateMemo | None = None,
) -> Plan:
    """Load and plan; raise ``InvalidInput`` with every problem of both folders. ``memo`` keeps
    policy texts from one plan to the next in a process that plans again (``mkdocs serve``)."""
    with collection_paused():
        catalog = load_catalog(policies, shown_policies)
        loaded = read_inventory(inventory, catalog, shown_inventory)
        return plan_organization(loaded.inventory, catalog, as_of, loaded.secrets, memo)
