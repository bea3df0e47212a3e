"""The inventory model: what an organisation writes about its Exchange 2007 servers.

Each class is one kind of YAML mapping. Its fields are the keys, with a docstring-like ``doc``
and an ``example`` in the field metadata; the validator reads values into these classes and the
JSON Schema is generated from them, so the three cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from mkdocs_exdr.common.durations import Duration
from mkdocs_exdr.common.problems import Location

DEFAULT_INSTALL_PATH = "C:\\Program Files\\Microsoft\\Exchange Server"
SERVER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,14}$"

Severity = Literal["error", "warning", "info"]


def doc(
    text: str, example: Any = None, *, default: Any = None, pattern: str = "", vocab: str = ""
) -> Any:
    """Declare an optional field with its documentation and an example value.

    ``vocab`` names a list of known words (role, backup item, finding code) the value must
    come from; the validator supplies the list, since user policies extend it.
    """
    meta = {"doc": text, "example": example, "pattern": pattern, "vocab": vocab}
    if isinstance(default, list):
        return field(default_factory=list, metadata=meta)
    return field(default=default, metadata=meta)


def required(text: str, example: Any, *, pattern: str = "", vocab: str = "") -> Any:
    """Declare a required field."""
    meta = {"doc": text, "example": example, "required": True, "pattern": pattern, "vocab": vocab}
    return field(metadata=meta)


def _where() -> Any:
    return field(default=Location(""), compare=False, repr=False, metadata={"internal": True})


@dataclass(frozen=True)
class Contact:
    """A person or team to call during a recovery."""

    name: str = required("Person or team.", "Messaging on-call")
    function: str | None = doc("What they do in a recovery.", "Exchange administrator")
    phone: str | None = doc("Phone number, as dialled.", "+44 20 7946 0000")
    email: str | None = doc(
        "E-mail address (reachable when Exchange is down).", "oncall@example.net"
    )
    where: Location = _where()


@dataclass(frozen=True)
class Acceptance:
    """A finding the organisation knowingly accepts, until a date."""

    code: str = required("Finding code.", "EXDR007", vocab="finding code")
    subject: str | None = doc(
        "What the finding is about, as printed with it (server, server/item); "
        "defaults to the server (or site) that holds the acceptance.",
        "LON-MBX01/SG1",
    )
    reason: str | None = doc("Why the risk is accepted.", "Tape vault is in the next building")
    owner: str | None = doc("Who accepted it.", "J. Smith, IT manager")
    expires: dt.date | None = doc("Date after which the finding counts again.", "2027-06-30")
    where: Location = _where()


@dataclass(frozen=True)
class RebuildTime:
    """How long the organisation takes to rebuild a server of one role, before any restore."""

    role: str = required("Role id.", "mailbox", vocab="role")
    time: Duration = required("Windows, prerequisites, Setup and the role's own steps.", "6h")
    where: Location = _where()


@dataclass(frozen=True)
class Settings:
    """Organisation-wide thresholds."""

    restore_test_max_age: Duration | None = doc(
        "Oldest acceptable restore test (default 13w), unless a role policy says otherwise.", "13w"
    )
    review_interval: Duration | None = doc("How often the plan is reviewed (default 26w).", "26w")
    restore_rate_gb_per_hour: float | None = doc(
        "Restore throughput used to estimate restore times (default 20).", 25
    )
    certificate_warning: Duration | None = doc(
        "Warn this long before a certificate expires (default 4w).", "30d"
    )
    rebuild_times: list[RebuildTime] = doc(
        "Time to rebuild a server of a role before any restore; overrides the role policy's default.",
        [{"role": "mailbox", "time": "6h"}],
        default=[],
    )
    fail_on: Severity | None = doc(
        "Lowest finding severity that makes check and strict builds fail.", "warning"
    )
    where: Location = _where()


@dataclass(frozen=True)
class Organization:
    """The Exchange organisation; defined in exactly one file."""

    name: str = required("Exchange organisation name.", "Contoso")
    forest: str | None = doc("Active Directory forest root domain.", "corp.contoso.com")
    contacts: list[Contact] = doc("Who to call for anything.", [], default=[])
    rpo: Duration | None = doc("Default recovery point objective.", "1d")
    rto: Duration | None = doc("Default recovery time objective.", "8h")
    settings: Settings | None = doc("Thresholds.", None)
    notes: str | None = doc("Free text shown on the DR home page.", "See also the AD DR plan.")
    accept: list[Acceptance] = doc("Accepted organisation-level findings.", [], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class Site:
    """An Active Directory site holding Exchange servers."""

    name: str = required("AD site name, as Exchange prints it.", "London")
    description: str | None = doc("Where it is and what it serves.", "Head office data centre")
    contacts: list[Contact] = doc("Who to call at this site.", [], default=[])
    rpo: Duration | None = doc("Recovery point objective for this site.", "4h")
    rto: Duration | None = doc("Recovery time objective for this site.", "8h")
    notes: str | None = doc("Free text for the site page.", "Generator tested monthly.")
    accept: list[Acceptance] = doc("Accepted site-level findings.", [], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class Disk:
    """A volume; RecoverServer needs the same drive layout for Exchange data."""

    drive: str = required("Drive letter or mount point.", "E:")
    size_gb: float | None = doc("Size in GB.", 300)
    purpose: str | None = doc("What it holds.", "SG1 databases")
    where: Location = _where()


@dataclass(frozen=True)
class Database:
    """A mailbox or public folder database in a storage group."""

    name: str = required("Database name.", "Mailbox Database")
    type: Literal["mailbox", "public-folder"] = doc("Database kind.", "mailbox", default="mailbox")
    edb_path: str | None = doc("Path of the .edb file.", "E:\\SG1\\Mailbox Database.edb")
    size_gb: float | None = doc("Size in GB, used to estimate the restore time.", 120)
    where: Location = _where()


@dataclass(frozen=True)
class StorageGroup:
    """An Exchange 2007 storage group: the unit of backup and restore."""

    name: str = required("Storage group name.", "First Storage Group")
    log_path: str | None = doc("Transaction log folder (LogFolderPath).", "F:\\SG1\\Logs")
    system_path: str | None = doc("System files folder (SystemFolderPath).", "F:\\SG1\\System")
    log_prefix: str | None = doc(
        "Log file prefix: E and two hexadecimal digits, such as E00; used by eseutil /r.",
        "E00",
        pattern=r"^[Ee][0-9A-Fa-f]{2}$",
    )
    circular_logging: bool | None = doc("Circular logging enabled.", False)
    databases: list[Database] = doc("Databases in this storage group.", [], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class Cluster:
    """Clustered mailbox server facts (CCR or SCC)."""

    type: Literal["ccr", "scc"] | None = doc("Cluster kind.", "ccr")
    nodes: list[str] = doc(
        "Names of the cluster nodes.", ["LON-CMS01-N1", "LON-CMS01-N2"], default=[]
    )
    ip_addresses: list[str] = doc(
        "IP addresses of the clustered mailbox server (Setup /RecoverCMS needs them).",
        ["10.1.0.40"],
        default=[],
    )
    where: Location = _where()


@dataclass(frozen=True)
class BackupJob:
    """A backup job that protects items of this server."""

    method: str | None = doc("Tool and mode.", "NTBackup, Exchange-aware full")
    frequency: Duration | None = doc("How often it runs.", "daily")
    covers: list[str] = doc(
        "Backup item ids (from the role policies) it protects.",
        ["storage-groups"],
        default=[],
        vocab="backup item",
    )
    location: str | None = doc(
        "Where copies are kept: a site name, or offsite, cloud or vault (away from every site).",
        "offsite",
    )
    retention: Duration | None = doc("How long copies are kept.", "4w")
    name: str | None = doc("Job name in the backup product.", "EXCH-NIGHTLY")
    where: Location = _where()


@dataclass(frozen=True)
class RestoreTest:
    """A restore test that was carried out."""

    date: dt.date = required("When.", "2026-09-14")
    scope: str | None = doc(
        "Storage group, database or backup item restored.", "First Storage Group"
    )
    result: Literal["passed", "failed", "partial"] | None = doc("Outcome.", "passed")
    by: str | None = doc("Who ran it.", "A. Admin")
    ticket: str | None = doc("Change or ticket reference.", "CHG-1042")
    where: Location = _where()


@dataclass(frozen=True)
class Certificate:
    """A certificate to re-import after a rebuild."""

    subject: str = required("Certificate subject or main name.", "mail.contoso.com")
    expires: dt.date | None = doc("Expiry date.", "2027-03-01")
    pfx_location: str | None = doc(
        "Where the PFX export (with private key) is kept; its password lives in the password manager.",
        "\\\\backup01\\certs\\mail.pfx",
    )
    services: str | None = doc("Services it is enabled for.", "IIS, SMTP, POP, IMAP")
    kept_in: list[str] = doc(
        "Sites (or offsite) where copies of the PFX file are kept.",
        ["London", "offsite"],
        default=[],
    )
    where: Location = _where()


@dataclass(frozen=True)
class Customization:
    """A local change that RecoverServer does not bring back."""

    path: str = required(
        "File or setting changed.", "ClientAccess\\Owa\\8.1.240.5\\themes\\contoso"
    )
    description: str | None = doc("What was changed and how to redo it.", "Corporate OWA theme")
    where: Location = _where()


@dataclass(frozen=True)
class Software:
    """Third-party software to reinstall after a rebuild."""

    name: str = required("Product.", "Symantec Mail Security")
    version: str | None = doc("Version.", "6.5")
    notes: str | None = doc(
        "Licence, installer location, settings.", "Licence in the software vault"
    )
    backup_agent: bool = doc(
        "The backup product's agent: reinstalled before any restore.", False, default=False
    )
    where: Location = _where()


@dataclass(frozen=True)
class Media:
    """Where the installers for a rebuild are."""

    windows: str | None = doc("Windows installer.", "\\\\dist01\\iso\\w2k3r2-x64.iso")
    exchange: str | None = doc(
        "Exchange 2007 installer of the installed service pack.", "\\\\dist01\\iso\\e2k7sp3.iso"
    )
    update_rollup: str | None = doc("Update rollup installer.", "\\\\dist01\\ur\\e2k7sp3ur23.msp")
    kept_in: list[str] = doc(
        "Sites (or offsite) where copies of these installers are kept.", ["London"], default=[]
    )
    where: Location = _where()


@dataclass(frozen=True)
class EdgeExport:
    """Where the Edge server's cloned configuration export (ExportEdgeConfig.ps1) is kept."""

    path: str = required("Path of the exported XML file.", "\\\\dist01\\edge\\EDGE01.xml")
    kept_in: list[str] = doc(
        "Sites (or offsite) where copies are kept.", ["Frankfurt", "offsite"], default=[]
    )
    where: Location = _where()


@dataclass(frozen=True)
class Credential:
    """A pointer to a secret kept in the password manager, never the secret."""

    purpose: str = required("What it is for.", "PFX export password")
    vault_entry: str = required("Entry name in the password manager.", "Exchange/PFX/mail")
    where: Location = _where()


@dataclass(frozen=True)
class Server:
    """An Exchange 2007 server (or a clustered mailbox server)."""

    name: str = required(
        "NetBIOS name: 1 to 15 letters, digits, - or _, starting with a letter or digit.",
        "LON-MBX01",
        pattern=SERVER_NAME_PATTERN,
    )
    roles: list[str] = required("Role ids.", ["mailbox", "hub-transport"], vocab="role")
    fqdn: str | None = doc("Fully qualified DNS name.", "lon-mbx01.corp.contoso.com")
    site: str | None = doc("AD site (a site name declared under sites).", "London")
    status: Literal["active", "decommissioned"] = doc(
        "active, or decommissioned (documented but left out of the plan).",
        "active",
        default="active",
    )
    domain_member: bool | None = doc(
        "Joined to the organisation's forest (default from the role policy).", True
    )
    os: str | None = doc("Windows version and service pack.", "Windows Server 2003 R2 x64 SP2")
    exchange_version: str | None = doc(
        "AdminDisplayVersion as Exchange prints it.", "Version 8.3 (Build 83.6)"
    )
    update_rollup: str | None = doc(
        "Update rollup installed, as recorded (AdminDisplayVersion does not show it); none if none.",
        "Update Rollup 10 for Exchange Server 2007 SP3",
    )
    edition: Literal["Standard", "Enterprise"] | None = doc("Exchange edition.", "Enterprise")
    install_path: str | None = doc("Exchange install folder.", DEFAULT_INSTALL_PATH)
    disks: list[Disk] = doc("Volumes.", [], default=[])
    storage_groups: list[StorageGroup] = doc("Storage groups and databases.", [], default=[])
    cluster: Cluster | None = doc("Clustered mailbox server facts.", None)
    edge_sync_site: str | None = doc("Edge transport: AD site of its Edge subscription.", "London")
    edge_export: EdgeExport | None = doc("Edge transport: its cloned configuration export.", None)
    portability: bool = doc(
        "Whether this server's mailbox databases may be mounted on another server of its site.",
        True,
        default=True,
    )
    backups: list[BackupJob] = doc("Backup jobs.", [], default=[])
    restore_tests: list[RestoreTest] = doc("Restore tests carried out.", [], default=[])
    certificates: list[Certificate] = doc("Certificates to re-import.", [], default=[])
    customizations: list[Customization] = doc("Local changes to reapply.", [], default=[])
    software: list[Software] = doc("Third-party software to reinstall.", [], default=[])
    media: Media | None = doc("Installer locations.", None)
    credentials: list[Credential] = doc(
        "Password manager entries needed in a rebuild.", [], default=[]
    )
    contacts: list[Contact] = doc("Who to call for this server.", [], default=[])
    notes: str | None = doc("Free text for the server page.", "Rack B4, iLO at lon-mbx01-ilo")
    accept: list[Acceptance] = doc("Accepted findings of this server.", [], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class Review:
    """A review of the DR plan: who looked at which version of it, and when."""

    date: dt.date = required("When the plan was reviewed.", "2026-11-18")
    reviewer: str = required("Who reviewed it.", "Helen Brooks, IT service manager")
    scope: str | None = doc("What was reviewed.", "Whole plan, after the SP3 upgrade")
    fingerprint: str | None = doc(
        "The plan fingerprint shown on the DR home page when it was reviewed.",
        "3f2a9c1e7b40",
        pattern=r"^[0-9a-f]{12}$",
    )
    notes: str | None = doc("Outcome, actions.", "Approved; restore tests to be booked for Q1.")
    where: Location = _where()


@dataclass(frozen=True)
class InventoryFile:
    """One inventory file: any of the three sections, merged with the other files."""

    organization: Organization | None = doc("The organisation (in exactly one file).", None)
    sites: list[Site] = doc("AD sites.", [], default=[])
    servers: list[Server] = doc("Servers.", [], default=[])
    reviews: list[Review] = doc("Reviews of the plan.", [], default=[])
    where: Location = _where()


@dataclass(frozen=True)
class Inventory:
    """The whole organisation, merged from every inventory file."""

    organization: Organization
    sites: tuple[Site, ...]
    servers: tuple[Server, ...]
    files: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
