"""Odoo 17 / 18 / 19 emulator: XML-RPC, JSON-RPC and (19) JSON-2 over an in-memory database
with the lead-to-cash apps (sale, project, timesheets, expenses, invoicing) installed.

``create_app(version=19, db="odoo", login="admin", password="admin", api_key=None)`` returns a
Starlette app; its :class:`~lead2cash.emulators.odoo.state.OdooState` is ``app.state.odoo``
(``.faults`` a :class:`~lead2cash.emulators.faults.FaultPlan`, ``.calls`` a
:class:`~lead2cash.emulators.faults.CallLog`, ``.rpc_log`` the RPC calls with model and method,
``.env()`` a superuser environment for in-process checks, ``.server`` the database).

Served API (Odoo's behaviour; see ``shared/reference/odoo-api.md``)
--------------------------------------------------------------------
- ``GET /web/version`` and ``/json/version`` (19 only; 404 HTML page on 17/18).
- ``POST /xmlrpc/2/common`` (``version``, ``login``, ``authenticate``, ``about``),
  ``/xmlrpc/2/object`` (``execute``, ``execute_kw``), ``/xmlrpc/2/db`` (``list``), and the
  legacy ``/xmlrpc/<service>`` with string fault codes. Faults: 1 (anything else, the formatted
  traceback as fault string, e.g. ``psycopg2.errors.SerializationFailure: could not serialize
  access due to concurrent update``), 2 (UserError, ValidationError, MissingError,
  RedirectWarning: message only), 3 (AccessDenied: "Access Denied"), 4 (AccessError). Results
  are marshalled with ``allow_none=False``: a method returning ``None`` (``button_draft``,
  ``button_cancel``, ``account.payment.action_post``, 19's ``hr.expense.action_submit``/
  ``action_approve``) or a result holding one (``sale.advance.payment.inv.create_invoices``
  without payment terms) answers Fault 1 "cannot marshal None unless allow_none is enabled"
  *after* committing.
- ``POST /jsonrpc`` (service ``common``/``object``/``db``); errors with HTTP 200,
  ``error.code`` 200 (17/18) or 0 (19), ``error.message`` "Odoo Server Error",
  ``error.data`` = ``{name, message, arguments, context, debug}``; a ``None`` result is an
  answer without ``result``. Wrong Content-Type: 415 HTML (19), 400 HTML (17/18).
- Web client JSON routes (odoorpc uses them): ``/web/webclient/version_info``,
  ``/web/database/list``, ``/web/session/authenticate`` (sets cookie ``session_id``),
  ``/web/session/get_session_info``, ``/web/session/destroy``,
  ``/web/dataset/call_kw[/<anything>]`` (``{model, method, args, kwargs}``; no session: code
  100 "Odoo Session Expired").
- ``POST /json/2/<model>/<method>`` (19 only): ``Authorization: bearer <API key>`` (passwords
  refused), ``Content-Type: application/json`` (else 415 HTML), optional ``X-Odoo-Database``
  (another name: 404 HTML), body = named arguments plus ``ids`` and ``context``; statuses 400,
  401 (``WWW-Authenticate: Bearer``), 403, 404, 409, 422, 500 with the JSON error body.
  ``create`` answers a list of ids even for a single dict (no ``call_kw`` special case).
- Authentication: login + password or login + API key on XML-RPC/JSON-RPC; API key only on
  JSON-2. The admin (uid 2) has ``password`` and, if given, ``api_key``; uid 1 is the inactive
  superuser. Methods starting with ``_`` are refused (AccessError "Private methods ... cannot
  be called remotely."), other unknown ones "do not exist".

ORM: ``search``/``search_read``/``search_count``/``read`` (``load=None`` gives bare many2one
ids; missing ids are skipped)/``create`` (dict → id, list → ids)/``write``/``unlink``/``copy``/
``fields_get``/``name_search``/``name_get`` (17)/``default_get``/``check_access_rights``/
``has_access`` (18+)/``exists``/``load``; domains with ``& | !`` (Polish notation, implicit
``&``), ``= != < <= > >= =? in not in like not like ilike not ilike =like =ilike child_of
parent_of any not any`` and dotted paths. Access rights follow the modules' ACL files per
group; record rules restrict ``company_id`` to the allowed companies (context
``allowed_company_ids``, AccessError "Access to unauthorized or invalid companies.").
``load`` is Odoo's importer: ``{"ids": [...] | false, "messages": [...], "nextrow": 0}``, the
whole call rolled back when any message is an error (see ``orm/load.py``).

Control API (JSON; never faulted nor logged)
--------------------------------------------
``POST /_emulator/reset``
    A fresh database (seed data only), no faults, no calls, no sessions, real clock.
    Answer ``{"ok": true}``.
``POST /_emulator/seed``
    Create records as the superuser, all or nothing. Every list is optional::

        {"currencies": [{"code": "GBP", "active": true,
                         "rates": [{"date": "2026-01-01", "rate": 0.79, "company": "eu"}]}],
         "companies": [{"key": "eu", "name": "Acme EU", "currency": "EUR", "country": "BE",
                        "parent": null, "vat": "BE0477472701", "values": {...}}],
         "pricelists": [{"key": "eur", "name": "EUR prices", "currency": "EUR",
                         "company": "eu"}],
         "users": [{"key": "bot", "login": "bot", "name": "Integration Bot",
                    "password": null, "api_key": "<40 hex>",
                    "groups": ["base.group_user", "sales_team.group_sale_salesman",
                               "project.group_project_user",
                               "hr_timesheet.group_hr_timesheet_approver",
                               "account.group_account_invoice"],
                    "company": "main", "companies": ["main", "eu"],
                    "employee": true | {"hourly_cost": 50}}],
         "partners": [{"key": "acme", "name": "ACME", "is_company": true, "email": "...",
                       "ref": "CRM-1", "vat": "...", "country": "US", "company": null,
                       "parent": null}],
         "employees": [{"key": "kim", "name": "Kim", "user": "bot", "company": "main",
                        "hourly_cost": 60, "work_email": "kim@example.com"}],
         "products": [{"key": "tm", "name": "Consulting", "default_code": "CONS",
                       "type": "service", "service_policy": "delivered_timesheet",
                       "service_tracking": "project_only", "list_price": 150,
                       "standard_price": 80, "uom": "hour" | "unit" | "day",
                       "company": null, "project": null, "expense_policy": "no",
                       "can_be_expensed": false}],
         "records": [{"key": "p1", "model": "project.project", "values": {"name": "Ops"},
                      "xmlid": "lead2cash.ops_project"}],
         "access": [{"model": "res.partner", "group": "base.group_user", "perms": "rwc"}],
         "settings": {"milestones": true}}

    References (``company``, ``parent``, ``user``, ``project``) are a ``key`` of this call,
    ``"main"`` (the main company), an external id (``base.main_company``) or a database id.
    Groups are external ids (``base.group_system`` is admin). ``values`` adds raw Odoo field
    values. A ``key`` also becomes the external id ``__emulator__.<kind>_<key>`` (kind:
    company, pricelist, user, partner, employee, product, record). ``employee: true`` gives
    the user one employee per company. Answer ``{"created": {"users": [7], ...},
    "keys": {"bot": 7, ...}}``; errors 422 ``{"message": ...}``.
``GET /_emulator/state``
    ``{"version": "19.0", "db": "odoo", "counts": {"res.partner": 3, ...}, "clock": "..."}``.
``GET|POST|DELETE /_emulator/faults``
    POST one rule: ``{"kind": "status", "status": 503, "count": 1, "path_prefix":
    "/json/2/res.partner/create", "method": "POST", "retry_after": 2, "body": "...",
    "headers": {...}}``, ``{"kind": "rate_limit", "retry_after": 2}`` (429 + Retry-After),
    ``{"kind": "latency", "latency": 0.5}``, ``{"kind": "drop"}`` (connection dropped before
    the call runs), ``{"kind": "serialization_failure" | "deadlock" |
    "lock_not_available", "path_prefix": ...}`` (the call fails after Odoo's retries, nothing
    committed: XML-RPC Fault 1 with the psycopg2 traceback, JSON-RPC ``data.name``
    ``psycopg2.errors.SerializationFailure``, JSON-2 HTTP 500). For XML-RPC and JSON-RPC the
    database faults match ``path_prefix`` against ``<path>/<model>/<method>``
    (``/xmlrpc/2/object/res.partner/create``, ``/jsonrpc/res.partner/create``,
    ``/web/dataset/call_kw/res.partner/create``); status, latency and drop faults match the
    HTTP path only. DELETE clears. Answer ``{"faults": [...]}``. In-process, the same rules go
    through ``app.state.odoo.faults`` (``FaultRule("custom", name="serialization_failure",
    path_prefix=...)``).
``GET|DELETE /_emulator/calls?path_prefix=/json/2``
    ``{"calls": [{"at", "method", "path", "query", "status", "fault", "headers"}],
    "rpc": [{"at", "protocol", "service", "method", "model", "uid", "outcome"}]}``
    (``outcome`` is ``"ok"`` or the error's dotted class name).
``GET|POST /_emulator/clock``
    ``{"set": "2026-03-01T12:00:00Z", "frozen": true}``, ``{"advance_seconds": 3600}``,
    ``{"reset": true}``. Answer ``{"now": "2026-03-01 12:00:00", "frozen": true}``.
``POST /_emulator/payments/match``
    ``{"ids": [payment ids]}``: the payments are matched with a bank statement (18+: state
    ``paid``), so fully paid invoices go from ``in_payment`` to ``paid``.
``GET /_emulator/records/<model>?domain=[...]&fields=a,b``
    ``{"records": [...]}`` read as the superuser (archived records included, bare ids).

Not emulated: journal items other than invoice product lines (no receivable/tax lines, no
bank statements), pricelist rules, multi-line one2many import rows, property fields per
company (company-dependent fields hold one value), record rules other than multi-company,
the login cooldown, mail/chatter, reports.
"""

from __future__ import annotations

from lead2cash.emulators.odoo.app import create_app
from lead2cash.emulators.odoo.state import OdooState

__all__ = ["OdooState", "create_app"]
