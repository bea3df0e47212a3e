"""The ``exdr`` entry of mkdocs.yml, read for the command-line tool through the plugin's ExdrConfig.

The CLI does not start MkDocs (which would load every plugin and theme). It reads mkdocs.yml
safely, finds the ``exdr`` entry of ``plugins`` and validates it with the plugin's own
``ExdrConfig``: the same defaults, the same checks, folders relative to mkdocs.yml. Every
invalid option is a located problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag  # type: ignore[import-untyped]

from mkdocs_exdr.common.problems import InvalidInput, Location, Problem
from mkdocs_exdr.load.encoding import decode_yaml
from mkdocs_exdr.load.files import read_regular_file
from mkdocs_exdr.plugin.config import ExdrConfig

#: Looked for in the current folder, in this order (ProperDocs reads properdocs.yml first).
CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml")
#: The most of a configuration file read; a regular file only, as inventory files.
MAX_CONFIG_BYTES = 1024 * 1024


class _Loader(yaml.SafeLoader):
    """Constructs nothing but plain data; ``!ENV`` is read as MkDocs reads it, other tags
    (``!!python/name:``, ``!relative``) become null."""


_Loader.add_constructor("!ENV", construct_env_tag)
_Loader.add_multi_constructor("", lambda loader, suffix, node: None)


def find_config(config_file: str | None) -> Path | None:
    """``config_file``, else mkdocs.yml (or mkdocs.yaml) in the current folder, else ``None``."""
    if config_file is not None:
        return Path(config_file)
    return next((Path(n) for n in CONFIG_NAMES if Path(n).is_file()), None)


def read_config(config_file: Path | None) -> tuple[ExdrConfig, list[Problem]]:
    """The validated ``exdr`` options of ``config_file`` (the defaults when it is ``None``), and
    warnings such as an unknown option.

    Raises ``InvalidInput`` with a problem for every invalid option, and for a file that is not
    YAML or whose top level is not a mapping.
    """
    if config_file is None:
        return _validated({}, None, {}, Location("mkdocs.yml"))
    shown = config_file.as_posix()
    options, places, entry = _exdr_options(config_file, shown)
    return _validated(options, config_file, places, entry)


def _at(file: str, node: yaml.Node | yaml.Mark) -> Location:
    mark = node if isinstance(node, yaml.Mark) else node.start_mark
    return Location(file, mark.line + 1, mark.column + 1)


def _exdr_options(path: Path, shown: str) -> tuple[dict[str, Any], dict[str, Location], Location]:
    """The exdr options, where each option's key is, and where the exdr entry is."""
    try:
        loader = _Loader(decode_yaml(read_regular_file(path, MAX_CONFIG_BYTES)))
    except (OSError, ValueError) as error:
        raise InvalidInput([Problem(Location(shown), "", f"cannot read: {error}")]) from None
    try:
        root = loader.get_single_node()
        if root is None:
            return {}, {}, Location(shown)
        if not isinstance(root, yaml.MappingNode):
            found = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
            raise _problem(shown, root, "", f"expected a mapping of MkDocs settings, found {found}")
        node, entry = _exdr_node(root, shown)
        if node is None:
            return {}, {}, entry
        options = loader.construct_object(node, deep=True)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = _at(shown, mark) if mark else Location(shown)
        what = getattr(error, "problem", None) or str(error)
        raise InvalidInput([Problem(where, "", f"not valid YAML: {what}")]) from None
    finally:
        loader.dispose()
    if options is None:
        return {}, {}, entry
    if not isinstance(options, dict):
        raise _problem(shown, node, "plugins.exdr", "expected a mapping of options")
    places = {
        str(key.value): _at(shown, key) for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    }
    return options, places, entry


def _exdr_node(root: yaml.MappingNode, shown: str) -> tuple[yaml.Node | None, Location]:
    """The node of the exdr options (``None`` when it has none) and where the entry is."""
    plugins = _lookup(root, "plugins")
    if plugins is None:
        return None, Location(shown)
    if isinstance(plugins, yaml.MappingNode):
        return _lookup(plugins, "exdr"), _at(shown, plugins)
    if not isinstance(plugins, yaml.SequenceNode):
        raise _problem(shown, plugins, "plugins", "expected a list or mapping of plugins")
    for item in plugins.value:
        if isinstance(item, yaml.ScalarNode) and item.value == "exdr":
            return None, _at(shown, item)
        if isinstance(item, yaml.MappingNode):
            found = _lookup(item, "exdr")
            if found is not None:
                return found, _at(shown, item)
    return None, _at(shown, plugins)


def _lookup(mapping: yaml.MappingNode, key: str) -> yaml.Node | None:
    return next(
        (v for k, v in mapping.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )


def _problem(shown: str, node: yaml.Node, field: str, message: str) -> InvalidInput:
    return InvalidInput([Problem(_at(shown, node), field, message)])


def _validated(
    options: dict[str, Any],
    path: Path | None,
    places: dict[str, Location],
    entry: Location,
) -> tuple[ExdrConfig, list[Problem]]:
    """``options`` validated by ``ExdrConfig``, with every invalid option as a problem.

    MkDocs stops validating at the first invalid option, so each invalid one is reported, set
    aside, and the rest validated again.
    """
    problems: list[Problem] = []
    pending = dict(options)
    for _ in range(len(ExdrConfig._schema) + 1):
        config = ExdrConfig(config_file_path=str(path) if path else None)
        config.load_dict(dict(pending))
        errors, warnings = config.validate()
        for key, error in errors:
            problems.append(Problem(places.get(key, entry), f"plugins.exdr.{key}", str(error)))
            pending.pop(key, None)
        if not errors:
            break
    if problems:
        raise InvalidInput(problems)
    notes = [
        Problem(places.get(key, entry), f"plugins.exdr.{key}", f"warning: {text}")
        for key, text in warnings
    ]
    return config, notes
