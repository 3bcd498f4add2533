"""The Harvest emulator's ASGI app: the served ``/v2/`` API and the ``/_emulator/`` control API.

See the package docstring for the wire behaviour and the control API's JSON shapes.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lead2cash.emulators.faults import (
    FaultMiddleware,
    FaultRule,
    calls_control,
    control_decorator,
    json_body,
)
from lead2cash.emulators.harvest import jsonout
from lead2cash.emulators.harvest.paging import PagingError, paginate
from lead2cash.emulators.harvest.records import RECORD_MODELS
from lead2cash.emulators.harvest.state import EmulatorError, HarvestState, parse_datetime
from lead2cash.emulators.jsonout import floats_as_decimals

INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": (
        "The access token provided is expired, revoked, malformed or invalid for other reasons."
    ),
}
TOO_MANY_REQUESTS_HTML = (
    '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
    "<title>Too Many Requests | Harvest</title></head>\n<body><h1>Too Many Requests</h1>"
    "<p>You have made too many requests. Please wait a moment and try again.</p></body>\n</html>\n"
)
JSON = "application/json; charset=utf-8"

Handler = Callable[[Request], Awaitable[Response]]


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(jsonout.dumps(body), status_code=status, media_type=JSON, headers=headers)


def _request_id() -> dict[str, str]:
    return {"x-request-id": secrets.token_hex(16)}


def _state(request: Request) -> HarvestState:
    state: HarvestState = request.app.state.emulator
    return state


def _query(request: Request) -> dict[str, str]:
    return dict(request.query_params.items())


# -- the served API ----------------------------------------------------------------------------


def _guard(request: Request) -> Response | None:
    """Auth, User-Agent and rate limit, in that order; ``None`` when the call may proceed."""
    state = _state(request)
    query = request.query_params
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else query.get("access_token")
    account = request.headers.get("harvest-account-id") or query.get("account_id")
    if not token or not secrets.compare_digest(token, state.token) or account != state.account_id:
        return _json(401, INVALID_TOKEN, _request_id())
    if state.require_user_agent and not request.headers.get("user-agent", "").strip():
        body = {"status": 400, "error": "User-Agent header is required"}
        return _json(400, body, _request_id())
    retry_after = state.throttle(request.method, request.url.path)
    if retry_after is not None:
        headers = {"retry-after": str(retry_after), **_request_id()}
        return Response(
            TOO_MANY_REQUESTS_HTML,
            status_code=429,
            media_type="text/html",
            headers=headers,
        )
    return None


def api(handler: Handler) -> Handler:
    async def guarded(request: Request) -> Response:
        refused = _guard(request)
        if refused is not None:
            return refused
        try:
            return await handler(request)
        except EmulatorError as exc:
            return _json(exc.status, exc.body, _request_id())
        except PagingError as exc:
            return _json(422, {"message": str(exc)}, _request_id())

    return guarded


LISTS = {
    "users",
    "clients",
    "projects",
    "tasks",
    "expense_categories",
    "task_assignments",
    "user_assignments",
    "time_entries",
    "expenses",
}


def _list_response(
    request: Request, resource: str, paging_key: str, project_id: int | None = None
) -> Response:
    state = _state(request)
    query = _query(request)
    items = state.select(resource, query, project_id=project_id)
    body = paginate(
        key=resource,
        items=items,
        query=query,
        base_url=str(request.url.replace(query="")),
        mode=state.paging[paging_key],
    )
    return _json(200, body, _request_id())


@api
async def list_records(request: Request) -> Response:
    resource = request.path_params["resource"]
    if resource not in LISTS:
        return _json(404, {"status": 404, "error": "Not Found"}, _request_id())
    return _list_response(request, resource, resource)


@api
async def project_assignments(request: Request) -> Response:
    kind = request.path_params["kind"]
    resource = f"{kind}_assignments"
    return _list_response(
        request, resource, f"project_{resource}", project_id=request.path_params["project_id"]
    )


@api
async def get_record(request: Request) -> Response:
    resource = request.path_params["resource"]
    if resource not in LISTS:
        return _json(404, {"status": 404, "error": "Not Found"}, _request_id())
    body = _state(request).render_one(resource, request.path_params["record_id"])
    return _json(200, body, _request_id())


@api
async def me(request: Request) -> Response:
    return _json(200, _state(request).me(), _request_id())


@api
async def unknown(request: Request) -> Response:
    return _json(404, {"status": 404, "error": "Not Found"}, _request_id())


# -- the control API ---------------------------------------------------------------------------


async def _body(request: Request) -> Any:
    return await json_body(
        request,
        lambda exc: EmulatorError(400, {"message": "body is not JSON"}),
        loads=jsonout.loads,
    )


control = control_decorator(_json, {EmulatorError: lambda exc: (exc.status, exc.body)})


@control
async def reset(request: Request) -> Response:
    _state(request).reset()
    return _json(200, {"ok": True})


@control
async def seed(request: Request) -> Response:
    body = await _body(request)
    if not isinstance(body, dict):
        raise EmulatorError(422, {"message": "the seed document is a JSON object"})
    return _json(200, {"created": _state(request).seed(body)})


def _closing(resource: str, closed: bool) -> Handler:
    @control
    async def handler(request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict):
            raise EmulatorError(422, {"message": "the selector is a JSON object"})
        return _json(200, {"updated": _state(request).set_closed(resource, body, closed)})

    return handler


@control
async def records(request: Request) -> Response:
    state = _state(request)
    resource = request.path_params["resource"]
    if resource not in RECORD_MODELS:
        raise EmulatorError(404, {"message": f"unknown resource {resource}"})
    items = state.select(resource, {})
    return _json(200, {resource: [s.item for s in items]})


@control
async def record(request: Request) -> Response:
    state = _state(request)
    resource, record_id = request.path_params["resource"], request.path_params["record_id"]
    if request.method == "DELETE":
        state.delete(resource, record_id)
        return _json(200, {"deleted": record_id})
    if request.method == "GET":
        return _json(200, state.render_one(resource, record_id))
    body = await _body(request)
    if not isinstance(body, dict):
        raise EmulatorError(422, {"message": "the patch is a JSON object"})
    return _json(200, state.edit(resource, record_id, body))


@control
async def clock(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        state.clock.apply(await _body(request), parse_datetime)
    return _json(200, {"now": state.clock.now(), "frozen": state.clock.frozen})


@control
async def config(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        return _json(200, floats_as_decimals(state.configure(await _body(request))))
    return _json(200, floats_as_decimals(state.config()))


@control
async def faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.plan.clear()
        state.clear_storm()
        return _json(200, {"faults": []})
    if request.method == "POST":
        body = dict(await _body(request))
        kind = body.get("kind", "status")
        if kind == "rate_limit" and "seconds" in body:
            retry_after = body.get("retry_after")
            state.storm(float(body["seconds"]), None if retry_after is None else float(retry_after))
            return _json(200, {"storm_seconds": float(body["seconds"])})
        if kind == "rate_limit" or (kind == "status" and int(body.get("status", 0)) == 429):
            body |= {"kind": "custom", "name": "rate_limit", "status": 429}
        try:
            rule = FaultRule.from_json(body)
        except ValueError as exc:
            raise EmulatorError(422, {"message": str(exc)}) from None
        state.plan.add(rule)
    return _json(200, {"faults": floats_as_decimals(state.plan.pending())})


@control
async def calls(request: Request) -> Response:
    return _json(200, {"calls": floats_as_decimals(calls_control(_state(request).log, request))})


def create_app(
    *,
    token: str,
    account_id: str,
    rate_limit_requests: int = 100,
    rate_limit_period: float = 15.0,
) -> Starlette:
    """The emulator for one account reached with ``token``; state at ``app.state.emulator``."""
    state = HarvestState(
        token=token,
        account_id=account_id,
        rate_limit_requests=rate_limit_requests,
        rate_limit_period=rate_limit_period,
    )
    any_method = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    routes = [
        Route("/v2/users/me", me, methods=["GET"]),
        Route(
            "/v2/projects/{project_id:int}/{kind:str}_assignments",
            project_assignments,
            methods=["GET"],
        ),
        Route("/v2/{resource:str}", list_records, methods=["GET"]),
        Route("/v2/{resource:str}/{record_id:int}", get_record, methods=["GET"]),
        Route("/v2/{rest:path}", unknown, methods=any_method),
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/seed", seed, methods=["POST"]),
        Route("/_emulator/clock", clock, methods=["GET", "POST"]),
        Route("/_emulator/config", config, methods=["GET", "POST"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/calls", calls, methods=["GET", "DELETE"]),
        Route("/_emulator/time_entries/approve", _closing("time_entries", True), methods=["POST"]),
        Route(
            "/_emulator/time_entries/unapprove", _closing("time_entries", False), methods=["POST"]
        ),
        Route("/_emulator/expenses/approve", _closing("expenses", True), methods=["POST"]),
        Route("/_emulator/expenses/unapprove", _closing("expenses", False), methods=["POST"]),
        Route("/_emulator/{resource:str}", records, methods=["GET"]),
        Route(
            "/_emulator/{resource:str}/{record_id:int}",
            record,
            methods=["GET", "PATCH", "DELETE"],
        ),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, plan=state.plan, log=state.log)],
    )
    app.state.emulator = state
    return app
