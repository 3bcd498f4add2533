"""``l2c import timesheets|expenses FILE --profile NAME``: a CSV export into the hub."""

from __future__ import annotations

from pathlib import Path

import typer

from lead2cash import errors
from lead2cash.cli.common import DB_OPTION, console, err_console, fail, open_store
from lead2cash.flows.imports import ImportKind, ImportReport, import_file

app = typer.Typer(help="Import CSV exports of time and expense tools.", no_args_is_help=True)

PROFILE = typer.Option(
    "generic",
    "--profile",
    "-p",
    help="Column profile: generic, clockify, toggl, harvest, expensify.",
)
WHOLE = typer.Option(
    False,
    "--all-or-nothing",
    help="Refuse the whole file if any row is bad (default: hold bad rows "
    "as exceptions and import the rest).",
)
CURRENCY = typer.Option(None, "--currency", help="Currency when the file does not say.")
APPROVED = typer.Option(
    None,
    "--assume-approved/--assume-unapproved",
    help="Approval of rows in files without an approval column.",
)


def _run(
    kind: ImportKind,
    path: Path,
    profile: str,
    whole: bool,
    currency: str | None,
    approved: bool | None,
    database_url: str | None,
) -> None:
    if not path.is_file():
        fail(f"no such file: {path}", code=2)
    store = open_store(database_url)
    try:
        report = import_file(
            store,
            kind,
            path,
            profile,
            all_or_nothing=whole,
            default_currency=currency,
            assume_approved=approved,
        )
    except errors.ConfigError as exc:
        fail(exc.message, code=2)
    finally:
        store.close()
    _print(report)
    if report.refused or report.errors:
        raise typer.Exit(1)


def _print(report: ImportReport) -> None:
    for error in report.errors:
        err_console.print(f"[red]{error}[/red]", highlight=False)
    if report.refused:
        err_console.print(
            f"refused: {len(report.errors)} problem(s) in {report.total_rows} "
            "rows; nothing imported (--all-or-nothing)"
        )
        return
    console.print(
        f"{report.kind} ({report.profile}): {report.total_rows} rows, "
        f"{report.stored} stored, {report.duplicates} already imported, "
        f"{report.held} held as exceptions (l2c jobs list --state exception)"
    )


@app.command("timesheets")
def timesheets(
    path: Path,
    profile: str = PROFILE,
    whole: bool = WHOLE,
    currency: str | None = CURRENCY,
    approved: bool | None = APPROVED,
    database_url: str | None = DB_OPTION,
) -> None:
    """Import a timesheet export."""
    _run("timesheets", path, profile, whole, currency, approved, database_url)


@app.command("expenses")
def expenses(
    path: Path,
    profile: str = PROFILE,
    whole: bool = WHOLE,
    currency: str | None = CURRENCY,
    approved: bool | None = APPROVED,
    database_url: str | None = DB_OPTION,
) -> None:
    """Import an expense export."""
    _run("expenses", path, profile, whole, currency, approved, database_url)
