"""A short fingerprint of the plan's inputs, to match a wiki page, a USB copy and a printout to
one approved plan.

It is the first 12 hex digits of the SHA-256 of the normalised inventory and policies: the
validated model as canonical JSON (sorted keys, no positions), with durations in seconds,
servers and sites sorted by name, and the review records left out (recording a review must not
change what was reviewed). Formatting, comments, key order and which file holds what do not
change it; any change of meaning does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from mkdocs_exdr.common.durations import Duration
from mkdocs_exdr.inventory.model import Inventory
from mkdocs_exdr.policies.catalog import Catalog

LENGTH = 12


def _normal(value: Any) -> Any:
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is list or kind is tuple:
        return [_normal(v) for v in value]
    if kind is Duration:
        return value.seconds
    if kind is dt.date:
        return value.isoformat()
    if kind is dict:
        return {str(k): _normal(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {k: _normal(v) for k, v in vars(value).items() if k != "where"}
    return str(value)


def plan_fingerprint(inventory: Inventory, catalog: Catalog) -> str:
    """The fingerprint of this inventory under these policies."""
    data = {
        "organization": _normal(inventory.organization),
        "sites": sorted((_normal(s) for s in inventory.sites), key=lambda s: s["name"].casefold()),
        "servers": sorted(
            (_normal(s) for s in inventory.servers), key=lambda s: s["name"].casefold()
        ),
        "roles": {key: _normal(p) for key, p in sorted(catalog.roles.items())},
        "procedures": {key: _normal(p) for key, p in sorted(catalog.procedures.items())},
    }
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:LENGTH]
