"""Salesforce REST emulator (reference §2 and §5).

``create_app(access_token=..., client_id=..., client_secret=...)`` returns a Starlette app; its
:class:`~lead2cash.emulators.salesforce.state.SalesforceState` is ``app.state.emulator``.
``access_token`` is a session that works from the start (simple-salesforce's ``session_id=``);
``client_id``/``client_secret`` are the External Client App's consumer key and secret.

Served API
----------
``POST /services/oauth2/token``
    Form-encoded. ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>``
    (RS256 with a registered key; ``iss`` = client id, ``aud`` = ``https://login.salesforce.com``,
    ``https://test.salesforce.com`` or the emulator's origin, ``exp`` in the future, ``sub`` an
    active User's ``Username``; the integration user ``integration@lead2cash.example`` always
    exists) or ``grant_type=client_credentials`` (``client_id``/``client_secret`` in the body
    or Basic auth). Answer ``{access_token, instance_url, id, token_type: "Bearer", scope}``
    (client credentials add ``issued_at``, ``signature``, ``token_format``); errors 400
    ``{"error": "invalid_grant" | "invalid_client" | "invalid_client_id" |
    "unsupported_grant_type", "error_description": ...}``. Every grant issues a new token;
    ``instance_url`` is the origin called unless ``config.instance_url`` says otherwise.
``GET /services/data/``
    Versions 31.0 … 67.0 ``[{label: "Winter '25", url: "/services/data/v62.0", version}]``;
    no auth, not counted.
``/services/data/vXX.X/...`` (``Authorization: Bearer <token>`` or ``OAuth <token>``)
    ``GET /`` resources; ``GET limits`` (``DailyApiRequests``); ``GET query?q=``,
    ``GET queryAll?q=`` (deleted rows too) and ``GET query/<locator>-<offset>``;
    ``GET sobjects`` (describe global); ``GET|POST sobjects/<T>``;
    ``GET sobjects/<T>/describe``; ``GET|PATCH|DELETE sobjects/<T>/<id>`` (``?fields=A,B``);
    ``GET|PATCH|DELETE sobjects/<T>/<extIdField>/<value>`` (PATCH is upsert: 201
    ``{id, success, errors, created: true}``, on update 200 ``{... created: false}`` from v46.0
    on and 204 before, 300 with the matching records' URLs when several match, 404 NOT_FOUND
    when the field is not an External ID); ``GET sobjects/<T>/deleted/?start=&end=``
    (``{deletedRecords: [{id, deletedDate}], earliestDateAvailable, latestDateCovered}``) and
    ``GET sobjects/<T>/updated/?start=&end=`` (``{ids, latestDateCovered}``): seconds ignored,
    ``start`` must precede ``end`` and lie within 30 days, else 400 INVALID_REPLICATION_DATE;
    deleted records stay in the recycle bin 15 days (then they are purged and
    ``earliestDateAvailable`` moves up to the last purged deletion).
* SOQL (``soql.py``/``query.py``): SELECT fields, parent relationship paths
  (``Account.Name``, ``Account.Owner.Name``), child subqueries
  (``(SELECT ... FROM OpportunityLineItems)``), ``COUNT()``; WHERE with AND/OR/NOT and
  parentheses, ``= != <> < <= > >= IN NOT IN LIKE``, string/number/boolean/null, date and
  date-time literals, TODAY/YESTERDAY/TOMORROW/LAST_N_DAYS:n/NEXT_N_DAYS:n; ORDER BY (ASC/DESC,
  NULLS FIRST/LAST); LIMIT; OFFSET. Errors: MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,
  INVALID_QUERY_FILTER_OPERATOR, in Salesforce's layout (query, caret, row and column).
* Query results are fixed when the query runs and served in batches of ``config.page_size``
  (default 2000; ``Sforce-Query-Options: batchSize=N``, 200..2000, lowers it) behind
  ``nextRecordsUrl`` (``/services/data/vXX.X/query/01g...-<offset>``).
* Every answer under ``vXX.X`` to a valid session (errors included; not the 401s) carries
  ``Sforce-Limit-Info: api-usage=N/M``: a rolling 24 h count (by the emulator clock) of those
  calls. Once ``N`` reaches
  ``config.daily_limit``: 403 ``[{"message": "TotalRequests Limit exceeded.", "errorCode":
  "REQUEST_LIMIT_EXCEEDED"}]`` (no Retry-After, as Salesforce).
* Errors are arrays ``[{"message", "errorCode", "fields"}]``: 401 INVALID_SESSION_ID (unknown
  or expired session), 404 NOT_FOUND / ENTITY_IS_DELETED, 400 INVALID_FIELD,
  REQUIRED_FIELD_MISSING, INVALID_FIELD_FOR_INSERT_UPDATE, JSON_PARSER_ERROR, STRING_TOO_LONG,
  MALFORMED_ID, DUPLICATE_VALUE, INVALID_CROSS_REFERENCE_KEY,
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST, FIELD_INTEGRITY_EXCEPTION, 405 METHOD_NOT_ALLOWED.
* Records (``store.py``): Account, Contact, Opportunity, OpportunityLineItem,
  OpportunityContactRole, OpportunityStage (read-only), Product2, Pricebook2, PricebookEntry,
  User, custom objects ``X__c``, custom fields ``Y__c``. ``LastModifiedDate`` and
  ``SystemModstamp`` come from the emulator clock (whole seconds) and move on every write;
  line-item changes roll ``Amount`` up to the opportunity and move its stamps; ``StageName``
  sets ``IsClosed``/``IsWon``/``Probability``/``ForecastCategory``. Default stages: the standard
  sales process plus "Contract Approved" (closed, won) next to "Closed Won".

Control API (JSON)
------------------
``POST /_emulator/reset``
    Empty org (the integration user, the standard price book, default stages), default config,
    no faults, no calls, clock back to real time, only ``access_token`` valid, no JWT keys.
``POST /_emulator/seed``
    All or nothing; every section optional::

        {"jwt_public_keys": ["-----BEGIN PUBLIC KEY-----..."],
         "fields": {"Opportunity": [{"name": "Ext_Id__c", "type": "string",
                                     "externalId": true, "unique": true}]},
         "stages": [{"ApiName": "Won", "IsClosed": true, "IsWon": true,
                     "DefaultProbability": 100, "ForecastCategory": "Closed"}],
         "multi_currency": {"corporate_currency": "EUR"},
         "records": {
           "Account": [{"ref": "acme", "Name": "Acme", "BillingCountry": "FR"}],
           "Contact": [{"ref": "kim", "AccountId": "@acme", "LastName": "Allen"}],
           "Product2": [{"ref": "p1", "Name": "Consulting", "ProductCode": "CONS"}],
           "Opportunity": [{"ref": "o1", "Name": "Deal", "AccountId": "@acme",
                            "StageName": "Closed Won", "CloseDate": "2026-03-31",
                            "Amount": 1200.5, "Ext_Id__c": "123",
                            "SystemModstamp": "2026-03-01T10:00:00Z"}],
           "OpportunityLineItem": [{"OpportunityId": "@o1", "Product2Id": "@p1",
                                    "Quantity": 2, "UnitPrice": 600.25}],
           "OpportunityContactRole": [{"OpportunityId": "@o1", "ContactId": "@kim",
                                       "Role": "Decision Maker", "IsPrimary": true}]}}

    ``multi_currency`` turns the org multi-currency: ``CurrencyIsoCode`` appears on Account,
    Contact, Opportunity, OpportunityLineItem (read-only: its opportunity's), Product2 and
    PricebookEntry, defaulting to the corporate currency (without it, querying the field is
    INVALID_FIELD, as in a single-currency org).
    ``ref`` names a record for ``"@ref"`` values later in the document. Seeding may set
    read-only fields (``Id``, ``CreatedDate``, ``SystemModstamp`` ...; stamps default to the
    clock). Unknown ``__c`` fields in seeded records are added with an inferred type. Answer
    ``{"created": {"Account": [ids]}, "refs": {"acme": id}}``; errors 422 ``{"message"}``.
``POST /_emulator/opportunities/{id}/stage``  ``{"stage": "Closed Won"}`` → ``{"record"}``
``GET|POST /_emulator/clock``
    ``{"set": "2026-03-01T12:00:00Z", "frozen": true}``, ``{"advance_seconds": 60}``,
    ``{"unfreeze": true}`` → ``{"now", "frozen"}``.
``GET|POST /_emulator/jwt_keys``  ``{"public_key": PEM (key or certificate)}`` → ``{"keys": n}``
``POST /_emulator/sessions/expire``  ``{}`` (all sessions) or ``{"token": ...}`` →
    ``{"expired": n}``.
``GET|POST /_emulator/config``
    ``{"page_size": 2000, "daily_limit": 100000, "api_usage": 0, "instance_url": null,
    "latest_version": "67.0", "audiences": [...]}`` → the config and the current usage.
``GET|POST|DELETE /_emulator/faults``
    POST one :class:`~lead2cash.emulators.faults.FaultRule` (``kind``, ``count``,
    ``path_prefix``, ``method``, ``status``, ``retry_after``, ``latency``, ``body``,
    ``headers``) plus ``error_code``/``message`` for the Salesforce error body of a status
    fault (defaults by status, e.g. 503 SERVER_UNAVAILABLE). ``{"kind": "status", "status":
    429, "retry_after": 1, "count": 3, "path_prefix": "/services/"}`` is a 429 storm.
``GET|DELETE /_emulator/calls?path_prefix=/services/``  ``{"calls": [{at, method, path, query,
    status, fault, headers}]}``.
``GET /_emulator/records/{T}`` (deleted too); ``GET|PATCH|DELETE /_emulator/records/{T}/{id}``
    (PATCH: a system write that may set read-only fields; ``?system_only=true`` moves only
    ``SystemModstamp``, as Salesforce's own background changes do).
``POST /_emulator/purge``  ``{"before": iso}``: empty the recycle bin of older deletions.
``GET /_emulator/query?q=...&all=true``  SOQL without auth or counting.
"""

from __future__ import annotations

from lead2cash.emulators.salesforce.app import create_app
from lead2cash.emulators.salesforce.state import SalesforceState

__all__ = ["SalesforceState", "create_app"]
