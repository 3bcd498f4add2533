"""``l2c tokens``: API tokens for the console and the API (viewer, operator, admin)."""

from __future__ import annotations

import typer
from rich.table import Table

from lead2cash import errors
from lead2cash.cli.common import DB_OPTION, console, fail, open_store
from lead2cash.security.tokens import Role, TokenStore

app = typer.Typer(help="API tokens and their roles.", no_args_is_help=True)


@app.command("create")
def create(
    name: str = typer.Argument(..., help="Who or what uses the token."),
    role: str = typer.Option("viewer", "--role", help="viewer, operator or admin."),
    database_url: str | None = DB_OPTION,
) -> None:
    """Create a token and print it once (only its digest is stored)."""
    store = open_store(database_url)
    try:
        token = TokenStore(store.engine).create(name, Role.parse(role))
    except errors.ValidationError as exc:
        fail(exc.message, code=2)
    finally:
        store.close()
    console.print(token, highlight=False, markup=False)


@app.command("revoke")
def revoke(name: str, database_url: str | None = DB_OPTION) -> None:
    """Revoke a token at once."""
    store = open_store(database_url)
    done = TokenStore(store.engine).revoke(name)
    store.close()
    if not done:
        fail(f"no active token named {name!r}")
    console.print(f"revoked {name}")


@app.command("list")
def list_tokens(database_url: str | None = DB_OPTION) -> None:
    """The tokens, their roles and whether they are revoked (never their values)."""
    store = open_store(database_url)
    rows = TokenStore(store.engine).list()
    store.close()
    table = Table("name", "role", "created", "revoked")
    for r in rows:
        table.add_row(
            str(r["name"]), str(r["role"]), str(r["created_at"]), str(r["revoked_at"] or "")
        )
    console.print(table)
