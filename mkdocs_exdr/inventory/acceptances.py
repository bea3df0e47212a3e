"""Accepted risks by the finding they accept: ``(code, subject)``, the key a finding keeps across
revisions. A subject left out means the server, site (``site:<name>``) or organisation that
holds the acceptance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mkdocs_exdr.common.repeats import split_repeats
from mkdocs_exdr.inventory.model import Acceptance, Organization, Server, Site


@dataclass(frozen=True)
class Accepted:
    """One acceptance, with the subject it applies to and where it is written."""

    acceptance: Acceptance
    subject: str
    server: str | None = None
    site: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """``(code, subject)``, the subject compared without case."""
        return (self.acceptance.code, self.subject.casefold())


def accepted_risks(
    organization: Organization, sites: Iterable[Site], servers: Iterable[Server]
) -> tuple[dict[tuple[str, str], Accepted], list[tuple[Accepted, Accepted]]]:
    """Every acceptance by key, and the pairs that accept the same finding twice."""
    entries = [Accepted(a, a.subject or "organization") for a in organization.accept]
    entries += [
        Accepted(a, a.subject or f"site:{s.name}", site=s.name) for s in sites for a in s.accept
    ]
    entries += [
        Accepted(a, a.subject or s.name, server=s.name)
        for s in servers
        if s.status == "active"
        for a in s.accept
    ]
    return split_repeats(entries, key=lambda entry: entry.key)
