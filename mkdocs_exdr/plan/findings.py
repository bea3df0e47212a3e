"""Findings: the Finding record, the table of codes with severities and sources, the constructor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mkdocs_exdr.common.problems import Location
from mkdocs_exdr.inventory.model import Acceptance, Severity

SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")
RECOVER = "http://unifiedpeople.ru/exchhelp.en/html/7dbd4496-4b8e-417a-9002-0efc2da88494.htm"
NTBACKUP = "http://technet.microsoft.com/en-us/library/aa998870(EXCHG.80)"
EDGECLONE = "https://learn.microsoft.com/en-us/previous-versions/office/exchange-server-2007/bb125150(v=exchg.80)"
EDGESUBS = "http://unifiedpeople.ru/exchhelp.en/html/a96558dc-d0c4-45af-b909-a7f936ccd41e.htm"
COYOTE = "http://www.coyotecrk.com/newsletter0005.htm"
ROLES = "http://windowsitpro.com/article/articleid/93951/what-are-the-microsoft-exchange-server-2007-server-roles.html"
EDITIONS = "http://technet.microsoft.com/de-DE/library/bb232170(v=exchg.80).aspx"
SEED = "https://searchwindowsserver.techtarget.com/feature/Developing-an-Exchange-2007-server-role-DR-plan"
CASDATA = "http://technet.microsoft.com/en-us/library/aa998364(v=exchg.80)"
PRACTICE = "mkdocs-exdr practice rule (README.md, section Findings)"


@dataclass(frozen=True)
class Finding:
    """Something in the plan that an administrator should act on (or knowingly accept)."""

    code: str
    severity: Severity
    subject: str
    message: str
    source: str
    server: str | None = None
    site: str | None = None
    where: Location | None = None
    accepted: Acceptance | None = None

    @property
    def key(self) -> str:
        """Identifies the finding across revisions: code and subject."""
        return f"{self.code}:{self.subject}"


@dataclass(frozen=True)
class Code:
    """One kind of finding."""

    code: str
    severity: Severity
    title: str
    source: str


CODES: dict[str, Code] = {
    c.code: c
    for c in (
        Code("EXDR001", "error", "Required backup item not covered by any backup job", SEED),
        Code("EXDR002", "warning", "Storage group never restore-tested", NTBACKUP),
        Code("EXDR003", "error", "Last restore test of a storage group failed", NTBACKUP),
        Code("EXDR004", "warning", "Last restore test older than the maximum age", NTBACKUP),
        Code("EXDR005", "warning", "Backup frequency cannot meet the RPO", PRACTICE),
        Code("EXDR006", "warning", "Estimated restore time exceeds the RTO", PRACTICE),
        Code("EXDR007", "warning", "All backup copies kept in the server's own site", PRACTICE),
        Code("EXDR008", "warning", "Edge Transport server without edge_sync_site", EDGESUBS),
        Code(
            "EXDR009", "error", "No Hub Transport server in the Edge subscription's site", EDGESUBS
        ),
        Code("EXDR010", "warning", "Site with Mailbox servers but no Hub Transport server", COYOTE),
        Code("EXDR011", "warning", "Site with Mailbox servers but no Client Access server", COYOTE),
        Code("EXDR012", "error", "Certificate expired", CASDATA),
        Code("EXDR013", "warning", "Certificate expires soon", CASDATA),
        Code("EXDR014", "warning", "No contact at server, site or organisation level", PRACTICE),
        Code("EXDR015", "error", "Server in an undeclared site", RECOVER),
        Code("EXDR016", "error", "Impossible role, edition or membership combination", ROLES),
        Code("EXDR017", "error", "Windows Server Backup before Exchange 2007 SP2", NTBACKUP),
        Code("EXDR018", "error", "Value looks like a secret", PRACTICE),
        Code("EXDR019", "warning", "Acceptance expired", PRACTICE),
        Code("EXDR020", "warning", "Acceptance without reason, owner or expiry", PRACTICE),
        Code(
            "EXDR021",
            "info",
            "Fact missing from the inventory; the runbook shows a placeholder",
            RECOVER,
        ),
        Code("EXDR022", "warning", "Mailbox server without storage groups listed", NTBACKUP),
        Code("EXDR023", "info", "Server without a site", RECOVER),
        Code("EXDR024", "info", "No RPO or RTO set; objectives not checked", PRACTICE),
        Code("EXDR025", "warning", "Acceptance matches no finding", PRACTICE),
        Code("EXDR026", "warning", "Plan review overdue", PRACTICE),
        Code(
            "EXDR027",
            "warning",
            "Media, Edge export or certificate kept only in the server's own site",
            PRACTICE,  # a site loss takes its file shares with it [reference 11a, item 14]
        ),
    )
}


#: Sort key for "worst first".
WORST_FIRST = {"error": 0, "warning": 1, "info": 2}


def make_finding(code: str, subject: str, message: str, **where: Any) -> Finding:
    """A finding of ``code``, with the severity and source of the code table."""
    spec = CODES[code]
    return Finding(code, spec.severity, subject, message, spec.source, **where)


def at_least(severity: str, threshold: str) -> bool:
    """Whether ``severity`` is at or above ``threshold``."""
    order: tuple[str, ...] = SEVERITIES
    return order.index(severity) >= order.index(threshold)
