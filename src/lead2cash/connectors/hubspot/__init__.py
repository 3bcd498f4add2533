"""HubSpot CRM: deals, companies, contacts and line items read incrementally by their
last-modified time, their v4 associations, deal pipelines and stages, archived records, owned
deal and company properties written back, and webhooks (v3 signatures) verified.

Modules: ``settings`` (portal, token, path family, limits), ``client`` (the adapter),
``transport`` (errors and retries), ``ratelimit`` (rolling windows, daily quota), ``wire``
(JSON models), ``objects`` (object types), ``sync`` (incremental reads), ``writeback``
(feedback), ``webhooks`` (verification and events).
"""

from __future__ import annotations

from lead2cash.connectors.hubspot import wire
from lead2cash.connectors.hubspot.client import HubSpotClient, build_http_client
from lead2cash.connectors.hubspot.objects import (
    COMPANIES,
    CONTACTS,
    DEALS,
    LINE_ITEMS,
    ObjectType,
    object_type,
)
from lead2cash.connectors.hubspot.ratelimit import DailyQuota, RollingWindow
from lead2cash.connectors.hubspot.settings import HubSpotSettings
from lead2cash.connectors.hubspot.sync import (
    RecordVersion,
    SyncResult,
    sync,
    sync_archived,
    sync_companies,
    sync_contacts,
    sync_deals,
    sync_line_items,
)
from lead2cash.connectors.hubspot.webhooks import (
    HubSpotEvent,
    HubSpotWebhookVerifier,
    parse_events,
    signature_v3,
    verify_v3,
)
from lead2cash.connectors.hubspot.writeback import HubSpotWriteback, property_text

__all__ = [
    "COMPANIES",
    "CONTACTS",
    "DEALS",
    "LINE_ITEMS",
    "DailyQuota",
    "HubSpotClient",
    "HubSpotEvent",
    "HubSpotSettings",
    "HubSpotWebhookVerifier",
    "HubSpotWriteback",
    "ObjectType",
    "RecordVersion",
    "RollingWindow",
    "SyncResult",
    "build_http_client",
    "object_type",
    "parse_events",
    "property_text",
    "signature_v3",
    "sync",
    "sync_archived",
    "sync_companies",
    "sync_contacts",
    "sync_deals",
    "sync_line_items",
    "verify_v3",
    "wire",
]
