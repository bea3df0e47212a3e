"""Names that become page paths, made safe: lowercase ASCII letters, digits and hyphens."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """A path segment for ``name``: no separators, no dots, never empty, same for same name.

    A name with no usable letters (``..``, ``東京``) gets a short hash instead, so the slug
    depends only on the name and not on which other names exist.
    """
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_SAFE.sub("-", ascii_text.lower()).strip("-")[:60].strip("-")
    if not slug:
        slug = "x-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return slug
