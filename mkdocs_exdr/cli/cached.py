"""``check`` and ``diff`` answered from the cache folder when nothing they read has changed."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from mkdocs_exdr.cache.pages import prepare
from mkdocs_exdr.cache.results import ResultCache, inputs_key
from mkdocs_exdr.cli.config import find_config
from mkdocs_exdr.plugin.config import ExdrConfig


def cache_folder(config: ExdrConfig, config_file: str | None, inventory: str | None) -> Path:
    """``cache_dir`` beside mkdocs.yml; with an INVENTORY argument or no mkdocs.yml, beside the
    inventory folder (never inside it)."""
    found = find_config(config_file)
    base = found.resolve().parent if found and inventory is None else None
    if base is None:
        base = Path(config.inventory).resolve().parent
    return base / config.cache_dir / "results"


def cached_check(
    config: ExdrConfig,
    folder: Path,
    settings: dict[str, object],
    compute: Callable[[], tuple[str, int]],
) -> tuple[str, int]:
    """The output and exit code of ``compute``, stored under the hash of its inputs: the
    inventory and policy files, the package, and ``settings`` (dates, flags, format)."""
    inputs = [Path(config.inventory), Path(config.policies)]
    return cached_output(inputs, folder, {**settings, "options": config}, compute)


def cached_output(
    inputs: Sequence[Path | None],
    folder: Path,
    settings: dict[str, object],
    compute: Callable[[], tuple[str, int]],
) -> tuple[str, int]:
    """The output and exit code of ``compute``, stored under the hash of the files under the
    folders ``inputs``, the package, and ``settings`` (everything else the output shows)."""
    key = inputs_key(inputs, **settings)
    store = ResultCache(folder)
    found = store.get(key)
    if (
        isinstance(found, list)
        and len(found) == 2
        and isinstance(found[0], str)
        and isinstance(found[1], int)
    ):
        return found[0], found[1]
    output, code = compute()
    prepare(folder.parent)
    store.put(key, [output, code])
    return output, code
