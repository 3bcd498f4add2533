"""The ``l2c`` Typer application. Exit codes: 0 ok, 1 failure, 2 usage or configuration."""

from __future__ import annotations

import typer

from lead2cash import __version__
from lead2cash.cli import (
    audit,
    billing,
    config,
    db,
    demo,
    emulator,
    flows,
    imports,
    jobs,
    odoo,
    serve,
    tokens,
    trace,
    worker,
)

app = typer.Typer(
    name="l2c",
    help="lead2cash: CRM, time tracking and Odoo, connected.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(jobs.app, name="jobs")
app.add_typer(audit.app, name="audit")
app.add_typer(config.app, name="config")
app.add_typer(tokens.app, name="tokens")
app.add_typer(imports.app, name="import")
app.add_typer(emulator.app, name="emulator")
app.add_typer(odoo.app, name="odoo")
app.add_typer(flows.approvals, name="approvals")
app.add_typer(billing.app, name="billing")
app.command("sync")(flows.sync)
app.command("worker")(worker.worker)
app.command("demo")(demo.demo)
app.command("trace")(trace.trace_command)
app.command("serve")(serve.serve)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"l2c {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """lead2cash: CRM, time tracking and Odoo, connected."""


def main() -> None:
    app()
