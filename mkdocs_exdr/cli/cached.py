"""``check`` and ``diff`` answered from the cache folder when nothing they read has changed.

The key is made of exactly the files the loader reads (``inventory_files``, each through
``read_regular_file`` with the loader's bound): a file the loader would refuse means no cache,
and the loader then reports it. A cached answer is trusted only with the cache folder's HMAC,
and only when it holds no control character (the reporters show those escaped, as ``\\x1b``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import yaml

from mkdocs_exdr.cache.folder import own
from mkdocs_exdr.cache.results import ResultCache, inputs_key
from mkdocs_exdr.cli.config import MAX_CONFIG_BYTES, _Loader, find_config
from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.load.documents import MAX_FILE_BYTES, inventory_files
from mkdocs_exdr.load.encoding import decode_yaml
from mkdocs_exdr.load.files import read_regular_file
from mkdocs_exdr.plugin.config import ExdrConfig, inside_docs

log = logging.getLogger(__name__)
#: What no reporter prints raw: C0 and C1 controls but tab and newline, bidi and zero-width.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def cache_folder(config: ExdrConfig, config_file: str | None, inventory: str | None) -> Path | None:
    """``cache_dir`` beside mkdocs.yml; with an INVENTORY argument or no mkdocs.yml, beside the
    inventory folder (never inside it). ``None`` (no cache) when that folder would be the
    inventory's or the policies', inside them or holding them; invalid input when it is the
    docs folder's."""
    found = find_config(config_file)
    base = found.resolve().parent if found and inventory is None else None
    if found and inventory is None:
        docs = base / _docs_dir(found) if base else None
        why = inside_docs(config.cache_dir, base, docs) if base and docs else None
        if why:
            where = Location(found.as_posix())
            raise InvalidInput([Problem(where, "plugins.exdr.cache_dir", why)])
    if base is None:
        base = Path(config.inventory).resolve().parent
    root = (base / config.cache_dir).resolve()
    for other in (Path(config.inventory).resolve(), Path(config.policies).resolve()):
        if root in (other, base) or other in root.parents or root in other.parents:
            log.debug("no cache: %s is, holds or is inside %s", root, other)
            return None
    return root


def _docs_dir(config_file: Path) -> str:
    """``docs_dir`` of mkdocs.yml (``docs`` when it names none or cannot be read)."""
    try:
        loader = _Loader(decode_yaml(read_regular_file(config_file, MAX_CONFIG_BYTES)))
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except (OSError, ValueError, yaml.YAMLError):
        return "docs"
    value = data.get("docs_dir") if isinstance(data, dict) else None
    return value if isinstance(value, str) and value else "docs"


def cached_check(
    config: ExdrConfig,
    root: Path | None,
    settings: dict[str, object],
    compute: Callable[[], tuple[str, int]],
) -> tuple[str, int]:
    """The output and exit code of ``compute``, stored under the hash of its inputs: the
    inventory and policy files, the package, and ``settings`` (dates, flags, format)."""
    inputs = [Path(config.inventory), Path(config.policies)]
    return cached_output(inputs, root, {**settings, "options": config}, compute)


def cached_output(
    inputs: Sequence[Path | None],
    root: Path | None,
    settings: dict[str, object],
    compute: Callable[[], tuple[str, int]],
) -> tuple[str, int]:
    """The output and exit code of ``compute``, stored in the cache folder ``root`` (``None``:
    no cache) under the hash of the files the loader reads under the folders ``inputs``, the
    package, and ``settings`` (everything else the output shows)."""
    if root is None or own(root) is None:
        if root is not None:
            log.debug("no cache: %s is not the cache's folder or cannot be written", root)
        return compute()
    try:
        key = inputs_key([_files(folder) for folder in inputs], **settings)
    except (OSError, ValueError):
        return compute()  # a file the loader refuses: it says where
    store = ResultCache(root)
    found = store.get(key)
    if (
        isinstance(found, list)
        and len(found) == 2
        and isinstance(found[0], str)
        and type(found[1]) is int
        and found[1] in (0, 1)
        and not _UNSAFE.search(found[0])
    ):
        return found[0], found[1]
    output, code = compute()
    store.put(key, [output, code])
    return output, code


def _files(folder: Path | None) -> Iterator[tuple[str, bytes]]:
    """Each file the loader reads under ``folder``: its name there and its bytes. Raises
    ``ValueError`` or ``OSError`` for one the loader would refuse (too large, not regular)."""
    if folder is None or not folder.is_dir():
        return
    for path in inventory_files(folder):
        yield path.relative_to(folder).as_posix(), read_regular_file(path, MAX_FILE_BYTES)
