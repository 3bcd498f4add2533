"""HubSpot CRM emulator (reference §1 and §5).

``create_app(token=..., client_secret=..., webhook_url=None)`` returns a Starlette app; its
:class:`~lead2cash.emulators.hubspot.state.HubSpotState` is ``app.state.emulator``.

Served API
----------
Both path families, same JSON: ``/crm/v3/objects/{obj}`` and ``/crm/objects/2026-03/{obj}``
(also ``2026-09``), for ``deals``, ``companies``, ``contacts``, ``line_items`` (or the
objectTypeIds ``0-3``, ``0-2``, ``0-1``, ``0-8``):

* ``GET {obj}`` list (``limit`` default 10, clamped to 100; ``after`` = the id the next page
  starts at; ``properties``, ``propertiesWithHistory``, ``associations``, ``archived=true``
  lists only archived records; ``paging`` is absent on the last page);
* ``POST {obj}`` create (``properties``, ``associations: [{to: {id}, types:
  [{associationCategory, associationTypeId}]}]``), ``GET|PATCH|DELETE {obj}/{id}``
  (``idProperty`` on unique properties; DELETE archives, 204);
* ``POST {obj}/batch/{read,create,update,upsert,archive}`` (at most 100 inputs; unknown ids →
  207 with ``errors``);
* ``POST {obj}/search``: filterGroups (OR of ANDs; at most 6 groups, 10 filters per group, 25
  in all), every operator, ``sorts`` (``"prop"``, ``"-prop"`` or ``{propertyName,
  direction}``), ``query``, ``properties``, ``limit`` ≤ 200 (else 400), ``after`` = offset.
  ``total`` is the true count, but no page reaches past the 10,000th result: ``after`` ≥ 10,000
  answers 400 ``VALIDATION_ERROR`` (while ``paging.next`` is still offered at the cap, as
  naive pagers meet it). Archived records are not searchable.
* Properties: values are text; datetimes are stored as ``2026-03-02T09:00:00.000Z`` (epoch ms
  accepted), dates as ``YYYY-MM-DD``. Unknown or read-only properties and invalid values in a
  write → 400 ``Property values were not valid: [...]``; a taken value of a unique property →
  409. ``hs_object_id``, ``createdate`` and ``hs_lastmodifieddate`` (``lastmodifieddate`` for
  contacts) are always returned; deals also get ``hs_is_closed``/``hs_is_closed_won`` from their
  stage's metadata, and ``closedate`` when they enter a closed stage without one.
* ``/crm/v3/properties/{obj}[/{name}]`` (GET, POST to create a custom property; 409 if taken).
* Associations v4: ``GET /crm/v4/objects/{obj}/{id}/associations/{to}`` (500 per page),
  ``PUT .../associations/default/{to}/{toId}``, ``PUT|DELETE .../associations/{to}/{toId}``,
  ``POST /crm/v4/associations/{obj}/{to}/batch/read`` (ids without associations → 207 errors
  with subCategory ``crm.associations.NO_ASSOCIATIONS_FOUND``), ``GET .../labels``; the
  date-based forms ``/crm/objects/2026-03/{obj}/{id}/associations/...`` and
  ``/crm/associations/2026-03/{obj}/{to}/...``. Type ids: deal→company 341 (5 primary),
  deal→contact 3, deal→line_item 19, contact→company 279 (1 primary), and their inverses.
* Pipelines: ``GET /crm/v3/pipelines/deals[/{id}[/stages]]`` and
  ``/crm/pipelines/2026-03/...``; the portal starts with the ``default`` pipeline.
* ``GET /account-info/v3/api-usage/daily/private-apps``.
* Auth: ``Authorization: Bearer <token>``, else 401 ``INVALID_AUTHENTICATION``. Every answer
  carries ``X-HubSpot-Correlation-Id``; errors are ``{"status":"error","message",
  "correlationId","category",...}``.
* Rate limits (``limits.py``): 100 per rolling 10 s (429 ``TEN_SECONDLY_ROLLING``), search 5 per
  second (``SECONDLY``, no rate headers on search), 250,000 per day (``DAILY``); 429 bodies are
  ``{"status":"error","message":"You have reached your ten_secondly_rolling limit.",
  "errorType":"RATE_LIMIT","correlationId","policyName","requestId"}``.

Control API (JSON; never authenticated, rate-limited, faulted or logged)
-----------------------------------------------------------------------
``POST /_emulator/reset``
    Empty portal, default pipeline and config, no faults, calls or deliveries, real-time clock.
``POST /_emulator/seed``
    All or nothing; every key optional::

        {"properties": {"deals": [{"name": "odoo_invoice_status", "type": "enumeration",
                                   "fieldType": "select", "options": ["draft", "paid"]},
                                  {"name": "odoo_ref", "hasUniqueValue": true}]},
         "pipelines": {"deals": [{"id": "services", "label": "Services", "stages": [
             {"id": "1001", "label": "Won", "probability": "1.0", "isClosed": true}]}]},
         "companies": [{"id": "101", "properties": {"name": "Acme", "domain": "acme.test"}}],
         "contacts": [{"properties": {"email": "kim@acme.test"},
                       "associations": {"companies": ["101"]}}],
         "line_items": [{"id": "301", "properties": {"name": "Consulting",
                                                     "quantity": "10", "price": "150"}}],
         "deals": [{"properties": {"dealname": "Acme website", "amount": "1500",
                                   "dealstage": "qualifiedtobuy"},
                    "associations": {"companies": ["101"], "line_items": ["301"]},
                    "updatedAt": "2026-03-02T09:00:00Z", "archived": false}]}

    Lists are loaded companies, contacts, line items, deals; ``id`` optional (assigned from
    10000001 on); ``createdAt``/``updatedAt`` default to the clock; properties the portal does
    not define are defined as text; the first company of a deal or contact is its primary one.
    Answer ``{"created": {"deals": ["..."], ...}}``.
``POST /_emulator/generate``
    ``{"type": "deals", "count": 10500, "properties": {"dealname": "Deal {n}"},
    "start": "2026-03-02T09:00:00Z", "step_ms": 1}``: many records cheaply. Answer
    ``{"created": n, "first": id, "last": id}``.
``GET /_emulator/objects/{type}``; ``GET|PATCH|DELETE /_emulator/objects/{type}/{id}``
    Records with every property; PATCH ``{"properties": {...}, "updatedAt"?: ...}`` changes one
    as a person would (stamped with the clock); DELETE archives it.
``POST /_emulator/deals/{id}/stage``
    ``{"stage": "closedwon", "pipeline"?: "default", "deliver": true, "change_source":
    "CRM_UI", "source_id": "userId:1"}``: moves the deal (``hs_lastmodifieddate`` = clock) and,
    when a webhook URL is configured, POSTs a signed ``deal.propertyChange`` (``dealstage``)
    delivery to it. Answer ``{"deal", "event", "delivery": {"url", "status", "events",
    "timestamp", "error"?} | null}``.
``POST /_emulator/webhooks/deliver``; ``GET /_emulator/webhooks``
    ``{"events": [{"subscriptionType": "deal.creation", "objectId": 1, "attemptNumber": 1,
    "eventId"?: ...}], "url"?: ...}`` sends one signed delivery of those events (missing fields
    filled in; give an old ``eventId`` to emulate a retry); GET lists every delivery made.
``GET|POST /_emulator/clock``
    ``{"set": "2026-03-01T12:00:00Z", "frozen": true}``, ``{"advance_seconds": 1.5}``,
    ``{"unfreeze": true}``. Answer ``{"now": ..., "frozen": bool}``.
``GET|POST /_emulator/config``
    ``{"rate_limit": {"requests": 100, "window_seconds": 10, "search_per_second": 5,
    "daily": 250000, "retry_after_header": false, "enforce": true}, "search": {"result_cap":
    10000, "max_limit": 200}, "portal_id": 12345678, "app_id": 987654, "subscription_id":
    234567, "webhook_url": null, "timezone": "UTC"}`` (any subset).
``GET|POST|DELETE /_emulator/faults``
    POST a :class:`~lead2cash.emulators.faults.FaultRule` (``{"kind": "status", "status": 503,
    "count": 2, "path_prefix": "/crm/", "method": "GET", "retry_after": 1}``, ``{"kind":
    "latency", "latency": 0.5}``, ``{"kind": "drop"}``); statuses get HubSpot's bodies (429:
    ``policyName`` from ``"policy"``, default ``TEN_SECONDLY_ROLLING``). ``{"kind":
    "rate_limit", "seconds": 3, "retry_after": 1}`` is a storm: every served call answers 429
    for 3 s. DELETE clears rules and storms. Answer ``{"faults": [...]}``.
``GET|DELETE /_emulator/calls?path_prefix=/crm/``
    ``{"calls": [{"at": <unix seconds>, "method", "path", "query", "status", "fault",
    "headers"}]}`` (without ``Authorization``).
"""

from __future__ import annotations

from lead2cash.emulators.hubspot.app import create_app
from lead2cash.emulators.hubspot.state import HubSpotState

__all__ = ["HubSpotState", "create_app"]
