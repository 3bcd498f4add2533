"""JSON-2 (19 only): ``POST /json/2/<model>/<method>`` (``addons/rpc/controllers/json2.py``,
``odoo/http.py`` ``Json2Dispatcher``, ``ir.http._auth_method_bearer``).

Checks in Odoo's order: the route (other paths under ``/json/2``: 404 "Did you mean POST
/json/2/<model>/<method>?"), the database (``X-Odoo-Database`` naming an unknown database: the
no-database 404 HTML page), the Content-Type (415 HTML), the bearer API key (401
``werkzeug.exceptions.Unauthorized`` "Invalid apikey", with ``WWW-Authenticate: Bearer``), the
body (400 "could not parse the body as json"), then the model and method (404 NotFound; 403
AccessError for private methods; 422 for ``ids`` on an ``@api.model`` method or arguments that
do not bind). Errors raised by the method map by class: UserError/ValidationError 422,
AccessError/AccessDenied 403, MissingError 404, LockError 409, anything else 500. The body of
an error is ``serialize_exception``: ``{"name", "message", "arguments", "context", "debug"}``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.http import (
    html_error,
    inferred_types,
    json_response,
    mimetype,
    not_found_page,
    unsupported_media,
)
from lead2cash.emulators.odoo.service import Services
from lead2cash.emulators.odoo.state import OdooState

_BEARER = re.compile(r"^bearer\s+(.+)$", re.IGNORECASE)
_ROUTE = re.compile(r"^/json/2/([^/]+)/([^/]+)$")
_NODB_PAGE = (
    "Odoo is up and running, but no database is selected.\n"
    "Use the X-Odoo-Database header or a db filter to choose one."
)


def error_response(state: OdooState, exc: errors.OdooError) -> Response:
    body = errors.serialize(exc, state.spec.major)
    headers = None
    if isinstance(exc, errors.HttpError) and exc.status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    status = exc.http_status if isinstance(exc, errors.UserError | errors.HttpError) else 500
    if isinstance(exc, errors.SessionExpired):
        status = 403
    return json_response(body, status=status, headers=headers)


async def handle(request: Request, state: OdooState) -> Response:
    path = request.url.path
    match = _ROUTE.match(path)
    route = "/json/2/<__model__>/<__method__>" if match and request.method == "POST" else "/json/2"
    header_db = request.headers.get("x-odoo-database")
    if header_db is not None and header_db != state.db_name:
        return html_error(404, "Not Found", _NODB_PAGE)
    if mimetype(request) != "application/json":
        return unsupported_media(
            route,
            "json2",
            ("application/json",),
            inferred_types(request, state.spec.major),
            state.spec.major,
        )
    if match is None or request.method != "POST":
        return error_response(
            state, errors.not_found("Did you mean POST /json/2/<model>/<method>?")
        )
    model, method = match.group(1), match.group(2)
    services = Services(state)
    try:
        uid = _bearer_uid(request, state)
        payload = await _body(request)
        ids = payload.pop("ids", [])
        context = payload.pop("context", {}) or {}
        if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in ids
        ):
            raise errors.unprocessable(f"invalid ids {ids!r}")
        if not isinstance(context, dict):
            raise errors.unprocessable("context must be an object")
        result = services.call_json2(uid, model, method, ids, context, payload, fault_path=path)
    except errors.OdooError as exc:
        return error_response(state, exc)
    return json_response(result)


def _bearer_uid(request: Request, state: OdooState) -> int:
    header = request.headers.get("authorization", "")
    match = _BEARER.match(header)
    if not match:
        raise errors.unauthorized(
            "User not authenticated, use an API Key with a Bearer Authorization header."
        )
    uid = state.server.credentials.key_user(match.group(1).strip())
    if uid is None or not state.server.db.table("res.users").get(uid, {}).get("active"):
        raise errors.unauthorized("Invalid apikey")
    return uid


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        payload = json.loads(raw)
    except ValueError as exc:
        raise errors.bad_request(f"could not parse the body as json: {exc.args[0]}") from None
    return payload if isinstance(payload, dict) else {}


def unknown_route() -> Response:
    return not_found_page()
