"""``l2c billing readiness`` (what a run would invoice, and what blocks it) and ``l2c billing
run`` (draft the period's invoices in Odoo)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import typer
from rich.table import Table

from lead2cash import errors
from lead2cash.billing.period import Period
from lead2cash.cli.common import DB_OPTION, console, fail, open_store, print_json
from lead2cash.cli.config import ENV, FILE, load_all
from lead2cash.flows import billing as billing_flow
from lead2cash.flows import readiness as readiness_flow
from lead2cash.flows.build import hub_from_config
from lead2cash.flows.runtime import Hub
from lead2cash.store.facade import Store

app = typer.Typer(help="Contract billing: the readiness report and the billing run.")

PERIOD = typer.Option(..., "--period", help="The billing period, YYYY-MM.")
FORMATS = ("table", "json", "csv")


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except errors.Lead2CashError as exc:
        fail(str(exc), code=2)


def _hub(path: Path, env: str, database_url: str | None) -> tuple[Hub, Store]:
    try:
        config, mapper = load_all(path, env)
    except errors.Lead2CashError as exc:
        fail(str(exc), code=2)
    store = open_store(database_url)
    return hub_from_config(config, mapper, store), store


@app.command()
def readiness(
    period: str = PERIOD,
    output: str = typer.Option("table", "--format", help="table, json or csv"),
    path: Path = FILE,
    env: str = ENV,
    database_url: str | None = DB_OPTION,
) -> None:
    """Per contract: what would be invoiced for the period and what blocks it, with amounts."""
    if output not in FORMATS:
        fail(f"--format is one of {', '.join(FORMATS)}", code=2)
    when = _period(period)
    hub, store = _hub(path, env, database_url)
    try:
        rows = [r.as_row() for r in readiness_flow.report(hub, when)]
    except errors.Lead2CashError as exc:
        fail(str(exc))
    finally:
        hub.close()
        store.close()
    if output == "json":
        print_json(rows)
        return
    if output == "csv":
        names = list(rows[0]) if rows else list(readiness_flow.Readiness("").as_row())
        writer = csv.DictWriter(sys.stdout, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)
        return
    table = Table(title=f"billing readiness {when}")
    columns = {
        "contract": "contract",
        "terms": "terms",
        "currency": "cur",
        "status": "status",
        "would_invoice": "would invoice",
        "not_in_odoo_hours": "h not in Odoo",
        "held_records": "held",
        "over_cap_amount": "over cap",
        "rate_mismatch_amount": "rate diff",
        "expense_problems": "expense issues",
        "milestones_ready_amount": "milestones ready",
        "notes": "notes",
    }
    for title in columns.values():
        table.add_column(title)
    for row in rows:
        table.add_row(*(str(row[k]) for k in columns))
    console.print(table)


@app.command("run")
def run_billing(
    period: str = PERIOD,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the invoices; draft nothing."),
    contract: list[str] = typer.Option(
        [], "--contract", help="Only this contract (hubspot:deal:9001); repeatable."
    ),
    by: str = typer.Option("cli", "--by", help="Who runs it (recorded in the audit log)."),
    as_json: bool = typer.Option(False, "--json"),
    path: Path = FILE,
    env: str = ENV,
    database_url: str | None = DB_OPTION,
) -> None:
    """Draft the period's invoices in Odoo, once per contract and period. Exit 1 when a draft
    does not match the contract terms or a contract could not be billed."""
    when = _period(period)
    hub, store = _hub(path, env, database_url)
    try:
        outcomes = billing_flow.run(hub, when, actor=by, dry_run=dry_run, contracts=tuple(contract))
    except errors.Lead2CashError as exc:
        fail(str(exc))
    finally:
        hub.close()
        store.close()
    if as_json:
        print_json(
            [
                {
                    "contract": o.contract,
                    "period": str(o.period),
                    "status": o.status,
                    "invoice_ids": list(o.invoice_ids),
                    "proposed": None if o.proposal is None else str(o.proposal.total.amount),
                    "invoiced": None if o.invoiced is None else str(o.invoiced.amount),
                    "lines": []
                    if o.proposal is None
                    else [line.model_dump(mode="json") for line in o.proposal.lines],
                    "note": o.note,
                }
                for o in outcomes
            ]
        )
    else:
        title = f"billing run {when}" + (" (dry run: nothing drafted)" if dry_run else "")
        table = Table(title=title)
        for column in ("contract", "status", "lines", "proposed", "invoiced", "invoices", "note"):
            table.add_column(column)
        for o in outcomes:
            table.add_row(
                o.contract,
                o.status,
                "" if o.proposal is None else str(len(o.proposal.lines)),
                "" if o.proposal is None else str(o.proposal.total),
                "" if o.invoiced is None else str(o.invoiced),
                ", ".join(str(i) for i in o.invoice_ids),
                o.note,
            )
        console.print(table)
    if any(o.status in ("mismatch", "blocked") for o in outcomes):
        raise typer.Exit(1)
