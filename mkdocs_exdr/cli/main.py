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
import gc
import logging
import os
import sys
import tempfile
from pathlib import Path

import click

from mkdocs_exdr import __version__
from mkdocs_exdr.cli.cached import cache_folder, cached_check, cached_output
from mkdocs_exdr.cli.generated import route_settings, with_banner, write_generated
from mkdocs_exdr.cli.options import (
    as_of_date,
    as_of_option,
    config_option,
    fail_on_level,
    fail_on_option,
    format_option,
    guarded,
    plan_of,
    project_config,
    shown,
)
from mkdocs_exdr.cli.reporters import REPORTERS, TEXT, CheckResult, DiffResult, ImportResult
from mkdocs_exdr.common.problems import InvalidInput, Problem
from mkdocs_exdr.importer.exports import Export, read_export
from mkdocs_exdr.importer.files import inventory_lock
from mkdocs_exdr.importer.imported import read_exports
from mkdocs_exdr.importer.rewrite import apply_import
from mkdocs_exdr.offline import bundle as offline
from mkdocs_exdr.offline.bundle import SITE_FOLDER
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plugin.assets import SITE_FILES
from mkdocs_exdr.plugin.config import ExdrConfig
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.render.pages import render_pages
from mkdocs_exdr.review.diff import diff_plans
from mkdocs_exdr.review.revisions import Side, side_of
from mkdocs_exdr.validate.schema import KINDS, schema_text


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mkdocs-exdr")
def main() -> None:
    """Exchange 2007 disaster-recovery plans from an inventory. Exit codes: 0 fine, 1 findings
    to act on, 2 invalid input or usage, 3 internal error."""


@main.command()
@config_option
@as_of_option
@fail_on_option
@format_option
@click.argument("inventory", required=False, type=click.Path(file_okay=False))
@guarded
def check(
    config_file: str | None,
    as_of: dt.datetime | None,
    fail_on: str | None,
    output_format: str,
    inventory: str | None,
) -> None:
    """Validate the inventory and print the plan's findings, grouped by server."""
    config = project_config(config_file, inventory)

    def run() -> tuple[str, int]:
        plan = plan_of(config, as_of)
        threshold = fail_on_level(fail_on, config, plan)
        result = CheckResult(plan, threshold, plan.counted(threshold))
        return REPORTERS[output_format].check(result), 1 if result.counted else 0

    # Answered from the cache folder when no input changed (README, "Caches").
    settings = {"as_of": as_of_date(as_of, config), "fail_on": fail_on, "cwd": str(Path.cwd())}
    folder = cache_folder(config, config_file, inventory)
    output, code = cached_check(config, folder, {**settings, "format": output_format}, run)
    click.echo(output)
    sys.exit(code)


@main.command()
@config_option
@as_of_option
@format_option
@click.argument("inventory", required=False, type=click.Path(file_okay=False))
@guarded
def plan(
    config_file: str | None, as_of: dt.datetime | None, output_format: str, inventory: str | None
) -> None:
    """Print the whole DR plan (recovery order and runbook summary, or versioned JSON)."""
    result = plan_of(project_config(config_file, inventory), as_of)
    click.echo(REPORTERS[output_format].plan(result))


@main.command()
@config_option
@as_of_option
@fail_on_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="markdown for a pull-request comment.",
)
@click.argument("base")
@click.argument("head", required=False)
@guarded
def diff(
    config_file: str | None,
    as_of: dt.datetime | None,
    fail_on: str | None,
    output_format: str,
    base: str,
    head: str | None,
) -> None:
    """Say what a change does to the DR plan, worst news first.

    BASE and HEAD are inventory folders (their policies: the policies folder beside them) or git
    revisions of the repository holding the inventory; HEAD defaults to the work tree. Exit 1
    when the change weakens the plan.
    """
    config = project_config(config_file)
    date = as_of_date(as_of, config)
    with tempfile.TemporaryDirectory(prefix="exdr-diff-") as tmp:
        sides = [
            _side(arg, config, Path(tmp) / name) for name, arg in (("base", base), ("head", head))
        ]

        def run() -> tuple[str, int]:
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
            threshold = fail_on_level(fail_on, config, plans[1])
            diff = diff_plans(plans[0], plans[1], threshold)
            result = DiffResult(diff, sides[0].label, sides[1].label)
            return REPORTERS[output_format].diff(result), 1 if diff.weakened else 0

        # Answered from the cache folder when neither side changed (README, "Caches").
        inputs = [folder for s in sides for folder in (s.inventory, s.policies)]
        shown = [(s.label, s.shown_inventory, s.shown_policies) for s in sides]
        settings = {"diff": shown, "as_of": date, "fail_on": fail_on, "format": output_format}
        folder = cache_folder(config, config_file, None)
        output, code = cached_output(inputs, folder, {**settings, "options": config}, run)
    click.echo(output)
    sys.exit(code)


def _side(argument: str | None, config: ExdrConfig, scratch: Path) -> Side:
    return side_of(argument, Path(config.inventory), Path(config.policies), scratch, show=shown)


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
@guarded
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
            # As `mkdocs build` does: MkDocs keeps a plugin with on_startup from one load of the
            # configuration to the next, so a build before in this process (serve --dirty) must
            # not carry over.
            config.plugins.on_startup(command="build", dirty=False)
            build(config)
        except MkDocsException as error:
            click.echo(f"mkdocs-exdr: {error}", err=True)
            sys.exit(2)
        count = offline.zip_site(Path(tmp), Path(output), offline.build_date())
    folder = offline.bundle_folder(Path(output))
    click.echo(f"wrote {output}: {count} files in {folder}/; unzip it and open {folder}/index.html")


@main.command("import")
@config_option
@click.option(
    "--inventory",
    "inventory_folder",
    type=click.Path(file_okay=False),
    help="Inventory folder to write into (default: from mkdocs.yml, else inventory).",
)
@click.option("--dry-run", is_flag=True, help="Print the changes; write nothing.")
@click.option(
    "--prune",
    is_flag=True,
    help="Mark servers missing from the Get-ExchangeServer export decommissioned (that export "
    "must be among EXPORTS).",
)
@click.argument("exports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@guarded
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

    Each inventory file is replaced whole (a temporary file renamed over it), and the folder is
    locked while import runs: a second import at the same time exits 2 and writes nothing.
    """
    config = project_config(config_file)
    folder = Path(inventory_folder) if inventory_folder else Path(config.inventory)
    read = [read_export(Path(name), name) for name in exports]
    unknown = [p for e in read if e.kind is None for p in e.problems]
    if unknown:
        raise InvalidInput(unknown)
    if prune:
        _prune_allowed(read)
    imported = read_exports(read)
    with contextlib.nullcontext() if dry_run else inventory_lock(folder, shown(folder)):
        report = apply_import(imported, folder, prune=prune, write=not dry_run)
    notes = sorted(report.skipped + report.notes)
    if notes:
        click.echo(TEXT.lines(list(map(str, notes))), err=True)
    click.echo(TEXT.imported(ImportResult(report, shown(folder), dry_run)))
    sys.exit(1 if report.skipped else 0)


def _prune_allowed(read: list[Export]) -> None:
    """``--prune`` runs only on a whole, readable Get-ExchangeServer export: a server absent
    from anything less is not known to be gone."""
    servers = [
        e for e in read if e.kind == "servers" or any(r.kind == "servers" for r in e.records)
    ]
    if not servers:
        raise click.UsageError(
            "--prune needs the Get-ExchangeServer export among the inputs: only it lists every "
            "server, so without it every server would be marked decommissioned. Nothing written."
        )
    if not any(r.kind == "servers" for e in servers for r in e.records):
        raise click.UsageError(
            "--prune: the Get-ExchangeServer export lists no server, so every server would be "
            "marked decommissioned. Nothing written."
        )
    unreadable = [p for e in servers for p in e.problems]
    if unreadable:
        raise InvalidInput(
            [
                Problem(
                    p.where, p.field, f"{p.message}; --prune cannot tell which server this row is"
                )
                for p in unreadable
            ]
        )


@main.command()
@config_option
@as_of_option
@click.option(
    "-o", "--output", required=True, type=click.Path(file_okay=False), help="Folder to write into."
)
@click.argument("inventory", required=False, type=click.Path(file_okay=False))
@guarded
def generate(
    config_file: str | None, as_of: dt.datetime | None, output: str, inventory: str | None
) -> None:
    """Write the DR pages as Markdown files, for site generators that run no MkDocs plugins
    (Zensical), and print the mkdocs.yml settings they need.

    Pages go to OUTPUT/<path>/ (path from the plugin settings, default dr), each marked
    "exdr_generated" in its front matter; the stylesheet and scripts to OUTPUT/assets/exdr/,
    marked on their first line. A file there without that mark is someone's: generate lists
    every such file, writes nothing and exits 2. Nothing is written outside OUTPUT. After
    writing, a file the previous run listed in OUTPUT/.exdr-generated.json and this run did not
    write (the page of a renamed server) is removed if it is unchanged and still marked, and
    named on a "removed" line; an edited or copied marked file stays, named on a "stale" line.
    """
    config = project_config(config_file, inventory)
    plan = plan_of(config, as_of)
    pages = render_pages(
        plan,
        user_templates=Path(config.templates) if config.templates else None,
        prefix=config.path,
        print_limit=config.print_limit,
    )
    banner = offline.Banner(
        classification=config.classification,
        revision=offline.inventory_revision(Path(config.inventory), Path(config.policies)),
        as_of=plan.as_of,
        fingerprint=plan.fingerprint,
        built=offline.build_date(),
    ).html()
    shown_pages = {
        path: with_banner(content, banner) if path.endswith(".md") else content
        for path, content in pages.pages.items()
    }
    written = write_generated(Path(output), config.path, shown_pages, output)
    assets = Path(output) / SITE_FOLDER
    click.echo(
        f"# mkdocs-exdr generate: the settings these pages need in mkdocs.yml when the exdr "
        f"plugin does not run (Zensical); see README, Routes\n{route_settings(config.path)}",
        nl=False,
    )
    click.echo(f"wrote {len(SITE_FILES)} files to {assets}")
    click.echo(f"wrote {len(pages.pages)} files to {written.root}")
    for stale in written.removed:
        click.echo(f"removed {stale}: marked by an earlier generate and not written by this one")
    for stale, why in written.kept:
        click.echo(f"stale {stale}: left in place, {why}; remove it or drop its mark")


@main.command()
@config_option
@click.argument("kind", required=False, default="inventory", type=click.Choice(sorted(KINDS)))
@click.option(
    "--write",
    "folder",
    type=click.Path(file_okay=False),
    help="Write both schemas into this folder.",
)
@guarded
def schema(config_file: str | None, kind: str, folder: str | None) -> None:
    """Print the JSON Schema of inventory (default) or policy files, or write both.

    Role, backup-item and finding-code fields list the known ids: the built-in policies' and
    those of the project's own policies (the policies option of mkdocs.yml).
    """
    config = project_config(config_file)
    policies = Path(config.policies)
    catalog = load_catalog(policies, shown(policies))
    if folder is None:
        click.echo(schema_text(kind, catalog), nl=False)
        return
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    for name in sorted(KINDS):
        path = target / f"{name}.schema.json"
        path.write_text(schema_text(name, catalog), encoding="utf-8")
        click.echo(f"wrote {path}")


def run() -> None:
    """The console script: ``main`` with the cyclic garbage collector paused, then a quick exit.

    Loading builds millions of small objects and no reference cycles; the cyclic collector would
    walk the growing heap again and again (measured: half the time of ``check`` on 10,000
    servers). The pause is for this process only, never in the library: the plugin runs inside
    MkDocs, which owns its process.

    Letting the interpreter free those objects one by one at exit took seconds (measured: 3 s of
    an 8 s check of 10,000 servers). Output is flushed and nothing else needs the interpreter's
    clean-up, so the process ends at once.
    """
    code: int | str | None = 0
    enabled = gc.isenabled()
    gc.disable()
    try:
        main(standalone_mode=True)
    except SystemExit as exit_:
        code = exit_.code
    finally:
        if enabled:
            gc.enable()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError):
            stream.flush()
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    os._exit(code or 0)
