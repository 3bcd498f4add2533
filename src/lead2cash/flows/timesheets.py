"""timesheets: approved time into Odoo project accounting, as a scheduled micro-batch.

``timesheets.run`` (every 15 minutes by default; ``flows.timesheets.schedule``) reads the time
entries Harvest changed since the cursor (``updated_since`` with the overlap window; versions
already seen are skipped), maps each to canonical and enqueues one batch per project (see
:mod:`lead2cash.flows.work`). Entries that are not approved are carried too: an entry that was
synced and is now unapproved or deleted is removed from Odoo (an adjustment), or becomes a
``locked`` exception once invoiced. CSV imports (``l2c import timesheets``) arrive as
``csv.timesheets.import`` jobs, one per row, and take the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lead2cash.connectors.csvfile import canonical as csv_canonical
from lead2cash.connectors.csvfile.rows import TimesheetRow
from lead2cash.connectors.harvest import canonical as harvest_canonical
from lead2cash.connectors.harvest.sync import sync_time_entries
from lead2cash.connectors.odoo.gateway import EntryResult, Scope
from lead2cash.engine.handlers import JobContext
from lead2cash.flows import work
from lead2cash.flows.runtime import Hub, hub_of, inbound
from lead2cash.model.work import TimeEntry

CURSOR = "timesheets.harvest"


@dataclass(frozen=True)
class RunReport:
    read: int
    batches: int
    held: int


def _sync(hub: Hub) -> work.Sync:
    def sync(scope: Scope, items: list[Any]) -> list[EntryResult]:
        return hub.gateway.timesheets.sync(scope, items)

    return sync


def run(hub: Hub) -> RunReport:
    """Read Harvest's changed time entries and enqueue their batches (with the cursor)."""
    client = hub.need_harvest()
    cursor = hub.cursor(CURSOR, "timesheets")
    found = sync_time_entries(client, cursor)
    codes = harvest_canonical.project_codes(client) if found.records else {}
    entries: list[TimeEntry] = [harvest_canonical.time_entry(r, codes) for r in found.records]
    planned = work.plan(hub, entries)
    batches = work.enqueue_plan(
        hub, "timesheets", planned, cursor=(CURSOR, found.cursor.model_dump(mode="json"))
    )
    return RunReport(len(entries), batches, len(planned.unplaced))


def handle_run(ctx: JobContext) -> None:
    report = run(hub_of(ctx))
    ctx.log.info(
        "timesheets: %d entries read, %d batches, %d held",
        report.read,
        report.batches,
        report.held,
    )


def handle_batch(ctx: JobContext) -> None:
    hub = hub_of(ctx)
    work.handle_batch(ctx, hub, "timesheets", _sync(hub))


def handle_entry(ctx: JobContext) -> None:
    hub = hub_of(ctx)
    work.handle_entry(ctx, hub, "timesheets", _sync(hub))


def handle_csv_row(ctx: JobContext) -> None:
    hub = hub_of(ctx)
    entry = csv_canonical.time_entry(TimesheetRow.model_validate(inbound(hub, ctx)))
    work.handle_entry(ctx, hub, "timesheets", _sync(hub), items=[entry])
