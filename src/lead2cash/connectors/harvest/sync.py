"""Incremental reads of Harvest by ``updated_at``, driven by a WatermarkCursor.

Harvest has no webhooks, so the hub polls with ``updated_since`` (reference §3.1). One run:

1. reads every record with ``updated_at >= cursor.read_from()`` (the watermark minus the
   cursor's overlap), following ``links.next``;
2. emits each ``(id, updated_at)`` version once: the cursor remembers the versions it emitted
   inside the overlap window, so records modified exactly at the watermark, or committed late,
   are picked up on the next run and never twice;
3. caps the new watermark at the time the run started: a record modified while the run was
   paging (already read, or moved past the read position) has ``updated_at`` after that time
   and is read again by the next run, whose lower bound is ``start - overlap``;
4. re-reads the listing (at most ``max_passes`` times) when it was read with *offset* paging
   over several pages and changed underneath (``total_entries`` moved between pages, or a
   record updated after the run started was seen): offsets then shift, and a record that was
   not itself modified could otherwise slip between two pages. Cursor (keyset) paging does not
   shift, so it needs no second pass.

The cursor given is never mutated: the result carries the advanced copy, to be stored by the
caller in the same transaction as the records (nothing lost if the run dies half-way).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.harvest import client as harvest_client
from lead2cash.connectors.harvest import wire
from lead2cash.connectors.harvest.client import HarvestClient, ParamValue, Resource

log = logging.getLogger(__name__)

V = TypeVar(
    "V",
    wire.TimeEntry,
    wire.Expense,
    wire.User,
    wire.Client,
    wire.Project,
    wire.Task,
    wire.ExpenseCategory,
)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SyncResult(Generic[V]):
    """The record versions a run found new, and the cursor to store with them."""

    records: list[V]
    cursor: WatermarkCursor
    pages: int
    passes: int
    #: The listing still changed under the last pass (see the module docstring, point 4).
    unstable: bool = False


def sync(
    client: HarvestClient,
    resource: Resource[V],
    cursor: WatermarkCursor,
    *,
    params: dict[str, ParamValue] | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult[V]:
    """One incremental run over ``resource`` (any list with ``updated_since``)."""
    work = cursor.model_copy(deep=True)
    since = work.read_from()
    query: dict[str, ParamValue] = dict(params or {})
    if since is not None:
        query["updated_since"] = since
    started = now()
    found: list[V] = []
    total_pages = 0
    passes = 0
    unstable = False
    while passes < client.settings.max_passes:
        passes += 1
        # Harvest stamps whole seconds: a change in the run's first second has that second.
        pass_started = now().replace(microsecond=0)
        totals: set[int] = set()
        changed_during = False
        offset_paged = False
        pages = 0
        for page in client.pages(resource, query):
            pages += 1
            if page.envelope.total_entries is not None:
                totals.add(page.envelope.total_entries)
            if page.next_url is not None and not page.cursor_paged:
                offset_paged = True
            for raw in page.records:
                record = resource.model.model_validate(raw)
                if record.updated_at >= pass_started:
                    changed_during = True
                if work.accept(str(record.id), record.updated_at):
                    found.append(record)
        total_pages += pages
        unstable = offset_paged and pages > 1 and (len(totals) > 1 or changed_during)
        if not unstable:
            break
        log.info(
            "harvest %s changed while paging; reading it again",
            resource.key,
            extra={"action": "harvest_sync_repass", "system": "harvest", "pass": passes},
        )
    if unstable:
        log.warning(
            "harvest %s kept changing over %d passes; records modified meanwhile come next run",
            resource.key,
            passes,
            extra={"action": "harvest_sync_unstable", "system": "harvest"},
        )
    if work.watermark is not None and work.watermark > started:
        work.watermark = started
    work.compact()
    return SyncResult(found, work, total_pages, passes, unstable)


def sync_time_entries(
    client: HarvestClient,
    cursor: WatermarkCursor,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult[wire.TimeEntry]:
    """New versions of time entries (approved or not: ``record.approved`` tells)."""
    return sync(client, harvest_client.TIME_ENTRIES, cursor, now=now)


def sync_expenses(
    client: HarvestClient,
    cursor: WatermarkCursor,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult[wire.Expense]:
    """New versions of expenses (``record.approved`` is Harvest's ``is_closed``)."""
    return sync(client, harvest_client.EXPENSES, cursor, now=now)
