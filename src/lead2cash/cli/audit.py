"""``l2c audit``: the hash-chained audit log."""

from __future__ import annotations

import typer

from lead2cash.cli.common import DB_OPTION, console, err_console, open_store, print_json

app = typer.Typer(help="The audit log.", no_args_is_help=True)


@app.command("verify")
def verify(
    database_url: str | None = DB_OPTION, as_json: bool = typer.Option(False, "--json")
) -> None:
    """Walk the chain; exit 1 if any row was changed, deleted or inserted."""
    store = open_store(database_url)
    report = store.audit.verify()
    store.close()
    if as_json:
        print_json({"ok": report.ok, "rows": report.rows, "problems": report.problems})
    elif report.ok:
        console.print(f"audit chain intact: {report.rows} rows")
    else:
        for problem in report.problems:
            err_console.print(f"[red]{problem}[/red]", highlight=False)
        err_console.print(
            f"audit chain BROKEN: {len(report.problems)} problems in {report.rows} rows"
        )
    if not report.ok:
        raise typer.Exit(1)
