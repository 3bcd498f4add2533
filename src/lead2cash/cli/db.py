"""``l2c db``: the store's schema."""

from __future__ import annotations

import typer

from lead2cash.cli.common import DB_OPTION, console, open_store

app = typer.Typer(help="The store's database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(database_url: str | None = DB_OPTION) -> None:
    """Create or migrate the schema to the latest revision."""
    store = open_store(database_url, upgrade=True)
    console.print(f"schema up to date at {store.engine.url.render_as_string(hide_password=True)}")
    store.close()
