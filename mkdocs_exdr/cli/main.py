"""``mkdocs-exdr``: check, plan, schema and generate, on the same pipeline as the plugin.

Exit codes, the same for every command:

| code | meaning |
| --- | --- |
| 0 | success, nothing at or above ``fail_on`` |
| 1 | the command worked and found something to act on (findings at or above ``fail_on``) |
| 2 | invalid input or usage |
| 3 | internal error (a bug): one line, the traceback only with ``--debug`` |
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import logging
import os
import sys
import tempfile
import traceback
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mkdocs_exdr import __version__
from mkdocs_exdr.cli.settings import ProjectSettings, read_settings
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.importer.exports import read_export
from mkdocs_exdr.importer.imported import read_exports
from mkdocs_exdr.importer.rewrite import apply_import
from mkdocs_exdr.offline import bundle as offline
from mkdocs_exdr.pipeline import build_plan, resolve_as_of, resolve_fail_on
from mkdocs_exdr.plan.findings import SEVERITIES, Finding
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.render.pages import render_pages
from mkdocs_exdr.render.plan_json import dumps, finding_json, plan_json
from mkdocs_exdr.review.diff import diff_json, diff_markdown, diff_plans
from mkdocs_exdr.review.revisions import Side, at_revision
from mkdocs_exdr.validate.schema import KINDS, schema_text

OUTPUT_SCHEMA_VERSION = 1
REPORT = "please report it with the output of the same command run with --debug"
F = TypeVar("F", bound=Callable[..., Any])


def _guarded(func: F) -> F:
    """Turn invalid input into exit 2 and bugs into exit 3 with one line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.pop("debug", False)
        try:
            return func(*args, **kwargs)
        except InvalidInput as error:
            if kwargs.get("output_format") == "json":
                problems = [p.to_json() for p in error.problems]
                click.echo(dumps({"schema_version": OUTPUT_SCHEMA_VERSION, "problems": problems}))
            else:
                click.echo(error.report(), err=True)
            sys.exit(2)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except BrokenPipeError:  # output piped into head or less that quit early
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as error:
            if debug:
                traceback.print_exc()
            click.echo(
                f"mkdocs-exdr: internal error: {type(error).__name__}: {error}; {REPORT}", err=True
            )
            sys.exit(3)

    wrapper = click.option(
        "--debug", is_flag=True, help="Show the traceback of an internal error."
    )(wrapper)
    return wrapper  # type: ignore[return-value]


def _settings(config_file: str | None, inventory: str | None) -> ProjectSettings:
    path = Path(config_file) if config_file else None
    if path is None and inventory is None and Path("mkdocs.yml").is_file():
        path = Path("mkdocs.yml")
    if path is not None and not path.is_file():
        raise click.UsageError(f"{path}: no such configuration file")
    settings = read_settings(path)
    if inventory is not None:
        folder = Path(inventory)
        settings = ProjectSettings(
            folder,
            folder.parent / "policies",
            settings.fail_on,
            settings.as_of,
            settings.path,
            settings.templates,
            settings.config_file,
        )
    return settings


def _plan(settings: ProjectSettings, as_of: dt.date | None) -> Plan:
    try:
        date = resolve_as_of(as_of, settings.as_of)
    except ValueError:
        raise click.UsageError(
            f"as_of {settings.as_of!r} is not a date such as 2026-11-20"
        ) from None
    return build_plan(
        settings.inventory,
        settings.policies,
        date,
        shown_inventory=_shown(settings.inventory),
        shown_policies=_shown(settings.policies),
    )


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _fail_on(flag: str | None, settings: ProjectSettings, plan: Plan) -> str:
    value = resolve_fail_on(flag, settings.fail_on, plan)
    if value not in SEVERITIES:
        raise click.UsageError(f"fail_on {value!r}: expected one of {', '.join(SEVERITIES)}")
    return value


config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False),
    help="The mkdocs.yml to read exdr settings from.",
)
as_of_option = click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Compute ages and expiries against this date.",
)
fail_on_option = click.option(
    "--fail-on", type=click.Choice(SEVERITIES), help="Lowest severity that makes the exit code 1."
)
format_option = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mkdocs-exdr")
def main() -> None:
    """Exchange 2007 disaster-recovery plans from an inventory. Exit codes: 0 fine, 1 findings
    to act on, 2 invalid input or usage, 3 internal error."""
    # A command runs once and exits: the cyclic garbage collector would only walk the large,
    # cycle-free plan again and again (see pipeline.build_plan).
    gc.disable()


@main.command()
@config_option
@as_of_option
@fail_on_option
@format_option
@click.argument("inventory", required=False, type=click.Path(file_okay=False))
@_guarded
def check(
    config_file: str | None,
    as_of: dt.datetime | None,
    fail_on: str | None,
    output_format: str,
    inventory: str | None,
) -> None:
    """Validate the inventory and print the plan's findings, grouped by server."""
    settings = _settings(config_file, inventory)
    plan = _plan(settings, as_of.date() if as_of else None)
    threshold = _fail_on(fail_on, settings, plan)
    counted = plan.counted(threshold)
    if output_format == "json":
        click.echo(
            dumps(
                {
                    "schema_version": OUTPUT_SCHEMA_VERSION,
                    "as_of": plan.as_of.isoformat(),
                    "fail_on": threshold,
                    "servers": len(plan.servers),
                    "findings": [finding_json(f) for f in plan.findings],
                    "counted": len(counted),
                }
            )
        )
    else:
        click.echo(_check_text(plan, threshold, counted))
    sys.exit(1 if counted else 0)


def _check_text(plan: Plan, threshold: str, counted: list[Finding]) -> str:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in plan.findings:
        groups[
            finding.server or (f"site {finding.site}" if finding.site else "organisation")
        ].append(finding)
    lines = [f"{plan.inventory.organization.name}: {len(plan.servers)} servers, as of {plan.as_of}"]
    for group in sorted(groups, key=str.casefold):
        lines.append("")
        lines.append(group)
        for f in groups[group]:
            mark = " (accepted)" if f.accepted else ""
            where = f"  [{f.where}]" if f.where and f.where.file else ""
            lines.append(f"  {f.severity:<7} {f.code} {f.subject}{mark}: {f.message}{where}")
    tally = {s: sum(1 for f in plan.findings if f.severity == s) for s in SEVERITIES}
    accepted = sum(1 for f in plan.findings if f.accepted)
    lines.append("")
    lines.append(
        f"{tally['error']} errors, {tally['warning']} warnings, {tally['info']} info "
        f"({accepted} accepted); {len(counted)} at or above {threshold}"
    )
    return "\n".join(lines)


@main.command()
@config_option
@as_of_option
@format_option
@click.argument("inventory", required=False, type=click.Path(file_okay=False))
@_guarded
def plan(
    config_file: str | None, as_of: dt.datetime | None, output_format: str, inventory: str | None
) -> None:
    """Print the whole DR plan (recovery order and runbook summary, or versioned JSON)."""
    settings = _settings(config_file, inventory)
    result = _plan(settings, as_of.date() if as_of else None)
    if output_format == "json":
        click.echo(dumps(plan_json(result)))
        return
    for order in result.orders:
        title = "whole organisation" if order.scope == "organization" else f"site {order.scope}"
        click.echo(f"Recovery order, loss of the {title}:")
        for number, wave in enumerate(order.waves, 1):
            click.echo(f"  wave {number}: " + "; ".join(e.action for e in wave))
    for server in result.servers:
        click.echo(
            f"{server.server.name}: {len(server.steps)} steps, "
            f"{sum(1 for i in server.items if i.status == 'missing')} required items missing"
        )


@main.command()
@config_option
@as_of_option
@fail_on_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
)
@click.argument("base")
@click.argument("head", required=False)
@_guarded
def diff(
    config_file: str | None,
    as_of: dt.datetime | None,
    fail_on: str | None,
    output_format: str,
    base: str,
    head: str | None,
) -> None:
    """Say what a change does to the DR plan, worst news first (for a pull-request comment).

    BASE and HEAD are inventory folders (their policies: the policies folder beside them) or git
    revisions of the repository holding the inventory; HEAD defaults to the work tree. Exit 1
    when the change weakens the plan.
    """
    settings = _settings(config_file, None)
    try:
        date = resolve_as_of(as_of.date() if as_of else None, settings.as_of)
    except ValueError:
        raise click.UsageError(
            f"as_of {settings.as_of!r} is not a date such as 2026-11-20"
        ) from None
    with tempfile.TemporaryDirectory(prefix="exdr-diff-") as tmp:
        sides = [
            _side(arg, settings, Path(tmp) / name) for name, arg in (("base", base), ("head", head))
        ]
        plans = [
            build_plan(
                s.inventory,
                s.policies,
                date,
                shown_inventory=s.shown_inventory,
                shown_policies=s.shown_policies,
            )
            for s in sides
        ]
    threshold = _fail_on(fail_on, settings, plans[1])
    result = diff_plans(plans[0], plans[1], threshold)
    labels = (sides[0].label, sides[1].label)
    if output_format == "json":
        click.echo(dumps(diff_json(result, *labels)))
    else:
        click.echo(diff_markdown(result, *labels), nl=False)
    sys.exit(1 if result.weakened else 0)


def _side(argument: str | None, settings: ProjectSettings, scratch: Path) -> Side:
    if argument is None:
        return Side(
            settings.inventory,
            settings.policies,
            "work tree",
            _shown(settings.inventory),
            _shown(settings.policies),
        )
    folder = Path(argument)
    if folder.is_dir():
        policies = folder.parent / "policies"
        return Side(folder, policies, argument, _shown(folder), _shown(policies))
    scratch.mkdir(parents=True)
    return at_revision(argument, settings.inventory, settings.policies, scratch)


@main.command()
@click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False),
    default="mkdocs.yml",
    show_default=True,
    help="The mkdocs.yml of the wiki.",
)
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False), help="The zip file to write."
)
@_guarded
def bundle(config_file: str, output: str) -> None:
    """Build the wiki as an offline copy (opens from the file system, no network) and zip it.

    Sets the exdr plugin's offline option for this build; see the README for what it changes.
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    if not Path(config_file).is_file():
        raise click.UsageError(f"{config_file}: no such configuration file")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="exdr-bundle-") as tmp:
        try:
            config = load_config(config_file, site_dir=tmp)
            plugin = config.plugins.get("exdr")
            if plugin is None:
                raise click.UsageError(f"{config_file} does not use the exdr plugin")
            plugin.config["offline"] = True
            build(config)
        except MkDocsException as error:
            click.echo(f"mkdocs-exdr: {error}", err=True)
            sys.exit(2)
        count = offline.zip_site(Path(tmp), Path(output), offline.build_date())
    click.echo(f"wrote {output}: {count} files; open index.html from the unzipped folder")


@main.command("import")
@config_option
@click.option(
    "--inventory",
    "inventory_folder",
    type=click.Path(file_okay=False),
    help="Inventory folder to write into (default: from mkdocs.yml, else inventory).",
)
@click.option("--dry-run", is_flag=True, help="Print the changes; write nothing.")
@click.option("--prune", is_flag=True, help="Mark servers missing from the export decommissioned.")
@click.argument("exports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@_guarded
def import_exports(
    config_file: str | None,
    inventory_folder: str | None,
    dry_run: bool,
    prune: bool,
    exports: tuple[str, ...],
) -> None:
    """Write or update the inventory from Exchange Management Shell exports (CSV or CLIXML).

    EXPORT files come from Get-ExchangeServer, Get-StorageGroup, Get-MailboxDatabase,
    Get-PublicFolderDatabase and Get-MailboxServer piped to Export-Csv or Export-Clixml; the
    README lists the exact commands. Exit 1 when rows or servers were skipped.
    """
    settings = _settings(config_file, None)
    folder = Path(inventory_folder) if inventory_folder else settings.inventory
    read = [read_export(Path(name), name) for name in exports]
    unknown = [p for e in read if e.kind is None for p in e.problems]
    if unknown:
        raise InvalidInput(unknown)
    imported = read_exports(read)
    report = apply_import(imported, folder, prune=prune, write=not dry_run)
    for problem in sorted(report.skipped + report.notes):
        click.echo(str(problem), err=True)
    width = max((len(c.server) for c in report.changes), default=0)
    for change in report.changes:
        line = f"{change.action:<14} {change.server:<{width}}  {change.file}"
        if change.action == "missing":
            line += "  (not in the export; --prune marks it decommissioned)"
        click.echo(line)
        for detail in change.details:
            click.echo(f"{'':<16}{detail}")
    counts = {
        a: sum(1 for c in report.changes if c.action == a)
        for a in ("added", "updated", "missing", "decommissioned")
    }
    summary = ", ".join(f"{n} {a}" for a, n in counts.items() if n) or "no changes"
    if report.skipped:
        summary += f"; {len(report.skipped)} skipped"
    if dry_run:
        click.echo(f"{summary}. Dry run: nothing written.")
    else:
        click.echo(f"{summary}. Wrote {len(report.written)} files in {folder}.")
    sys.exit(1 if report.skipped else 0)


@main.command()
@config_option
@as_of_option
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write into."
)
@click.argument("inventory", required=False, type=click.Path(file_okay=False))
@_guarded
def generate(
    config_file: str | None, as_of: dt.datetime | None, output: str, inventory: str | None
) -> None:
    """Write the DR pages as Markdown files, for site generators that run no MkDocs plugins.

    Pages go to OUTPUT/<path>/ (path from the plugin settings, default dr); files that exdr
    did not write are left alone.
    """
    settings = _settings(config_file, inventory)
    result = _plan(settings, as_of.date() if as_of else None)
    pages = render_pages(
        result,
        user_templates=settings.templates,
        prefix=settings.path,
        print_limit=settings.print_limit,
    )
    root = Path(output) / settings.path
    for path, content in pages.pages.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    click.echo(f"wrote {len(pages.pages)} files to {root}")


@main.command()
@click.argument("kind", required=False, default="inventory", type=click.Choice(sorted(KINDS)))
@click.option(
    "--write",
    "folder",
    type=click.Path(file_okay=False),
    help="Write both schemas into this folder.",
)
@_guarded
def schema(kind: str, folder: str | None) -> None:
    """Print the JSON Schema of inventory (default) or policy files, or write both."""
    if folder is None:
        click.echo(schema_text(kind), nl=False)
        return
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(KINDS):
        path = target / f"{name}.schema.json"
        path.write_text(schema_text(name), encoding="utf-8")
        click.echo(f"wrote {path}")


def run() -> None:
    """The console script: ``main``, then a quick exit.

    A plan of thousands of servers is millions of objects; letting the interpreter free them one
    by one at exit took seconds (measured: 3 s of an 8 s check of 10,000 servers). Output is
    flushed and nothing else needs the interpreter's clean-up, so the process ends at once.
    """
    code: int | str | None = 0
    try:
        main(standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    os._exit(code or 0)
