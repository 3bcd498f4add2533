"""The Salesforce emulator's control API under ``/_emulator/`` (JSON; never faulted, logged or
counted against the daily allocation). The shapes are documented in the package docstring."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from lead2cash.emulators import jsonout
from lead2cash.emulators.faults import FaultRule, calls_control, control_decorator, json_body
from lead2cash.emulators.salesforce import soql
from lead2cash.emulators.salesforce.query import Executor
from lead2cash.emulators.salesforce.state import LATEST_VERSION, ControlError, SalesforceState
from lead2cash.emulators.salesforce.values import (
    ApiError,
    dumps,
    format_datetime,
    parse_datetime,
)

#: The errorCode a status fault carries when the rule names none.
DEFAULT_FAULT_CODES = {
    400: "MALFORMED_QUERY",
    401: "INVALID_SESSION_ID",
    403: "REQUEST_LIMIT_EXCEEDED",
    404: "NOT_FOUND",
    429: "REQUEST_LIMIT_EXCEEDED",
    500: "UNKNOWN_EXCEPTION",
    502: "SERVER_UNAVAILABLE",
    503: "SERVER_UNAVAILABLE",
}


def _json(status: int, body: Any) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


def _state(request: Request) -> SalesforceState:
    state: SalesforceState = request.app.state.emulator
    return state


async def _body(request: Request) -> dict[str, Any]:
    # Not JSON: the message of the served API's JSON_PARSER_ERROR (values.loads), but a 422.
    body = await json_body(
        request, lambda exc: ControlError(f"Unexpected character: {exc}"), loads=jsonout.loads
    )
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


control = control_decorator(
    _json,
    {
        ControlError: lambda exc: (422, {"message": str(exc)}),
        ApiError: lambda exc: (exc.status, exc.body()),
    },
    describe=lambda exc: f"bad request: {exc!r}",
)


@control
async def reset(request: Request) -> Response:
    _state(request).reset()
    return _json(200, {"reset": True})


@control
async def seed(request: Request) -> Response:
    return _json(200, _state(request).seed(await _body(request)))


@control
async def stage(request: Request) -> Response:
    state = _state(request)
    body = await _body(request)
    row = state.move_stage(request.path_params["record_id"], str(body["stage"]))
    return _json(200, {"record": dict(row)})


@control
async def clock(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        state.clock.apply(await _body(request), parse_datetime)
    return _json(200, {"now": format_datetime(state.clock.now()), "frozen": state.clock.frozen})


@control
async def jwt_keys(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        body = await _body(request)
        state.register_key(str(body["public_key"]))
    return _json(200, {"keys": len(state.jwt_keys)})


@control
async def expire_sessions(request: Request) -> Response:
    body = await _body(request)
    token = body.get("token")
    expired = _state(request).expire_sessions(None if token is None else str(token))
    return _json(200, {"expired": expired})


@control
async def config(request: Request) -> Response:
    state = _state(request)
    body = await _body(request) if request.method == "POST" else {}
    return _json(200, state.configure(body))


def fault_rule(body: dict[str, Any]) -> FaultRule:
    """A FaultRule from the control API, with a Salesforce error body for status faults."""
    body = dict(body)
    code = body.pop("error_code", None)
    message = body.pop("message", None)
    try:
        rule = FaultRule.from_json(body)
    except ValueError as exc:
        raise ControlError(str(exc)) from None
    if rule.kind == "status" and not rule.body:
        code = code or DEFAULT_FAULT_CODES.get(rule.status, "UNKNOWN_EXCEPTION")
        text = message or f"emulator fault: HTTP {rule.status}"
        rule.body = dumps([{"message": text, "errorCode": code}]).decode()
    return rule


@control
async def faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.plan.clear()
    elif request.method == "POST":
        state.plan.add(fault_rule(await _body(request)))
    return _json(200, {"faults": state.plan.pending()})


@control
async def calls(request: Request) -> Response:
    return _json(200, {"calls": calls_control(_state(request).log, request)})


@control
async def records(request: Request) -> Response:
    state = _state(request)
    with state.lock:
        obj = state.data.object(request.path_params["sobject"])
        rows = [dict(r) for r in state.data.rows(obj, include_deleted=True)]
    return _json(200, {"records": rows})


@control
async def record(request: Request) -> Response:
    state = _state(request)
    sobject, record_id = request.path_params["sobject"], request.path_params["record_id"]
    with state.lock:
        obj = state.data.object(sobject)
        if request.method == "GET":
            found = state.data.find(record_id)
            if found is None or found[0] is not obj:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            return _json(200, {"record": dict(found[1])})
        if request.method == "DELETE":
            state.data.delete(obj.name, record_id)
            return _json(200, {"deleted": record_id})
        body = await _body(request)
        system_only = request.query_params.get("system_only") == "true"
        row = state.data.update(obj.name, record_id, body, system=True, system_only=system_only)
        return _json(200, {"record": dict(row)})


@control
async def purge(request: Request) -> Response:
    state = _state(request)
    body = await _body(request)
    before: datetime = parse_datetime(str(body["before"]))
    with state.lock:
        count = state.data.purge(before)
    return _json(200, {"purged": count})


@control
async def query(request: Request) -> Response:
    """Run SOQL without counting or auth (handy in tests): ``?q=...&all=true``."""
    state = _state(request)
    with state.lock:
        executor = Executor(state.data, now=state.clock.now(), version=f"{LATEST_VERSION}.0")
        try:
            result = executor.execute(
                soql.parse(request.query_params["q"]),
                include_deleted=request.query_params.get("all") == "true",
            )
        except soql.SoqlError as exc:
            return _json(400, [{"message": exc.message, "errorCode": exc.code}])
    return _json(200, {"totalSize": result.total, "records": result.records})


def routes() -> list[BaseRoute]:
    return [
        Route("/_emulator/reset", reset, methods=["POST"]),
        Route("/_emulator/seed", seed, methods=["POST"]),
        Route("/_emulator/opportunities/{record_id}/stage", stage, methods=["POST"]),
        Route("/_emulator/clock", clock, methods=["GET", "POST"]),
        Route("/_emulator/jwt_keys", jwt_keys, methods=["GET", "POST"]),
        Route("/_emulator/sessions/expire", expire_sessions, methods=["POST"]),
        Route("/_emulator/config", config, methods=["GET", "POST"]),
        Route("/_emulator/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/calls", calls, methods=["GET", "DELETE"]),
        Route("/_emulator/purge", purge, methods=["POST"]),
        Route("/_emulator/query", query, methods=["GET"]),
        Route("/_emulator/records/{sobject}", records, methods=["GET"]),
        Route(
            "/_emulator/records/{sobject}/{record_id}", record, methods=["GET", "PATCH", "DELETE"]
        ),
    ]
