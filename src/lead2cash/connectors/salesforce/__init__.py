"""Salesforce REST API: won opportunities (with account, line items and contact roles) read
incrementally by ``SystemModstamp``, deletions, and feedback written back by PATCH and upsert
by External ID. Sessions come from the OAuth 2.0 JWT bearer or client credentials flow.
"""

from __future__ import annotations

from lead2cash.connectors.salesforce import wire
from lead2cash.connectors.salesforce.auth import Session, fetch_session, jwt_assertion
from lead2cash.connectors.salesforce.client import (
    ApiUsage,
    SalesforceClient,
    UpsertResult,
    build_http_client,
    parse_limit_info,
)
from lead2cash.connectors.salesforce.errorcodes import SalesforceSender, classify
from lead2cash.connectors.salesforce.settings import FeedbackFields, SalesforceSettings
from lead2cash.connectors.salesforce.sync import (
    DeletedSyncResult,
    SyncResult,
    WonDeal,
    new_cursor,
    sync_deleted,
    sync_records,
    sync_won_deals,
)
from lead2cash.connectors.salesforce.writeback import (
    InvoiceFeedback,
    update_record,
    upsert_by_external_id,
    write_invoice_feedback,
)

__all__ = [
    "ApiUsage",
    "DeletedSyncResult",
    "FeedbackFields",
    "InvoiceFeedback",
    "SalesforceClient",
    "SalesforceSender",
    "SalesforceSettings",
    "Session",
    "SyncResult",
    "UpsertResult",
    "WonDeal",
    "build_http_client",
    "classify",
    "fetch_session",
    "jwt_assertion",
    "new_cursor",
    "parse_limit_info",
    "sync_deleted",
    "sync_records",
    "sync_won_deals",
    "update_record",
    "upsert_by_external_id",
    "wire",
    "write_invoice_feedback",
]
