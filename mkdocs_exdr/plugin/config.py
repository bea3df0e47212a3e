"""The exdr plugin's options in mkdocs.yml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath, PureWindowsPath

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError


class IsoDate(c.Type[str]):
    """A date such as 2026-11-20, quoted or not (YAML reads an unquoted one as a date)."""

    def __init__(self) -> None:
        super().__init__(str)

    def run_validation(self, value: object) -> str:
        if isinstance(value, dt.date):
            return value.isoformat()
        text = super().run_validation(value)
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"expected a date such as 2026-11-20, got {text!r}") from None
        return text


def _leaves(text: str) -> bool:
    """Whether the relative folder ``text`` leads out of where it is read from, as POSIX or
    Windows would read it: absolute, with a drive, or through ``..``."""
    windows = PureWindowsPath(text)
    return PurePosixPath(text).is_absolute() or bool(windows.anchor) or ".." in windows.parts


class Subfolder(c.Type[str]):
    """A folder inside the docs folder (and inside generate's ``-o``): not absolute, no drive,
    no ``..``, read the way both POSIX and Windows would read it."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value)
        if _leaves(text):
            raise ValidationError(
                f"{text!r} leaves the docs folder; expected a folder inside it, such as dr "
                "(no .., no leading / or drive)"
            )
        return text


class CacheFolder(c.Type[str]):
    """The cache folder: inside the project, not the project itself, not inside the inventory
    or the policies (the plugin refuses one inside ``docs_dir`` as well, ``inside_docs``)."""

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        text = super().run_validation(value)
        if _leaves(text):
            raise ValidationError(
                f"{text!r} leaves the project; expected a folder beside mkdocs.yml, such as "
                ".cache/exdr (no .., no leading / or drive)"
            )
        if not PurePosixPath(text.replace("\\", "/")).parts:
            raise ValidationError(
                f"{text!r} is the project folder itself; expected a folder of its own, such as "
                ".cache/exdr"
            )
        return text

    def post_validation(self, config: Config, key_name: str) -> None:
        base = Path(config.config_file_path or ".").parent
        folder = (base / config[key_name]).resolve()
        for option in ("inventory", "policies"):
            other = Path(config[option]).resolve()
            if folder == other or other in folder.parents or folder in other.parents:
                raise ValidationError(
                    f"{config[key_name]!r} is the {option} folder, inside it or holds it; the "
                    "cache must be a folder of its own, such as .cache/exdr"
                )


def inside_docs(cache_dir: str, base: Path, docs_dir: Path) -> str | None:
    """Why the cache folder ``cache_dir`` (relative to ``base``) may not be used with the
    docs folder ``docs_dir``, or ``None`` when it may."""
    folder, docs = (base / cache_dir).resolve(), docs_dir.resolve()
    if folder == docs or docs in folder.parents or folder in docs.parents:
        return (
            f"{cache_dir!r} is the docs folder, inside it or holds it; the cache must be a folder "
            "of its own beside docs_dir, such as .cache/exdr"
        )
    return None


class ExdrConfig(Config):  # type: ignore[no-untyped-call]
    """Options of the ``exdr`` plugin; folders are relative to mkdocs.yml."""

    enabled = c.Type(bool, default=True)
    """Turn the plugin off (for example in a quick preview build)."""
    inventory = c.Dir(exists=False, default="inventory")
    """Folder of inventory YAML files, read recursively."""
    policies = c.Dir(exists=False, default="policies")
    """Folder of the user's role policies; a missing folder means the built-in policies alone."""
    path = Subfolder(default="dr")
    """Folder of the generated pages; a server's page is ``<path>/servers/<slug>.md``."""
    fail_on = c.Optional(c.Choice(("error", "warning", "info")))
    """Each unaccepted finding at or above this severity is logged as one MkDocs warning
    (default: the organisation's settings.fail_on, else warning)."""
    templates = c.Optional(c.Dir(exists=True))
    """Folder of template overrides, looked up before the package's templates, one by one."""
    as_of = c.Optional(IsoDate())
    """Date (YYYY-MM-DD) for ages and expiries; default SOURCE_DATE_EPOCH, else today."""
    offline = c.Type(bool, default=False)
    """Build for opening from the file system: no request leaves the machine (see bundle)."""
    external_assets = c.Type(bool, default=False)
    """Let the theme fetch Mermaid, web fonts and highlight.js from the internet, as it does
    without this plugin; by default every page gets them from the site or the system."""
    offline_warn_after = c.Type(int, default=30)
    """Offline copies warn, when opened, once they are older than this many days."""
    classification = c.Optional(c.Type(str))
    """A line on every page and printout, such as "Internal: contains server names"."""
    cache_dir = CacheFolder(default=".cache/exdr")
    """Folder (relative to mkdocs.yml) of the generated pages and the check cache; safe to
    delete. Pages whose text did not change keep their time there, for ``serve --dirty``."""
    print_limit = c.Type(int, default=500)
    """Largest organisation that gets a single printable runbook (sites always get theirs)."""
