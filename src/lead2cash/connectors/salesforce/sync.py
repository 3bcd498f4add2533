"""Incremental reads of Salesforce by ``SystemModstamp``, driven by a WatermarkCursor, and
deletions from ``sobjects/<T>/deleted``.

Records (reference §2.4). One run:

1. queries ``... WHERE <filter> AND SystemModstamp >= <cursor.read_from()> ORDER BY
   SystemModstamp, Id`` (the watermark minus the cursor's overlap; SystemModstamp rather than
   LastModifiedDate because it also moves on system changes) and follows ``nextRecordsUrl``;
2. emits each ``(Id, SystemModstamp)`` version once: the cursor remembers what it emitted inside
   the overlap window, so a record modified in the same second as the watermark but committed
   after the read is picked up next run, and never twice;
3. caps the new watermark at the time the run started, so a record modified while the run was
   paging (its new stamp is later than that) is read again by the next run. Salesforce fixes a
   query's rows when it runs, so such a record was either not in this run or read in its old
   version: either way the new version comes next run, once.

Won deals are opportunities with ``IsWon = true`` (never a StageName string: orgs rename and add
won stages), read with their account (relationship fields), line items and contact roles (child
subqueries) in one query per batch. Adding, changing or removing line items rolls ``Amount`` up
to the opportunity and moves its stamp; an edit of a line item or contact role that changes no
rolled-up value does not, so read ``OpportunityLineItem``/``OpportunityContactRole`` with
:func:`sync_records` too when those edits matter.

Deletions: ``/deleted`` answers for ``[start, end)`` with minutes (seconds ignored), looks back
at most 30 days (15 for what the recycle bin still holds), and tells ``latestDateCovered`` (the
next start) and ``earliestDateAvailable``. When the stored position is older than the API can
look back, or older than ``earliestDateAvailable``, deletions may have been missed: the result
says ``gap=True`` and the caller reconciles by a full id listing.

The cursor given is never mutated: results carry the advanced copy, to be stored by the caller
with the records.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.salesforce import wire
from lead2cash.connectors.salesforce.client import SalesforceClient

T = TypeVar("T")

OPPORTUNITY_FIELDS = (
    "Id",
    "Name",
    "AccountId",
    "Amount",
    "CloseDate",
    "StageName",
    "IsClosed",
    "IsWon",
    "Probability",
    "Type",
    "LeadSource",
    "OwnerId",
    "Pricebook2Id",
    "Description",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
)
ACCOUNT_FIELDS = (
    "Id",
    "Name",
    "AccountNumber",
    "Type",
    "Industry",
    "Phone",
    "Website",
    "BillingStreet",
    "BillingCity",
    "BillingState",
    "BillingPostalCode",
    "BillingCountry",
    "SystemModstamp",
)
LINE_ITEM_FIELDS = (
    "Id",
    "OpportunityId",
    "Product2Id",
    "PricebookEntryId",
    "Product2.Name",
    "Product2.ProductCode",
    "Quantity",
    "UnitPrice",
    "TotalPrice",
    "ServiceDate",
    "Description",
)
CONTACT_ROLE_FIELDS = (
    "Id",
    "ContactId",
    "Role",
    "IsPrimary",
    "Contact.Id",
    "Contact.FirstName",
    "Contact.LastName",
    "Contact.Email",
    "Contact.Phone",
    "Contact.Title",
)
#: How far back ``/deleted`` and ``/updated`` accept a start.
MAX_REPLICATION_LOOKBACK = timedelta(days=30)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def new_cursor(client: SalesforceClient) -> WatermarkCursor:
    """An empty cursor with the configured overlap."""
    return WatermarkCursor(overlap_seconds=client.settings.overlap_seconds)


@dataclass(frozen=True)
class SyncResult(Generic[T]):
    """The record versions a run found new, and the cursor to store with them."""

    records: list[T]
    cursor: WatermarkCursor
    pages: int


def incremental_soql(
    sobject: str, fields: Sequence[str], since: datetime | None, where: str | None = None
) -> str:
    """``SELECT fields FROM sobject WHERE (where) AND SystemModstamp >= since ORDER BY ...``."""
    conditions = [f"({where})"] if where else []
    if since is not None:
        conditions.append(f"SystemModstamp >= {wire.soql_datetime(since)}")
    soql = f"SELECT {', '.join(fields)} FROM {sobject}"
    if conditions:
        soql += " WHERE " + " AND ".join(conditions)
    return soql + " ORDER BY SystemModstamp ASC, Id ASC"


def version_digest(record: dict[str, Any]) -> str:
    """A short digest of a polled record's fields (what tells two versions with the same
    ``SystemModstamp`` apart)."""
    body = {k: v for k, v in record.items() if k != "attributes"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _run(
    client: SalesforceClient,
    soql: str,
    cursor: WatermarkCursor,
    convert: Callable[[dict[str, Any]], T],
    *,
    now: Callable[[], datetime],
    include_deleted: bool,
) -> SyncResult[T]:
    work = cursor.model_copy(deep=True)
    started = now()
    found: list[T] = []
    pages = 0
    for page in client.query_pages(soql, include_deleted=include_deleted):
        pages += 1
        for raw in page.records:
            record = client.complete_children(raw)
            stamp = wire.parse_datetime(str(record["SystemModstamp"]))
            # SystemModstamp has whole seconds: the content tells same-second edits apart
            if work.accept(str(record["Id"]), stamp, version_digest(record)):
                found.append(convert(record))
    if work.watermark is not None and work.watermark > started:
        work.watermark = started
    work.compact()
    return SyncResult(found, work, pages)


def sync_records(
    client: SalesforceClient,
    sobject: str,
    fields: Sequence[str],
    cursor: WatermarkCursor,
    *,
    where: str | None = None,
    include_deleted: bool = False,
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult[dict[str, Any]]:
    """New versions of any object's records (``Id`` and ``SystemModstamp`` are added to
    ``fields`` when missing)."""
    wanted = list(fields)
    for required in ("Id", "SystemModstamp"):
        if required.lower() not in {f.lower() for f in wanted}:
            wanted.insert(0, required)
    soql = incremental_soql(sobject, wanted, cursor.read_from(), where)
    return _run(client, soql, cursor, dict, now=now, include_deleted=include_deleted)


@dataclass(frozen=True)
class WonDeal:
    """A won opportunity with what the hub needs to make a customer, a project and an order."""

    opportunity: wire.Opportunity
    line_items: list[wire.OpportunityLineItem]
    contact_roles: list[wire.OpportunityContactRole]
    currency: str
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.opportunity.Id

    @property
    def account(self) -> wire.Account | None:
        return self.opportunity.Account

    @property
    def primary_contact(self) -> wire.Contact | None:
        for role in self.contact_roles:
            if role.IsPrimary and role.Contact is not None:
                return role.Contact
        return self.contact_roles[0].Contact if self.contact_roles else None


def won_deals_soql(client: SalesforceClient, since: datetime | None) -> str:
    settings = client.settings
    opp_fields = [*OPPORTUNITY_FIELDS, *settings.opportunity_fields]
    if settings.multi_currency:
        opp_fields.append("CurrencyIsoCode")
    account = [f"Account.{f}" for f in (*ACCOUNT_FIELDS, *settings.account_fields)]
    items = f"(SELECT {', '.join(LINE_ITEM_FIELDS)} FROM OpportunityLineItems ORDER BY SortOrder)"
    roles = f"(SELECT {', '.join(CONTACT_ROLE_FIELDS)} FROM OpportunityContactRoles)"
    fields = [*dict.fromkeys(opp_fields), *dict.fromkeys(account), items, roles]
    return incremental_soql("Opportunity", fields, since, "IsWon = true")


def _children(record: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = record.get(name)
    return list(value.get("records", [])) if isinstance(value, dict) else []


def to_won_deal(record: dict[str, Any], *, currency: str) -> WonDeal:
    opportunity = wire.Opportunity.model_validate(record)
    return WonDeal(
        opportunity=opportunity,
        line_items=[
            wire.OpportunityLineItem.from_record(r)
            for r in _children(record, "OpportunityLineItems")
        ],
        contact_roles=[
            wire.OpportunityContactRole.model_validate(r)
            for r in _children(record, "OpportunityContactRoles")
        ],
        currency=opportunity.CurrencyIsoCode or currency,
        raw=record,
    )


def sync_won_deals(
    client: SalesforceClient,
    cursor: WatermarkCursor,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> SyncResult[WonDeal]:
    """New versions of won opportunities (``IsWon = true``) with account, lines and contacts."""
    soql = won_deals_soql(client, cursor.read_from())
    currency = client.settings.currency

    def convert(record: dict[str, Any]) -> WonDeal:
        return to_won_deal(record, currency=currency)

    return _run(client, soql, cursor, convert, now=now, include_deleted=False)


@dataclass(frozen=True)
class DeletedSyncResult:
    """Deletions found by a run, the cursor to store, and whether some may have been missed."""

    deleted: list[wire.DeletedRecord]
    cursor: WatermarkCursor
    gap: bool
    #: The ``[start, end)`` asked for, or None when the run was too soon after the last one.
    window: tuple[datetime, datetime] | None


def _minute(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def sync_deleted(
    client: SalesforceClient,
    sobject: str,
    cursor: WatermarkCursor,
    *,
    now: Callable[[], datetime] = _utcnow,
) -> DeletedSyncResult:
    """Records of ``sobject`` deleted since the cursor (its watermark is ``latestDateCovered``)."""
    work = cursor.model_copy(deep=True)
    current = now()
    end = _minute(current)
    floor = end - MAX_REPLICATION_LOOKBACK + timedelta(minutes=1)
    since = work.read_from()
    lookback = timedelta(hours=client.settings.deleted_initial_lookback_hours)
    start = _minute(since if since is not None else current - lookback)
    gap = False
    if start < floor:
        start, gap = floor, since is not None
    if end - start < timedelta(minutes=1):
        return DeletedSyncResult([], work, False, None)
    result = client.deleted(sobject, start, end)
    if result.earliestDateAvailable is not None and since is not None:
        gap = gap or result.earliestDateAvailable > start
    found = [r for r in result.deletedRecords if work.accept(r.id, r.deletedDate)]
    covered = result.latestDateCovered or end
    if work.watermark is None or covered > work.watermark:
        work.watermark = covered
    work.compact()
    return DeletedSyncResult(found, work, gap, (start, end))
