"""Harvest API v2 emulator (reference §3.1 and §5; the OpenAPI file in ``shared/specs``).

``create_app(token=..., account_id=...)`` returns a Starlette app; its
:class:`~lead2cash.emulators.harvest.state.HarvestState` is ``app.state.emulator``.

Served API (``GET`` only; what the hub reads)
---------------------------------------------
``/v2/users``, ``/v2/users/me``, ``/v2/clients``, ``/v2/projects``, ``/v2/tasks``,
``/v2/expense_categories``, ``/v2/task_assignments``, ``/v2/user_assignments``,
``/v2/projects/{id}/task_assignments``, ``/v2/projects/{id}/user_assignments``,
``/v2/time_entries``, ``/v2/expenses`` and ``/v2/<list>/{id}``.

* Auth: ``Authorization: Bearer <token>`` and ``Harvest-Account-Id`` (or the query-string form
  ``?access_token=&account_id=``). A missing or wrong token or account id answers 401 with
  Harvest's body ``{"error": "invalid_token", "error_description": "The access token provided
  is expired, revoked, malformed or invalid for other reasons."}`` (a missing account id gets
  the same answer). A missing ``User-Agent`` answers 400 (Harvest documents the header as
  required; the exact answer is unverified).
* Filters as in the OpenAPI file: ``updated_since`` (ISO 8601, inclusive), ``is_active``,
  ``client_id``, ``user_id``, ``project_id``, ``task_id``, ``external_reference_id``,
  ``is_billed``, ``is_running``, ``from``/``to`` (spent date, inclusive). Bad values: 422
  ``{"message": ...}``. Unknown paths and ids: 404 ``{"status": 404, "error": "Not Found"}``.
* Order, newest first: time entries and expenses by ``spent_date`` (then id), other lists by
  ``created_at`` (then id).
* Paging (``paging.py``): ``page``, ``per_page`` (1..2000, default 2000, else 422),
  ``total_pages``, ``total_entries``, ``next_page``, ``previous_page``,
  ``links{first,next,previous,last}``. Offset links for time entries, expenses and the
  project-scoped assignment lists; cursor links (``cursor=...&ref=next_cursor``, page numbers
  null on middle pages) for the lists whose OpenAPI parameters include ``cursor``. Switch a list
  with ``POST /_emulator/config {"paging": {"time_entries": "cursor"}}``.
* Rate limit: 100 requests per 15 s (sliding window, real time). Over it: 429 with
  ``Retry-After: <whole seconds>``, an HTML body (``text/html``, as Harvest sends it) and
  ``X-Request-Id``. Every answer carries ``X-Request-Id``.
* Numbers (hours, rates, costs) are written digit for digit from Decimals. Timestamps are
  ``YYYY-MM-DDTHH:MM:SSZ`` from the emulator clock.

Control API (JSON; never rate-limited, faulted or logged)
---------------------------------------------------------
``POST /_emulator/reset``
    Empty account, default config, no faults, no calls, clock back to real time.
``POST /_emulator/seed``
    ``{"users": [...], "clients": [...], "projects": [...], "tasks": [...],
    "task_assignments": [...], "user_assignments": [...], "expense_categories": [...],
    "time_entries": [...], "expenses": [...]}``, every list optional, added to what is there,
    all or nothing. Item shapes are the models in ``records.py``; references are ids::

        {"users": [{"id": 1001, "first_name": "Kim", "last_name": "Allen",
                    "email": "kim@example.com", "cost_rate": "50.0",
                    "default_hourly_rate": "100.0", "access_roles": ["administrator"]}],
         "clients": [{"id": 2001, "name": "ABC Corp", "currency": "EUR"}],
         "projects": [{"id": 3001, "client_id": 2001, "name": "Website", "code": "MW",
                       "bill_by": "Tasks"}],
         "tasks": [{"id": 4001, "name": "Design"}],
         "task_assignments": [{"project_id": 3001, "task_id": 4001, "hourly_rate": "120"}],
         "user_assignments": [{"project_id": 3001, "user_id": 1001}],
         "expense_categories": [{"id": 5001, "name": "Mileage", "unit_name": "mile",
                                 "unit_price": "0.58"}],
         "time_entries": [{"user_id": 1001, "project_id": 3001, "task_id": 4001,
                           "spent_date": "2026-03-02", "hours": 2.11, "notes": "CSS",
                           "is_closed": true, "updated_at": "2026-03-03T09:00:00Z"}],
         "expenses": [{"user_id": 1001, "project_id": 3001, "expense_category_id": 5001,
                       "spent_date": "2026-03-02", "units": 12}]}

    Answer ``{"created": {"users": [ids...], ...}}``. Omitted ids are assigned, omitted
    timestamps come from the clock. Errors: 422 ``{"message": ...}``.
``POST /_emulator/time_entries/approve`` (or ``unapprove``), same for ``expenses``
    Selector ``{"ids": [...], "project_id": n, "user_id": n, "from": "YYYY-MM-DD",
    "to": "YYYY-MM-DD"}`` (any combination, at least one). Approve sets ``is_closed`` (and so
    ``is_locked`` with Harvest's ``locked_reason``), unapprove reopens; entries whose state
    changes get ``updated_at`` = clock now. Running timers are not approved. Answer
    ``{"updated": [ids...]}``.
``GET /_emulator/{resource}``; ``GET|PATCH|DELETE /_emulator/{resource}/{id}``
    Rendered records; edit a record with a partial record (``updated_at`` moves to the clock
    unless given) or delete it (time entries and expenses for the adjustment flows; any
    resource works).
``GET|POST /_emulator/clock``
    ``{"set": "2026-03-01T12:00:00Z", "frozen": true}``, ``{"advance_seconds": 60}``,
    ``{"unfreeze": true}``. Answer ``{"now": ..., "frozen": bool}``.
``GET|POST /_emulator/config``
    ``{"rate_limit": {"requests": 100, "period_seconds": 15}, "paging": {"<list>": "page" |
    "cursor"}, "require_user_agent": true, "me_user_id": null}`` (lists:
    ``DEFAULT_PAGING`` in ``state.py``).
``GET|POST|DELETE /_emulator/faults``
    POST one rule, the fields of :class:`~lead2cash.emulators.faults.FaultRule`: ``{"kind":
    "status", "status": 503, "count": 2, "path_prefix": "/v2/time_entries", "method": "GET",
    "retry_after": 1}``, ``{"kind": "latency", "latency": 0.5}``, ``{"kind": "drop"}``. A 429
    (``"status": 429`` or ``"kind": "rate_limit"``) is answered as Harvest does (HTML body,
    Retry-After). ``{"kind": "rate_limit", "seconds": 3, "retry_after": 1}`` is a storm: every
    API call answers 429 for 3 s. DELETE clears rules and storms. Answer ``{"faults": [...]}``.
``GET|DELETE /_emulator/calls?path_prefix=/v2/``
    The call log: ``{"calls": [{"at": <unix seconds>, "method", "path", "query", "status",
    "fault", "headers"}]}`` (headers without ``Authorization``).
"""

from __future__ import annotations

from lead2cash.emulators.harvest.app import create_app
from lead2cash.emulators.harvest.state import HarvestState

__all__ = ["HarvestState", "create_app"]
