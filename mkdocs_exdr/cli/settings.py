"""The exdr plugin's settings as the command-line tool reads them from ``mkdocs.yml``.

The CLI does not start MkDocs (which would load every plugin and theme); it reads the ``exdr``
entry of ``plugins`` and resolves its folders relative to ``mkdocs.yml``, as the plugin does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.load.documents import decode


class _Tolerant(yaml.SafeLoader):
    """Reads mkdocs.yml safely; tags such as ``!!python/name:`` and ``!ENV`` become null."""


_Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class ProjectSettings:
    """Folders and options of one DR wiki project."""

    inventory: Path
    policies: Path
    fail_on: str | None = None
    as_of: str | None = None
    path: str = "dr"
    templates: Path | None = None
    config_file: Path | None = None
    print_limit: int = 500


def read_settings(config_file: Path | None) -> ProjectSettings:
    """Settings from ``config_file`` (``mkdocs.yml``), or the defaults beside the current folder."""
    if config_file is None:
        return ProjectSettings(Path("inventory"), Path("policies"))
    shown = str(config_file)
    try:
        data = yaml.load(decode(config_file.read_bytes()), Loader=_Tolerant)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise InvalidInput([Problem(Location(shown), "", f"cannot read: {error}")]) from None
    options: dict[str, Any] = {}
    for entry in (data or {}).get("plugins") or []:
        if entry == "exdr":
            options = {}
        elif isinstance(entry, dict) and "exdr" in entry:
            options = entry["exdr"] or {}
    if isinstance((data or {}).get("plugins"), dict):
        options = data["plugins"].get("exdr") or {}
    base = config_file.parent
    templates = options.get("templates")
    as_of = options.get("as_of")
    return ProjectSettings(
        inventory=base / str(options.get("inventory", "inventory")),
        policies=base / str(options.get("policies", "policies")),
        fail_on=options.get("fail_on"),
        as_of=str(as_of) if as_of else None,
        path=str(options.get("path", "dr")),
        templates=base / str(templates) if templates else None,
        config_file=config_file,
        print_limit=int(options.get("print_limit", 500)),
    )
