"""Incremental reads of HubSpot CRM objects by their last-modified time.

Live records are read with search (reference §1.3), sorted by the modified property
(``hs_lastmodifieddate``; ``lastmodifieddate`` for contacts) and filtered to the run's window
``[cursor.read_from(), run start]``. Search pages hold at most 200 records and no query can page
past its 10,000th result (HubSpot answers 400), so the run never pages with ``after``: after each
page the window is split at the last modified time read, and the next query asks for the rest of
the window only (keyset paging). This

* reads any number of changes, however many share the window (no query pages past 200);
* is immune to offset shifts: a record modified during the run leaves the window (its new time
  is after the run's start) without moving any record that has not been read yet;
* re-reads the records that share the page's last timestamp (the next window starts *at* it);
  they are deduplicated by the cursor. When a whole page shares one timestamp (a bulk import),
  that instant is read on its own, ordered by ``hs_object_id`` and keyed on the last id read.

Each ``(id, modified)`` version is emitted once: the
:class:`~lead2cash.connectors.cursor.WatermarkCursor` reads from ``watermark - overlap`` and
remembers the versions emitted inside the overlap, so records modified exactly at the watermark
or indexed late by search (HubSpot's index lags a few seconds) come in the next run, never twice.
The new watermark is capped at the run's start; records modified during the run are read by the
next one.

Archived records are not searchable: :func:`sync_archived` lists them (``archived=true``) and
emits those archived since the cursor, keyed by ``archivedAt``. Keep a separate cursor for it.

The cursor given is never mutated; the result carries the advanced copy, to be stored by the
caller together with the records.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.hubspot import wire
from lead2cash.connectors.hubspot.client import HubSpotClient, ObjectKey
from lead2cash.connectors.hubspot.objects import (
    COMPANIES,
    CONTACTS,
    DEALS,
    LINE_ITEMS,
    ObjectType,
    object_type,
)

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RecordVersion:
    """One new version of a record, with the ids of its associated records by type."""

    object_type: ObjectType
    record: wire.CrmObject
    modified: datetime
    associations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.record.id


@dataclass(frozen=True)
class SyncResult:
    """The versions a run found new, the cursor to store with them, and what it cost."""

    records: list[RecordVersion]
    cursor: WatermarkCursor
    #: Search (or list) requests sent.
    queries: int
    #: The largest ``total`` a search reported (more than 10,000 shows why paging is keyset).
    largest_total: int = 0
    #: Instants read on their own because a whole page shared them.
    tie_scans: int = 0


@dataclass
class _Run:
    client: HubSpotClient
    kind: ObjectType
    properties: list[str]
    high_ms: int
    queries: int = 0
    largest_total: int = 0
    tie_scans: int = 0

    def _search(self, filters: list[wire.Filter], sort: str, limit: int) -> wire.SearchPage:
        request = wire.SearchRequest(
            filter_groups=[wire.FilterGroup(filters=filters)],
            sorts=[wire.Sort(property_name=sort)],
            properties=self.properties,
            limit=limit,
        )
        page = self.client.search(self.kind, request)
        self.queries += 1
        self.largest_total = max(self.largest_total, page.total)
        return page

    def pages(self, low_ms: int) -> Iterator[list[wire.CrmObject]]:
        """Every record modified in ``[low_ms, high_ms]``, page by page (see the docstring)."""
        prop = self.kind.modified_property
        limit = self.client.settings.search_page_size
        start = low_ms
        while start <= self.high_ms:
            window = [
                wire.Filter(property_name=prop, operator="GTE", value=str(start)),
                wire.Filter(property_name=prop, operator="LTE", value=str(self.high_ms)),
            ]
            page = self._search(window, prop, limit)
            if not page.results:
                return
            yield page.results
            if page.next_after is None or len(page.results) < limit:
                return
            last = wire.epoch_ms(page.results[-1].modified(prop))
            if last <= start:
                # The whole page shares one instant: read it on its own, by object id.
                yield from self._instant(start, limit)
                last = start + 1
            start = last

    def _instant(self, at_ms: int, limit: int) -> Iterator[list[wire.CrmObject]]:
        self.tie_scans += 1
        prop = self.kind.modified_property
        last_id = "0"
        while True:
            filters = [
                wire.Filter(property_name=prop, operator="GTE", value=str(at_ms)),
                wire.Filter(property_name=prop, operator="LTE", value=str(at_ms)),
                wire.Filter(property_name="hs_object_id", operator="GT", value=last_id),
            ]
            page = self._search(filters, "hs_object_id", limit)
            if not page.results:
                return
            yield page.results
            if page.next_after is None or len(page.results) < limit:
                return
            last_id = max(page.results, key=lambda r: int(r.id)).id


def sync(
    client: HubSpotClient,
    obj: ObjectKey,
    cursor: WatermarkCursor,
    *,
    properties: Sequence[str] | None = None,
    associations: Sequence[ObjectKey] = (),
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult:
    """One incremental run over ``obj``: new record versions, with their associations."""
    kind = object_type(obj)
    work = cursor.model_copy(deep=True)
    started = now().astimezone(UTC)
    high_ms = wire.epoch_ms(started)
    low = work.read_from()
    low_ms = 0 if low is None else max(0, wire.epoch_ms(low))
    props = kind.read_properties(tuple(properties or ()))
    run = _Run(client, kind, props, high_ms)
    found: list[RecordVersion] = []
    targets = [object_type(t) for t in associations]
    for page in run.pages(low_ms):
        fresh: list[tuple[wire.CrmObject, datetime]] = []
        for record in page:
            modified = record.modified(kind.modified_property)
            if work.accept(record.id, modified):
                fresh.append((record, modified))
        linked = _associations(client, kind, targets, [r.id for r, _ in fresh])
        found.extend(
            RecordVersion(kind, record, modified, linked.get(record.id, {}))
            for record, modified in fresh
        )
    if work.watermark is not None and work.watermark > started:
        work.watermark = started
    work.compact()
    log.info(
        "hubspot %s sync read %d new version(s) in %d quer(ies)",
        kind.name,
        len(found),
        run.queries,
        extra={"action": "hubspot_sync", "system": "hubspot", "object_type": kind.name},
    )
    return SyncResult(found, work, run.queries, run.largest_total, run.tie_scans)


def _associations(
    client: HubSpotClient, kind: ObjectType, targets: list[ObjectType], ids: list[str]
) -> dict[str, dict[str, tuple[str, ...]]]:
    linked: dict[str, dict[str, tuple[str, ...]]] = {i: {} for i in ids}
    if not ids:
        return linked
    for target in targets:
        for record_id, items in client.batch_associations(kind, target, ids).items():
            if record_id in linked:
                unique = dict.fromkeys(a.to_object_id for a in items)
                linked[record_id][target.name] = tuple(unique)
    return linked


def sync_deals(
    client: HubSpotClient,
    cursor: WatermarkCursor,
    *,
    properties: Sequence[str] | None = None,
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult:
    """New deal versions with their companies, contacts and line items (associations v4)."""
    return sync(
        client,
        DEALS,
        cursor,
        properties=properties,
        associations=(COMPANIES, CONTACTS, LINE_ITEMS),
        now=now,
    )


def sync_companies(
    client: HubSpotClient, cursor: WatermarkCursor, *, now: Callable[[], datetime] = _utcnow
) -> SyncResult:
    return sync(client, COMPANIES, cursor, now=now)


def sync_contacts(
    client: HubSpotClient, cursor: WatermarkCursor, *, now: Callable[[], datetime] = _utcnow
) -> SyncResult:
    return sync(client, CONTACTS, cursor, associations=(COMPANIES,), now=now)


def sync_line_items(
    client: HubSpotClient, cursor: WatermarkCursor, *, now: Callable[[], datetime] = _utcnow
) -> SyncResult:
    return sync(client, LINE_ITEMS, cursor, now=now)


def sync_archived(
    client: HubSpotClient,
    obj: ObjectKey,
    cursor: WatermarkCursor,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult:
    """Records archived since the cursor (``archived=true`` lists; keyed by ``archivedAt``)."""
    kind = object_type(obj)
    work = cursor.model_copy(deep=True)
    started = now().astimezone(UTC)
    low = work.read_from()
    found: list[RecordVersion] = []
    queries = 0
    for page in client.pages(kind, archived=True):
        queries += 1
        for record in page.results:
            at = record.archived_at or record.updated_at
            if low is not None and at < low:
                continue
            if at > started + timedelta(milliseconds=1):
                continue  # archived during the run: the next run reads it
            if work.accept(record.id, at):
                found.append(RecordVersion(kind, record, at))
    if work.watermark is not None and work.watermark > started:
        work.watermark = started
    work.compact()
    return SyncResult(found, work, queries)
