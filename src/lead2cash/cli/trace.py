"""``l2c trace <correlation id | system:type:external_id>``: the whole story."""

from __future__ import annotations

import typer
from rich.table import Table

from lead2cash.cli.common import DB_OPTION, console, fail, open_store, print_json
from lead2cash.store.trace import trace


def trace_command(
    subject: str = typer.Argument(..., help="Correlation id or system:type:external_id."),
    as_json: bool = typer.Option(False, "--json"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Tell the whole story of a message or business object."""
    store = open_store(database_url)
    found = trace(store, subject)
    store.close()
    if not found.events and found.binding is None:
        fail(f"nothing known about {subject!r}")
    if as_json:
        print_json(
            {
                "subject": subject,
                "binding": found.binding,
                "correlation_ids": found.correlation_ids,
                "events": found.timeline(),
            }
        )
        return
    if found.binding:
        b = found.binding
        console.print(f"bound to {b['odoo_model']} {b['odoo_id']} (synced {b['synced_at']})")
    table = Table("at", "what", "detail", "by", title=f"trace of {subject}")
    for e in found.timeline():
        table.add_row(
            e["at"].strftime("%Y-%m-%d %H:%M:%S"), e["what"], e["detail"], e.get("actor", "")
        )
    console.print(table)
