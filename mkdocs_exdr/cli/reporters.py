"""What the command-line tool prints: one reporter class per output format, each fed one result.

Text is for a terminal: names as written, without Markdown escapes, and control characters
(ANSI escapes, carriage returns, bidirectional overrides) shown as ``\\x1b`` or ``\\u202e`` so
an inventory value cannot rewrite the screen. Markdown (a pull-request comment) escapes
inventory text, and makes what a forge would turn into a mention, a reference or a link
(``@everyone``, ``#12``, ``https://…``, ``www.…``) plain text. JSON is versioned data for
machines.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, ClassVar

from mkdocs_exdr.common.characters import UNSAFE_CHARACTERS
from mkdocs_exdr.common.durations import counted
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.common.shown import shortened
from mkdocs_exdr.importer.rewrite import ImportReport
from mkdocs_exdr.plan.findings import SEVERITIES, Finding
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.render.escape import inline
from mkdocs_exdr.render.plan_json import dumps, finding_json, plan_json
from mkdocs_exdr.review.diff import SECTIONS, PlanDiff

OUTPUT_SCHEMA_VERSION = 1
#: Characters of a finding's message the text report shows (names in it may be hostile).
MESSAGE_LIMIT = 400
DIFF_SCHEMA_VERSION = 1
# C0 and C1 controls (tab and newline too: a value is one line), DEL, line and paragraph
# separators, and the bidirectional embeddings, overrides and isolates ("Trojan Source").
_CONTROL = UNSAFE_CHARACTERS
#: What GitHub and GitLab link in a comment's text without any Markdown: a mention or e-mail
#: address (``@``), an issue reference (``#`` and a digit), a URL (``://``) and ``www.``; each
#: is broken by writing one character as an entity, which shows the same.
_AUTOLINKS = re.compile(r"@|(?<!&)#(?=\d)|:(?=//)|(?<=www)\.", re.IGNORECASE)
_INERT = {"@": "&#64;", "#": "&#35;", ":": "&#58;", ".": "&#46;"}


def plain(text: object) -> str:
    """``text`` safe for a terminal: each control character shown as its escape."""
    return _CONTROL.sub(_escaped, str(text))


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@dataclass(frozen=True)
class CheckResult:
    """A checked plan: the threshold in force and the findings at or above it, unaccepted."""

    plan: Plan
    fail_on: str
    counted: list[Finding]


@dataclass(frozen=True)
class DiffResult:
    """A plan diff and what its two sides are called (revisions or folders)."""

    diff: PlanDiff
    base_label: str
    head_label: str


@dataclass(frozen=True)
class ImportResult:
    """What an import changed (or would change, on a dry run) in the inventory folder."""

    report: ImportReport
    folder: str
    dry_run: bool


class TextReporter:
    """Plain text for a person at a terminal."""

    name: ClassVar[str] = "text"
    problems_to_stderr: ClassVar[bool] = True

    def lines(self, lines: list[str]) -> str:
        """``lines`` joined, each made safe for a terminal."""
        return "\n".join(map(plain, lines))

    def problems(self, error: InvalidInput) -> str:
        """Every problem, one a line, then the count."""
        return self.lines([*map(str, error.problems), str(error)])

    def check(self, result: CheckResult) -> str:
        """Findings grouped by server, site or organisation, then the tally."""
        plan = result.plan
        groups: dict[str, list[Finding]] = defaultdict(list)
        for f in plan.findings:
            groups[f.server or (f"site {f.site}" if f.site else "organisation")].append(f)
        org = plan.inventory.organization.name
        count = len(plan.servers)
        lines = [f"{shortened(org)}: {count} server{'' if count == 1 else 's'}, as of {plan.as_of}"]
        for group in sorted(groups, key=str.casefold):
            lines += ["", shortened(group)]
            for f in groups[group]:
                mark = " (accepted)" if f.accepted else ""
                where = f"  [{f.where}]" if f.where and f.where.file else ""
                subject, message = shortened(f.subject), shortened(f.message, MESSAGE_LIMIT)
                lines.append(f"  {f.severity:<7} {f.code} {subject}{mark}: {message}{where}")
        tally = {s: sum(1 for f in plan.findings if f.severity == s) for s in SEVERITIES}
        accepted = sum(1 for f in plan.findings if f.accepted)
        lines += [
            "",
            f"{counted(tally['error'], 'error')}, {counted(tally['warning'], 'warning')}, "
            f"{tally['info']} info "
            f"({accepted} accepted); {len(result.counted)} at or above {result.fail_on}",
        ]
        return self.lines(lines)

    def plan(self, plan: Plan) -> str:
        """The recovery orders, wave by wave, and one line a server."""
        lines = []
        for order in plan.orders:
            title = "whole organisation" if order.scope == "organization" else f"site {order.scope}"
            lines.append(f"Recovery order, loss of the {title}:")
            for number, wave in enumerate(order.waves, 1):
                lines.append(f"  wave {number}: " + "; ".join(e.action for e in wave))
        for server in plan.servers:
            missing = sum(1 for i in server.items if i.status == "missing")
            scenarios = ", ".join(s.id for s in server.scenarios) or "none"
            lines.append(
                f"{server.server.name}: scenarios {scenarios}; {missing} required items missing"
            )
        return self.lines(lines)

    def diff(self, result: DiffResult) -> str:
        """The changes by section, worst news first; ``!`` marks a change that weakens the plan."""
        diff = result.diff
        lines = [
            f"DR plan: {result.base_label} → {result.head_label}",
            f"Fingerprint {diff.base.fingerprint} → {diff.head.fingerprint}, "
            f"as of {diff.head.as_of}.",
            _verdict(diff).replace("**", ""),
        ]
        for title, changes in _sections(diff):
            lines += ["", f"{title}:"]
            lines += [f"  {'!' if c.weakens else '-'} {c.text}" for c in changes]
        return self.lines(lines)

    def imported(self, result: ImportResult) -> str:
        """One line a server added, updated, missing or decommissioned, then a summary."""
        report = result.report
        width = max((len(c.server) for c in report.changes), default=0)
        lines = []
        for change in report.changes:
            line = f"{change.action:<14} {change.server:<{width}}  {change.file}"
            if change.action == "missing":
                line += "  (not in the export; --prune marks it decommissioned)"
            lines.append(line)
            lines += [f"{'':<16}{detail}" for detail in change.details]
        counts = {
            a: sum(1 for c in report.changes if c.action == a)
            for a in ("added", "updated", "missing", "decommissioned")
        }
        summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n) or "no changes"
        if report.skipped:
            summary += f"; {len(report.skipped)} skipped"
        if result.dry_run:
            lines.append(f"{summary}. Dry run: nothing written.")
        else:
            lines.append(f"{summary}. Wrote {len(report.written)} files in {result.folder}.")
        return self.lines(lines)


class MarkdownReporter(TextReporter):
    """Markdown for a pull-request comment: inventory text escaped (check and plan print text)."""

    name: ClassVar[str] = "markdown"

    def diff(self, result: DiffResult) -> str:
        """The changes by section under headings, worst news first, weakening ones marked."""
        diff = result.diff
        lines = [
            f"## DR plan: {_inline(result.base_label)} → {_inline(result.head_label)}",
            "",
            f"Fingerprint `{diff.base.fingerprint}` → `{diff.head.fingerprint}`, "
            f"as of {diff.head.as_of}.",
            "",
            _verdict(diff),
        ]
        for title, changes in _sections(diff):
            lines += ["", f"### {title}", ""]
            lines += [f"- {'⚠️ ' if c.weakens else ''}{_inline(c.text)}" for c in changes]
        return "\n".join(lines)


class JsonReporter:
    """Versioned JSON for machines; problems go to standard output as JSON too."""

    name: ClassVar[str] = "json"
    problems_to_stderr: ClassVar[bool] = False

    def problems(self, error: InvalidInput) -> str:
        """Every problem as an object with file, line, column, field and message."""
        problems = [p.to_json() for p in error.problems]
        return _json({"schema_version": OUTPUT_SCHEMA_VERSION, "problems": problems})

    def check(self, result: CheckResult) -> str:
        """Every finding, and how many count against ``fail_on``."""
        plan = result.plan
        return _json(
            {
                "schema_version": OUTPUT_SCHEMA_VERSION,
                "as_of": plan.as_of.isoformat(),
                "fail_on": result.fail_on,
                "servers": len(plan.servers),
                "findings": [finding_json(f) for f in plan.findings],
                "counted": len(result.counted),
            }
        )

    def plan(self, plan: Plan) -> str:
        """The whole plan, as in plan.json."""
        return _json(plan_json(plan))

    def diff(self, result: DiffResult) -> str:
        """Every change with its kind, subject, text and before and after values."""
        diff = result.diff
        data: dict[str, Any] = {
            "schema_version": DIFF_SCHEMA_VERSION,
            "as_of": diff.head.as_of.isoformat(),
            "fail_on": diff.fail_on,
            "base": {"source": result.base_label, "fingerprint": diff.base.fingerprint},
            "head": {"source": result.head_label, "fingerprint": diff.head.fingerprint},
            "weakened": diff.weakened,
            "changes": [
                {
                    "kind": c.kind,
                    "subject": c.subject,
                    "text": c.text,
                    "weakens": c.weakens,
                    "before": c.before,
                    "after": c.after,
                }
                for c in diff.changes
            ],
        }
        return _json(data)


Reporter = TextReporter | JsonReporter
TEXT = TextReporter()
REPORTERS: dict[str, Reporter] = {r.name: r for r in (TEXT, MarkdownReporter(), JsonReporter())}


def _inline(text: str) -> str:
    """``text`` as literal Markdown (``inline``) that a forge does not link or mention from."""
    return _AUTOLINKS.sub(lambda match: _INERT[match.group()], inline(text))


def _json(data: Any) -> str:
    return dumps(data).rstrip("\n")  # the caller ends the output with one newline


def _verdict(diff: PlanDiff) -> str:
    if diff.weakened:
        return f"**This change weakens the DR plan** (fail_on: {diff.fail_on})."
    if diff.changes:
        return "This change does not weaken the DR plan."
    return "No change to the DR plan."


def _sections(diff: PlanDiff) -> list[tuple[str, list[Any]]]:
    found = [(title, [c for c in diff.changes if c.kind == kind]) for kind, title in SECTIONS]
    return [(title, changes) for title, changes in found if changes]
