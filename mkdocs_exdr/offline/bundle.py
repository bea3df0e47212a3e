"""Offline copies and printouts: shipped browser assets, the revision banner, the zip.

No MkDocs here: the plugin and ``mkdocs-exdr bundle`` call these. Third-party assets are shipped
unmodified in ``vendor/`` with their licence, pinned version and checksum in ``vendor.json``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs_exdr.common.git import git
from mkdocs_exdr.pipeline import epoch_date

PACKAGE = Path(__file__).resolve().parent
VENDOR = PACKAGE / "vendor"
ASSETS = PACKAGE / "assets"
SITE_FOLDER = "assets/exdr"
#: Where each shipped file goes in the site. The shim's name keeps "iframe-worker", which is how
#: Material's own offline plugin recognises that the shim is already there.
SITE_FILES = {
    f"{SITE_FOLDER}/exdr.css": ASSETS / "exdr.css",
    f"{SITE_FOLDER}/exdr-age.js": ASSETS / "exdr-age.js",
    f"{SITE_FOLDER}/vendor/mermaid.min.js": VENDOR / "mermaid" / "mermaid.min.js",
    f"{SITE_FOLDER}/vendor/mermaid.LICENSE.txt": VENDOR / "mermaid" / "LICENSE",
    f"{SITE_FOLDER}/vendor/iframe-worker-shim.js": VENDOR / "iframe-worker" / "shim.js",
    f"{SITE_FOLDER}/vendor/iframe-worker.LICENSE.txt": VENDOR / "iframe-worker" / "LICENSE",
}
OFFLINE_SCRIPTS = (
    f"{SITE_FOLDER}/vendor/iframe-worker-shim.js",
    f"{SITE_FOLDER}/vendor/mermaid.min.js",
)


def vendored() -> list[dict[str, Any]]:
    """The shipped third-party assets, as recorded in ``vendor.json``."""
    data: dict[str, Any] = json.loads((VENDOR / "vendor.json").read_text(encoding="utf-8"))
    return list(data["assets"])


def build_date() -> dt.date:
    """The build date: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else today."""
    return epoch_date() or dt.date.today()


def inventory_revision(*folders: Path) -> str:
    """The git commit of the inventory (``+changes`` when it has uncommitted edits), or a note."""
    existing = [f for f in folders if f.is_dir()]
    if not existing:
        return "not in git"
    top = existing[0]
    head = git(top, "rev-parse", "--short=12", "HEAD")
    if head.returncode:
        return "not in git"
    status = git(top, "status", "--porcelain", "--", *(str(f.resolve()) for f in existing))
    return head.stdout.decode().strip() + ("+changes" if status.stdout.strip() else "")


@dataclass(frozen=True)
class Banner:
    """The line on every page and printout that says what the page was built from."""

    classification: str | None
    revision: str
    as_of: dt.date
    fingerprint: str
    built: dt.date
    warn_after_days: int | None = None  # set for offline copies, which then show their age

    def html(self) -> str:
        """The banner as HTML (all text escaped)."""
        parts = []
        if self.classification:
            parts.append(f"<strong>{html.escape(self.classification)}</strong>")
        parts.append(f"Inventory revision {html.escape(self.revision)}")
        parts.append(f"plan as of {self.as_of.isoformat()}")
        parts.append(f"fingerprint {html.escape(self.fingerprint)}")
        parts.append(f"built {self.built.isoformat()}")
        age = ""
        attributes = ""
        if self.warn_after_days is not None:
            attributes = (
                f' data-built="{self.built.isoformat()}" data-warn-after="{self.warn_after_days}"'
            )
            age = ' <span class="exdr-age"></span>'
        return f'<div class="exdr-banner"{attributes}>{" · ".join(parts)}.{age}</div>'


def insert_banner(page_html: str, banner: str) -> str:
    """Put the banner before the page's first heading (or at the top of the body)."""
    index = page_html.find("<h1")
    if index < 0:
        start = page_html.find("<body")
        index = page_html.find(">", start) + 1 if start >= 0 else 0
    return page_html[:index] + banner + page_html[index:]


def write_search_script(site_dir: Path) -> None:
    """Material's search reads ``search/search_index.js`` when opened from ``file://``."""
    index = site_dir / "search" / "search_index.json"
    if index.is_file():
        data = index.read_text(encoding="utf-8")
        (site_dir / "search" / "search_index.js").write_text(
            f"var __index = {data}", encoding="utf-8"
        )


def bundle_folder(target: Path) -> str:
    """The one folder the zip holds everything in: the zip's name without ``.zip``."""
    return target.stem.strip(". ") or "site"


def zip_site(site_dir: Path, target: Path, date: dt.date) -> int:
    """Zip ``site_dir`` into ``target`` under one folder (``bundle_folder``), so unzipping puts
    nothing else in the current folder, in a stable order with fixed timestamps; return files."""
    stamp = (max(date.year, 1980), date.month, date.day, 0, 0, 0)
    files = sorted(p for p in site_dir.rglob("*") if p.is_file())
    folder = bundle_folder(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{folder}/{path.relative_to(site_dir).as_posix()}", stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return len(files)
