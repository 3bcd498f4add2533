"""JSON-RPC: ``POST /jsonrpc`` (service/method/args, as the deprecated RPC API) and the web
client's JSON routes odoorpc and browsers use: ``/web/webclient/version_info``,
``/web/session/authenticate`` (cookie ``session_id``), ``/web/session/get_session_info``,
``/web/session/destroy``, ``/web/dataset/call_kw[/<path>]`` and ``/web/database/list``.

Errors come back with HTTP 200: ``{"jsonrpc": "2.0", "id": ..., "error": {"code": 200 (17/18)
or 0 (19), "message": "Odoo Server Error", "data": {"name", "message", "arguments",
"context", "debug"}}}``; 404 "404: Not Found" and 100 "Odoo Session Expired" are the special
codes. A ``None`` result is an answer without ``result`` (``JsonRPCDispatcher._response``).
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.http import (
    inferred_types,
    json_response,
    mimetype,
    unsupported_media,
)
from lead2cash.emulators.odoo.service import Services
from lead2cash.emulators.odoo.state import OdooState

ACCEPTED = ("application/json", "application/json-rpc")


def _error(state: OdooState, request_id: Any, exc: errors.OdooError) -> Response:
    error: dict[str, Any] = {
        "code": state.spec.jsonrpc_error_code,
        "message": "Odoo Server Error",
        "data": errors.serialize(exc, state.spec.major),
    }
    if exc.odoo_name == "werkzeug.exceptions.NotFound":
        error["code"], error["message"] = 404, "404: Not Found"
    elif exc.odoo_name == "odoo.http.SessionExpiredException":
        error["code"], error["message"] = 100, "Odoo Session Expired"
    return json_response({"jsonrpc": "2.0", "id": request_id, "error": error})


def _result(request_id: Any, result: Any, headers: dict[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id}
    if result is not None:
        body["result"] = result
    return json_response(body, headers=headers)


async def _envelope(
    request: Request, state: OdooState, route: str
) -> tuple[Any, dict[str, Any]] | Response:
    if mimetype(request) not in ACCEPTED:
        kind = "jsonrpc" if state.spec.major >= 19 else "json"
        return unsupported_media(
            route, kind, ACCEPTED, inferred_types(request, state.spec.major), state.spec.major
        )
    raw = await request.body()
    try:
        payload = json.loads(raw)
    except ValueError:
        return Response("Invalid JSON data", status_code=400, media_type="text/html")
    if not isinstance(payload, dict):
        return Response("Invalid JSON-RPC data", status_code=400, media_type="text/html")
    params = payload.get("params", {})
    if not isinstance(params, dict):
        return Response("Invalid JSON-RPC data", status_code=400, media_type="text/html")
    return payload.get("id"), params


async def handle_jsonrpc(request: Request, state: OdooState) -> Response:
    parsed = await _envelope(request, state, "/jsonrpc")
    if isinstance(parsed, Response):
        return parsed
    request_id, params = parsed
    services = Services(state)
    try:
        missing = [p for p in ("service", "method", "args") if p not in params]
        if missing:
            raise errors.type_error(
                f"JSONRPC.jsonrpc() missing {len(missing)} required positional argument"
                f"{'s' if len(missing) > 1 else ''}: " + " and ".join(repr(m) for m in missing)
            )
        service, method, args = params["service"], params["method"], params["args"]
        if not isinstance(args, list):
            raise errors.type_error("args must be a list")
        if service == "common":
            result = services.common(str(method), args)
        elif service == "object":
            result = services.object(str(method), args, protocol="jsonrpc", path="/jsonrpc")
        elif service == "db":
            result = [state.db_name] if method == "list" else state.spec.version
        else:
            raise errors.PythonError("KeyError", repr(service))
    except errors.OdooError as exc:
        return _error(state, request_id, exc)
    return _result(request_id, result)


# -- web client routes -----------------------------------------------------------------------


def session_info(state: OdooState, uid: int) -> dict[str, Any]:
    """A subset of ``ir.http.session_info``."""
    server = state.server
    user = server.db.table("res.users")[uid]
    companies = server.db.table("res.company")
    allowed = [c for c in user.get("company_ids") or () if c in companies]
    env = state.env(uid)
    return {
        "uid": uid,
        "is_system": env.has_group("base.group_system"),
        "is_admin": env.has_group("base.group_erp_manager"),
        "is_internal_user": env.has_group("base.group_user"),
        "user_context": {
            "lang": user.get("lang") or "en_US",
            "tz": user.get("tz") or False,
            "uid": uid,
        },
        "db": state.db_name,
        "server_version": state.spec.version,
        "server_version_info": state.spec.version_info,
        "name": user.get("name"),
        "username": user.get("login"),
        "partner_display_name": user.get("name"),
        "partner_id": user.get("partner_id"),
        "web.base.url": "http://localhost:8069",
        "user_companies": {
            "current_company": user.get("company_id"),
            "allowed_companies": {
                str(c): {
                    "id": c,
                    "name": companies[c].get("name"),
                    "sequence": companies[c].get("sequence"),
                    "parent_id": companies[c].get("parent_id") or False,
                }
                for c in allowed
            },
        },
        "currencies": {
            str(cid): {
                "symbol": row.get("symbol"),
                "position": row.get("position"),
                "digits": [69, 2],
            }
            for cid, row in server.db.table("res.currency").items()
            if row.get("active")
        },
    }


def _session_uid(request: Request, state: OdooState) -> int | None:
    sid = request.cookies.get("session_id")
    return state.sessions.get(sid) if sid else None


async def handle_web(request: Request, state: OdooState) -> Response:
    route = request.url.path
    parsed = await _envelope(request, state, route)
    if isinstance(parsed, Response):
        return parsed
    request_id, params = parsed
    try:
        if route == "/web/webclient/version_info":
            return _result(request_id, state.spec.rpc_version())
        if route == "/web/database/list":
            return _result(request_id, [state.db_name])
        if route == "/web/session/authenticate":
            return _authenticate(request_id, params, state)
        uid = _session_uid(request, state)
        if uid is None:
            raise errors.SessionExpired("Session expired")
        if route == "/web/session/get_session_info":
            return _result(request_id, session_info(state, uid))
        if route == "/web/session/destroy":
            state.sessions.pop(request.cookies.get("session_id", ""), None)
            return _result(request_id, None)
        if route == "/web/dataset/call_kw" or route.startswith("/web/dataset/call_kw/"):
            return _call_kw(request_id, params, state, uid)
        raise errors.not_found("404: Not Found")
    except errors.OdooError as exc:
        return _error(state, request_id, exc)


def _authenticate(request_id: Any, params: dict[str, Any], state: OdooState) -> Response:
    services = Services(state)
    db, login, password = params.get("db"), params.get("login"), params.get("password")
    if db != state.db_name:
        raise errors.AccessError("Database not found.")
    uid = services.authenticate(str(login), password)
    if not uid or isinstance(uid, bool):
        state.log_rpc("web", "session", "authenticate", None, None, "odoo.exceptions.AccessDenied")
        raise errors.AccessDenied()
    sid = state.open_session(int(uid))
    state.log_rpc("web", "session", "authenticate", None, int(uid), "ok")
    headers = {"set-cookie": f"session_id={sid}; HttpOnly; Path=/; SameSite=Lax"}
    return _result(request_id, session_info(state, int(uid)), headers)


def _call_kw(request_id: Any, params: dict[str, Any], state: OdooState, uid: int) -> Response:
    missing = [p for p in ("model", "method", "args") if p not in params]
    if missing:
        raise errors.type_error(
            f"DataSet.call_kw() missing required arguments: {', '.join(missing)}"
        )
    kwargs = params.get("kwargs") or {}
    if not isinstance(kwargs, dict) or not isinstance(params["args"], list):
        raise errors.type_error("call_kw expects a list of args and a dict of kwargs")
    result = Services(state).call_kw(
        uid,
        str(params["model"]),
        str(params["method"]),
        list(params["args"]),
        dict(kwargs),
        protocol="web",
        fault_path=f"/web/dataset/call_kw/{params['model']}/{params['method']}",
    )
    return _result(request_id, result)
