"""The control API under ``/_emulator/`` (JSON shapes in the package docstring).

Never authenticated, rate-limited, faulted or logged. Errors: HubSpot's body and status for
what the served API would refuse (an unknown stage, say), 422 ``{"message": ...}`` otherwise.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lead2cash.emulators.faults import FaultRule, calls_control, control_decorator, json_body
from lead2cash.emulators.hubspot import seeding
from lead2cash.emulators.hubspot.api import json_response
from lead2cash.emulators.hubspot.clock import iso, ms_to_datetime
from lead2cash.emulators.hubspot.errors import HubSpotError, error_body
from lead2cash.emulators.hubspot.limits import rate_limit_body
from lead2cash.emulators.hubspot.model import TYPES, parse_ms
from lead2cash.emulators.hubspot.state import HubSpotState
from lead2cash.emulators.hubspot.webhooks import deliver

_CATEGORIES = {
    400: "VALIDATION_ERROR",
    401: "INVALID_AUTHENTICATION",
    403: "MISSING_SCOPES",
    404: "OBJECT_NOT_FOUND",
    409: "CONFLICT",
    423: "LOCKED",
}


def _state(request: Request) -> HubSpotState:
    state: HubSpotState = request.app.state.emulator
    return state


async def _body(request: Request) -> Any:
    return await json_body(request, lambda exc: ValueError("the body is not JSON"))


control = control_decorator(json_response, {HubSpotError: lambda exc: (exc.status, exc.body)})


def _object_type(request: Request) -> str:
    name = request.path_params["type"]
    if name not in TYPES:
        raise ValueError(f"unknown object type {name!r}; known: {sorted(TYPES)}")
    return str(name)


@control
async def reset(request: Request) -> Response:
    _state(request).reset()
    return json_response(200, {"ok": True})


@control
async def seed(request: Request) -> Response:
    body = await _body(request)
    if not isinstance(body, dict):
        raise ValueError("the seed document is a JSON object")
    return json_response(200, {"created": seeding.seed(_state(request), body)})


@control
async def generate(request: Request) -> Response:
    body = await _body(request)
    start = body.get("start")
    start_ms = None if start is None else parse_ms(str(start))
    ids = seeding.generate(
        _state(request),
        str(body["type"]),
        int(body["count"]),
        body.get("properties") or {},
        start_ms=start_ms,
        step_ms=int(body.get("step_ms", 0)),
    )
    return json_response(200, {"created": len(ids), "first": ids[0], "last": ids[-1]})


def _full(state: HubSpotState, type_name: str, record: Any) -> dict[str, Any]:
    return state.render(record, list(state.defs(type_name)))


@control
async def objects(request: Request) -> Response:
    state, type_name = _state(request), _object_type(request)
    with state._lock:
        records = sorted(state.records[type_name].values(), key=lambda r: r.id)
        return json_response(200, {"results": [_full(state, type_name, r) for r in records]})


@control
async def one_object(request: Request) -> Response:
    state, type_name = _state(request), _object_type(request)
    object_id = request.path_params["object_id"]
    if request.method == "GET":
        with state._lock:
            record = state.records[type_name].get(int(object_id))
            if record is None:
                raise HubSpotError(404, f"no {type_name} {object_id}", "OBJECT_NOT_FOUND")
            return json_response(200, _full(state, type_name, record))
    if request.method == "DELETE":
        state.archive(state.get(type_name, object_id))
        return json_response(200, {"archived": object_id})
    body = await _body(request)
    edited = seeding.edit(
        state,
        type_name,
        object_id,
        body.get("properties") or {},
        updated_at=body.get("updatedAt"),
    )
    return json_response(200, edited)


@control
async def move_stage(request: Request) -> Response:
    state = _state(request)
    body = await _body(request)
    stage = str(body["stage"])
    record = state.get("deals", request.path_params["object_id"])
    props = {"dealstage": stage}
    if body.get("pipeline"):
        props["pipeline"] = str(body["pipeline"])
    state.update(record, state.validated("deals", props, record))
    event = state.event(
        "deal.propertyChange",
        record.id,
        occurred_ms=record.updated_ms,
        propertyName="dealstage",
        propertyValue=stage,
        changeSource=str(body.get("change_source", "CRM_UI")),
        sourceId=str(body.get("source_id", "userId:1")),
    )
    delivery = None
    if state.webhook_url and body.get("deliver", True):
        delivery = await deliver(state.webhook_url, state.client_secret, [event])
        state.deliveries.append(delivery)
    deal = state.render(record, ["dealname", "pipeline", "dealstage", "hs_is_closed_won"])
    return json_response(200, {"deal": deal, "event": event, "delivery": delivery})


@control
async def webhooks(request: Request) -> Response:
    state = _state(request)
    if request.method == "GET":
        return json_response(200, {"deliveries": state.deliveries})
    body = await _body(request)
    url = body.get("url") or state.webhook_url
    if not url:
        raise ValueError("no webhook URL: configure one or pass url")
    events = []
    for partial in body.get("events") or []:
        event = state.event(str(partial["subscriptionType"]), int(partial["objectId"]))
        event.update(partial)
        events.append(event)
    if not events:
        raise ValueError("events must list at least one event")
    delivery = await deliver(str(url), state.client_secret, events)
    state.deliveries.append(delivery)
    return json_response(200, {"delivery": delivery, "events": events})


@control
async def clock(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        state.clock.apply(await _body(request), _time)
    return json_response(200, {"now": iso(state.clock.now_ms()), "frozen": state.clock.frozen})


def _time(text: str) -> datetime | None:
    at = parse_ms(text)
    return None if at is None else ms_to_datetime(at)


@control
async def config(request: Request) -> Response:
    state = _state(request)
    if request.method == "POST":
        return json_response(200, state.configure(await _body(request)))
    return json_response(200, state.config())


def fault_rule(body: dict[str, Any]) -> FaultRule:
    """A fault rule; 429s and other statuses get HubSpot's bodies unless one is given."""
    body = dict(body)
    policy = str(body.pop("policy", "TEN_SECONDLY_ROLLING"))
    if body.get("kind") == "rate_limit":
        body["kind"], body["status"] = "status", 429
    rule = FaultRule.from_json(body)
    if rule.kind == "status" and not rule.body:
        if rule.status == 429:
            rule.body = json.dumps(rate_limit_body(policy))
        else:
            category = _CATEGORIES.get(rule.status, "INTERNAL_ERROR")
            rule.body = json.dumps(error_body(f"emulated HTTP {rule.status}", category))
    return rule


@control
async def faults(request: Request) -> Response:
    state = _state(request)
    if request.method == "DELETE":
        state.plan.clear()
        state.limits.clear_storm()
        return json_response(200, {"faults": []})
    if request.method == "POST":
        body = dict(await _body(request))
        if body.get("kind") == "rate_limit" and "seconds" in body:
            retry_after = body.get("retry_after")
            state.limits.storm(
                float(body["seconds"]),
                None if retry_after is None else float(retry_after),
                str(body.get("policy", "TEN_SECONDLY_ROLLING")),
            )
            return json_response(200, {"storm_seconds": float(body["seconds"])})
        state.plan.add(fault_rule(body))
    return json_response(200, {"faults": state.plan.pending()})


@control
async def calls(request: Request) -> Response:
    return json_response(200, {"calls": calls_control(_state(request).log, request)})
