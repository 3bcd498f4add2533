"""expenses: approved expenses into Odoo as ``hr.expense``, as a nightly batch.

``expenses.run`` (``flows.expenses.schedule``, 02:00 by default) reads the expenses Harvest
changed since the cursor and enqueues one batch per project (:mod:`lead2cash.flows.work`); each
batch books the project's expenses on its analytic account and company, in the expense's
currency, re-invoiced per category (sheets on Odoo 17/18, per-expense submission on 19: see
:mod:`lead2cash.connectors.odoo.gateway.expenses`). CSV exports from an expense platform
(``l2c import expenses FILE --profile expensify``) arrive as ``csv.expenses.import`` jobs and
take the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lead2cash.connectors.csvfile import canonical as csv_canonical
from lead2cash.connectors.csvfile.rows import ExpenseRow
from lead2cash.connectors.harvest import canonical as harvest_canonical
from lead2cash.connectors.harvest.sync import sync_expenses
from lead2cash.connectors.odoo.gateway import EntryResult, Scope
from lead2cash.engine.handlers import JobContext
from lead2cash.flows import work
from lead2cash.flows.runtime import Hub, hub_of, inbound

CURSOR = "expenses.harvest"


@dataclass(frozen=True)
class RunReport:
    read: int
    batches: int
    held: int


def _sync(hub: Hub, batch: str) -> work.Sync:
    def sync(scope: Scope, items: list[Any]) -> list[EntryResult]:
        return hub.gateway.expenses.sync(scope, items, batch=batch)

    return sync


def _batch_name(ctx: JobContext) -> str:
    return f"job{ctx.job.id}"


def run(hub: Hub) -> RunReport:
    """Read Harvest's changed expenses and enqueue their batches (with the cursor)."""
    client = hub.need_harvest()
    cursor = hub.cursor(CURSOR, "expenses")
    found = sync_expenses(client, cursor)
    converted = [harvest_canonical.expense(record) for record in found.records]
    planned = work.plan(hub, converted)
    batches = work.enqueue_plan(
        hub, "expenses", planned, cursor=(CURSOR, found.cursor.model_dump(mode="json"))
    )
    return RunReport(len(converted), batches, len(planned.unplaced))


def handle_run(ctx: JobContext) -> None:
    report = run(hub_of(ctx))
    ctx.log.info("expenses: %d read, %d batches, %d held", report.read, report.batches, report.held)


def handle_batch(ctx: JobContext) -> None:
    hub = hub_of(ctx)
    work.handle_batch(ctx, hub, "expenses", _sync(hub, _batch_name(ctx)))


def handle_entry(ctx: JobContext) -> None:
    hub = hub_of(ctx)
    work.handle_entry(ctx, hub, "expenses", _sync(hub, _batch_name(ctx)))


def handle_csv_row(ctx: JobContext) -> None:
    hub = hub_of(ctx)
    expense = csv_canonical.expense(ExpenseRow.model_validate(inbound(hub, ctx)))
    work.handle_entry(ctx, hub, "expenses", _sync(hub, _batch_name(ctx)), items=[expense])
