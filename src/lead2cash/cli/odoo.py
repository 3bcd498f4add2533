"""``l2c odoo ...``: commands about the Odoo connection.

``l2c odoo doctor`` checks the database and the integration user (modules, access rights,
least privilege) and exits 0 when the hub can work (warnings allowed), 1 on a blocking problem,
2 on a usage or configuration error. Connection settings come from ``L2C_ODOO__URL``,
``L2C_ODOO__DB``, ``L2C_ODOO__LOGIN``, ``L2C_ODOO__API_KEY`` (and ``L2C_ODOO__PROTOCOL``), with
flags on top. The secret is never a flag value: ``--api-key-env NAME`` names the environment
variable that holds it.
"""

from __future__ import annotations

import pydantic
import typer
from rich.table import Table

from lead2cash import errors
from lead2cash.cli.common import console, fail, print_json
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.doctor import DoctorReport, run_doctor
from lead2cash.connectors.odoo.settings import PROTOCOLS, OdooEnvironment, OdooSettings
from lead2cash.security import secrets

app = typer.Typer(help="Odoo: check the connection and the integration user.", no_args_is_help=True)

_STYLE = {"ok": "green", "info": "cyan", "warning": "yellow", "blocking": "red"}


def odoo_settings(
    *,
    url: str | None,
    db: str | None,
    login: str | None,
    api_key_env: str | None,
    protocol: str | None,
) -> OdooSettings:
    """Settings from the environment and the flags; exits 2 when they are incomplete."""
    if protocol is not None and protocol not in PROTOCOLS:
        fail(f"--protocol must be one of {', '.join(PROTOCOLS)}", code=2)
    try:
        key = secrets.resolve(f"env:{api_key_env}") if api_key_env else None
        return OdooEnvironment().settings(
            url=url, db=db, login=login, api_key=key, protocol=protocol
        )
    except errors.ConfigError as exc:
        fail(exc.message, code=2)
    except pydantic.ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        fail(
            f"incomplete Odoo settings ({problems}); set L2C_ODOO__URL, L2C_ODOO__DB, "
            "L2C_ODOO__LOGIN and L2C_ODOO__API_KEY or use the flags",
            code=2,
        )


@app.command("doctor")
def doctor(
    url: str | None = typer.Option(None, "--url", help="Odoo base URL (L2C_ODOO__URL)."),
    db: str | None = typer.Option(None, "--db", help="Database name (L2C_ODOO__DB)."),
    login: str | None = typer.Option(
        None, "--login", help="Login of the integration user (L2C_ODOO__LOGIN)."
    ),
    api_key_env: str | None = typer.Option(
        None,
        "--api-key-env",
        help="Name of the environment variable holding the API key (default: L2C_ODOO__API_KEY).",
    ),
    protocol: str | None = typer.Option(
        None, "--protocol", help="auto (default), json2, jsonrpc or xmlrpc."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check modules, access rights and least privilege of the Odoo integration user."""
    settings = odoo_settings(
        url=url, db=db, login=login, api_key_env=api_key_env, protocol=protocol
    )
    with OdooClient(settings) as client:
        report = run_doctor(client)
    if as_json:
        print_json(report.to_dict())
    else:
        _print(report)
    if not report.ok:
        raise typer.Exit(1)


def _print(report: DoctorReport) -> None:
    table = Table(title=f"Odoo doctor: {report.url} db={report.db} login={report.login}")
    table.add_column("status")
    table.add_column("check")
    table.add_column("finding")
    for check in report.checks:
        style = _STYLE[check.status]
        table.add_row(f"[{style}]{check.status}[/{style}]", check.name, check.message)
    console.print(table)
    if report.ok:
        console.print(f"[green]ready[/green] ({len(report.warnings)} warning(s))")
    else:
        console.print(f"[red]{len(report.blocking)} blocking problem(s)[/red]")
