"""What every command shares: settings from the environment, the store, output helpers."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

from lead2cash import errors
from lead2cash.settings import Settings, load_settings
from lead2cash.store.facade import Store

console = Console()
err_console = Console(stderr=True)

LOG_JSON = typer.Option(
    False,
    "--log-json",
    envvar="L2C_LOG_JSON",
    help="Log one JSON object per line (for log shippers).",
)

DB_OPTION = typer.Option(
    None,
    "--database-url",
    envvar="L2C_DATABASE_URL",
    help="SQLAlchemy URL of the store (default: SQLite in ./.l2c/).",
    show_envvar=True,
)


def settings(database_url: str | None = None) -> Settings:
    try:
        return load_settings(database_url=database_url)
    except Exception as exc:  # noqa: BLE001 - any settings problem is a usage error here
        fail(f"invalid settings: {exc}", code=2)


def open_store(database_url: str | None = None, *, upgrade: bool = True) -> Store:
    """Open the store, bringing its schema up to date (idempotent and fast when current)."""
    s = settings(database_url)
    key = s.audit_key.get_secret_value().encode() if s.audit_key else None
    try:
        return Store.open(s.resolved_database_url(), audit_key=key, upgrade=upgrade)
    except errors.Lead2CashError as exc:
        fail(str(exc), code=2)


def fail(message: str, *, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}", highlight=False)
    raise typer.Exit(code)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=2, default=str, sort_keys=True) + "\n")
