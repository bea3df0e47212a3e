"""What the commands share: options, the configuration, the plan, and exit codes 2 and 3."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from mkdocs_exdr.cli.config import find_config, read_config
from mkdocs_exdr.cli.reporters import REPORTERS, TEXT
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.pipeline import build_plan, resolve_as_of, resolve_fail_on
from mkdocs_exdr.plan.findings import SEVERITIES
from mkdocs_exdr.plan.model import Plan
from mkdocs_exdr.plugin.config import ExdrConfig

REPORT = "please report it with the output of the same command run with --debug"
F = TypeVar("F", bound=Callable[..., Any])


def guarded(func: F) -> F:
    """Turn invalid input into exit 2 and bugs into exit 3 with one line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.pop("debug", False)
        try:
            return func(*args, **kwargs)
        except InvalidInput as error:
            reporter = REPORTERS[kwargs.get("output_format") or "text"]
            click.echo(reporter.problems(error), err=reporter.problems_to_stderr)
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


def project_config(config_file: str | None, inventory: str | None = None) -> ExdrConfig:
    """The exdr options of mkdocs.yml; an INVENTORY argument overrides the inventory alone."""
    path = find_config(config_file)
    if path is not None and not path.is_file():
        raise click.UsageError(f"{path}: no such configuration file")
    config, warnings = read_config(path)
    for warning in warnings:
        click.echo(TEXT.lines([str(warning)]), err=True)
    if inventory is not None:
        config["inventory"] = str(Path(inventory).resolve())
    return config


def as_of_date(flag: dt.datetime | None, config: ExdrConfig) -> dt.date:
    """``--as-of``, else the as_of option, else SOURCE_DATE_EPOCH, else today."""
    try:
        return resolve_as_of(flag.date() if flag else None, config.as_of)
    except ValueError as error:  # SOURCE_DATE_EPOCH; as_of itself is checked with the options
        raise click.UsageError(str(error)) from None


def plan_of(config: ExdrConfig, as_of: dt.datetime | None) -> Plan:
    """The plan of the configured inventory and policies."""
    inventory, policies = Path(config.inventory), Path(config.policies)
    return build_plan(
        inventory,
        policies,
        as_of_date(as_of, config),
        shown_inventory=shown(inventory),
        shown_policies=shown(policies),
    )


def shown(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def fail_on_level(flag: str | None, config: ExdrConfig, plan: Plan) -> str:
    """``--fail-on``, else the fail_on option, else the organisation's, else warning."""
    value = resolve_fail_on(flag, config.fail_on, plan)
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
