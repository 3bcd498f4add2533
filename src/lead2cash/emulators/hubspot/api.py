"""The served CRM API: objects, batch, search, properties, associations v4, pipelines.

Handlers raise :class:`~lead2cash.emulators.hubspot.errors.HubSpotError`; ``app.py`` wraps them
with auth, rate limits and HubSpot's error bodies. Path parameters: ``obj`` (``deals``,
``0-3``...), ``object_id``, ``to``, ``to_id``, ``action``, ``pipeline_id``, ``name``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from lead2cash.emulators.faults import json_body
from lead2cash.emulators.hubspot.clock import iso
from lead2cash.emulators.hubspot.errors import HubSpotError, error_body, invalid, not_found
from lead2cash.emulators.hubspot.model import (
    ASSOCIATION_TYPES,
    TYPE_PAIR,
    TYPES,
    Record,
    association_type,
    type_info,
)
from lead2cash.emulators.hubspot.seeding import property_def
from lead2cash.emulators.hubspot.state import HubSpotState

JSON_TYPE = "application/json;charset=utf-8"
MAX_LIST_LIMIT = 100
MAX_BATCH = 100
MAX_ASSOCIATION_PAGE = 500
MAX_ASSOCIATION_BATCH = 1000

Handler = Callable[[Request], Awaitable[Response]]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
    return Response(content, status_code=status, media_type=JSON_TYPE, headers=headers)


def _state(request: Request) -> HubSpotState:
    state: HubSpotState = request.app.state.emulator
    return state


def _type(request: Request, key: str = "obj") -> str:
    info = type_info(request.path_params[key])
    if info is None:
        raise invalid(f"Unable to infer object type from: {request.path_params[key]}")
    return info.name


async def _body(request: Request) -> Any:
    return await json_body(
        request, lambda exc: invalid("Invalid input JSON on line 1: the body is not JSON")
    )


def _list_param(request: Request, name: str) -> list[str]:
    values: list[str] = []
    for item in request.query_params.getlist(name):
        values += [v for v in (p.strip() for p in item.split(",")) if v]
    return values


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").lower() == "true"


def _int_param(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError as exc:
        raise invalid(f"{name} must be an integer; got {text!r}") from exc


def _batch(results: list[dict[str, Any]], errors: list[dict[str, Any]], started: int) -> Any:
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": iso(started),
        "completedAt": iso(started),
    }
    if errors:
        body["errors"] = errors
        body["numErrors"] = len(errors)
    return body


def _inputs(body: Any) -> list[dict[str, Any]]:
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise invalid("Invalid input JSON: inputs must be an array of objects")
    if len(inputs) > MAX_BATCH:
        raise invalid(f"Batch inputs are limited to {MAX_BATCH}; got {len(inputs)}")
    return inputs


# -- objects -----------------------------------------------------------------------------------


async def list_objects(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    limit = max(1, min(_int_param(request, "limit", 10), MAX_LIST_LIMIT))
    records, following = state.list_page(
        type_name,
        limit=limit,
        after=request.query_params.get("after"),
        archived=_flag(request, "archived"),
    )
    props = _list_param(request, "properties")
    history = _list_param(request, "propertiesWithHistory")
    links = _list_param(request, "associations")
    body: dict[str, Any] = {
        "results": [state.render(r, props, history=history, associations=links) for r in records]
    }
    if following is not None:
        query = dict(request.query_params) | {"after": following}
        link = str(request.url.include_query_params(**query))
        body["paging"] = {"next": {"after": following, "link": link}}
    return json_response(200, body)


def _create(state: HubSpotState, type_name: str, item: dict[str, Any]) -> Record:
    props = item.get("properties")
    if not isinstance(props, dict):
        raise invalid("Invalid input JSON: properties must be an object")
    values = state.validated(type_name, props)
    links: list[tuple[str, int, int]] = []
    for assoc in item.get("associations") or []:
        target = str((assoc.get("to") or {}).get("id", ""))
        for spec in assoc.get("types") or []:
            type_id = int(spec.get("associationTypeId", 0))
            pair = TYPE_PAIR.get(type_id)
            if pair is None or pair[0] != type_name:
                raise invalid(f"association type {type_id} does not start at {type_name}")
            links.append((pair[1], state.get(pair[1], target).id, type_id))
    record = state.add_record(type_name, values)
    for to, to_id, type_id in links:
        state.associate(type_name, record.id, to, to_id, [type_id])
    return record


async def create_object(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    body = await _body(request)
    record = _create(state, type_name, body if isinstance(body, dict) else {})
    return json_response(201, state.render(record, list(record.values) or None))


async def get_object(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    record = state.get(
        type_name,
        request.path_params["object_id"],
        archived=_flag(request, "archived"),
        id_property=request.query_params.get("idProperty"),
    )
    body = state.render(
        record,
        _list_param(request, "properties"),
        history=_list_param(request, "propertiesWithHistory"),
        associations=_list_param(request, "associations"),
    )
    return json_response(200, body)


async def update_object(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    body = await _body(request)
    record = state.get(
        type_name,
        request.path_params["object_id"],
        id_property=request.query_params.get("idProperty"),
    )
    props = body.get("properties") if isinstance(body, dict) else None
    if not isinstance(props, dict):
        raise invalid("Invalid input JSON: properties must be an object")
    state.update(record, state.validated(type_name, props, record))
    return json_response(200, state.render(record, list(props)))


async def archive_object(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    try:
        record = state.get(type_name, request.path_params["object_id"])
    except HubSpotError:
        return json_response(204, None)  # archiving twice (or a missing id) is not an error
    state.archive(record)
    return json_response(204, None)


async def batch(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    action = request.path_params["action"]
    body = await _body(request)
    inputs = _inputs(body)
    started = state.clock.now_ms()
    label = TYPES[type_name].singular.upper()
    if action == "read":
        props = [str(p) for p in body.get("properties") or []]
        history = [str(p) for p in body.get("propertiesWithHistory") or []]
        found, missing = [], []
        for item in inputs:
            try:
                record = state.get(
                    type_name, str(item.get("id")), id_property=body.get("idProperty")
                )
            except HubSpotError:
                missing.append(str(item.get("id")))
                continue
            found.append(state.render(record, props, history=history))
        errors = []
        if missing:
            errors.append(
                error_body(
                    f"Could not get some {label} objects, they may be deleted or not exist. "
                    "Check that ids are valid.",
                    "OBJECT_NOT_FOUND",
                    context={"ids": missing},
                )
            )
        return json_response(207 if errors else 200, _batch(found, errors, started))
    if action == "create":
        records = [_create(state, type_name, item) for item in inputs]
        rendered = [state.render(r, list(r.values) or None) for r in records]
        return json_response(201, _batch(rendered, [], started))
    if action in ("update", "upsert"):
        return _batch_update(state, type_name, inputs, upsert=action == "upsert", started=started)
    if action == "archive":
        for item in inputs:
            try:
                state.archive(state.get(type_name, str(item.get("id"))))
            except HubSpotError:
                continue
        return json_response(204, None)
    raise HubSpotError(404, f"Unknown batch action {action}", "OBJECT_NOT_FOUND")


def _batch_update(
    state: HubSpotState, type_name: str, inputs: list[dict[str, Any]], *, upsert: bool, started: int
) -> Response:
    plans: list[tuple[Record | None, dict[str, str], dict[str, Any]]] = []
    missing: list[str] = []
    for item in inputs:
        props = item.get("properties")
        if not isinstance(props, dict):
            raise invalid("Invalid input JSON: every input needs properties")
        id_property = item.get("idProperty")
        try:
            record: Record | None = state.get(
                type_name, str(item.get("id")), id_property=id_property
            )
        except HubSpotError:
            if not upsert:
                missing.append(str(item.get("id")))
                continue
            record = None
            if id_property:
                props = {**props, id_property: item.get("id")}
        plans.append((record, state.validated(type_name, props, record), props))
    results = []
    for record, values, props in plans:
        created = record is None
        if record is None:
            record = state.add_record(type_name, values)
        else:
            state.update(record, values)
        rendered = state.render(record, list(props))
        if upsert:
            rendered["new"] = created
        results.append(rendered)
    errors = []
    if missing:
        errors.append(
            error_body(
                f"Could not update some {TYPES[type_name].singular.upper()} objects, they may "
                "be deleted or not exist. Check that ids are valid.",
                "OBJECT_NOT_FOUND",
                context={"ids": missing},
            )
        )
    return json_response(207 if errors else 200, _batch(results, errors, started))


async def search(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    found = state.search(type_name, await _body(request))
    body: dict[str, Any] = {
        "total": found.total,
        "results": [state.render(r, found.properties) for r in found.records],
    }
    if found.next_after is not None:
        body["paging"] = {"next": {"after": str(found.next_after)}}
    return json_response(200, body)


# -- properties --------------------------------------------------------------------------------


async def list_properties(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    defs = state.defs(type_name)
    if "name" in request.path_params:
        prop = defs.get(request.path_params["name"])
        if prop is None:
            raise HubSpotError(
                404,
                f"Unable to find property {request.path_params['name']} for {type_name}",
                "OBJECT_NOT_FOUND",
            )
        return json_response(200, prop.render(type_name))
    return json_response(200, {"results": [p.render(type_name) for p in defs.values()]})


async def create_property(request: Request) -> Response:
    state, type_name = _state(request), _type(request)
    body = await _body(request)
    try:
        prop = property_def(body if isinstance(body, dict) else {})
    except ValueError as exc:
        raise invalid(str(exc)) from exc
    if prop.name in state.defs(type_name):
        raise HubSpotError(
            409, f"A property named '{prop.name}' already exists.", "OBJECT_ALREADY_EXISTS"
        )
    state.defs(type_name)[prop.name] = prop
    return json_response(201, prop.render(type_name))


# -- associations v4 ---------------------------------------------------------------------------


def _associated_json(state: HubSpotState, frm: str, from_id: int, to: str, after: int) -> Any:
    items = [(i, t) for i, t in state.associated(frm, from_id, to) if i >= after]
    chunk = items[:MAX_ASSOCIATION_PAGE]
    results = [
        {"toObjectId": to_id, "associationTypes": [association_type(t) for t in sorted(types)]}
        for to_id, types in chunk
    ]
    following = str(items[MAX_ASSOCIATION_PAGE][0]) if len(items) > MAX_ASSOCIATION_PAGE else None
    return results, following


async def list_associations(request: Request) -> Response:
    state, frm, to = _state(request), _type(request), _type(request, "to")
    record = state.get(frm, request.path_params["object_id"])
    after = _int_param(request, "after", 0)
    results, following = _associated_json(state, frm, record.id, to, after)
    body: dict[str, Any] = {"results": results}
    if following is not None:
        body["paging"] = {"next": {"after": following, "link": None}}
    return json_response(200, body)


async def put_default_association(request: Request) -> Response:
    state, frm, to = _state(request), _type(request), _type(request, "to")
    from_id = state.get(frm, request.path_params["object_id"]).id
    to_id = state.get(to, request.path_params["to_id"]).id
    type_id = ASSOCIATION_TYPES[(frm, to)][0][0] if (frm, to) in ASSOCIATION_TYPES else 0
    state.associate(frm, from_id, to, to_id)
    started = state.clock.now_ms()
    result = {
        "from": {"id": str(from_id)},
        "to": {"id": str(to_id)},
        "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id},
    }
    return json_response(200, _batch([result], [], started))


async def put_labelled_association(request: Request) -> Response:
    state, frm, to = _state(request), _type(request), _type(request, "to")
    from_id = state.get(frm, request.path_params["object_id"]).id
    to_id = state.get(to, request.path_params["to_id"]).id
    body = await _body(request)
    if not isinstance(body, list) or not body:
        raise invalid("Invalid input JSON: a list of association specs is expected")
    wanted = {int(spec.get("associationTypeId", 0)) for spec in body if isinstance(spec, dict)}
    types = state.associate(frm, from_id, to, to_id, wanted)
    return json_response(
        201,
        {
            "fromObjectTypeId": TYPES[frm].type_id,
            "fromObjectId": from_id,
            "toObjectTypeId": TYPES[to].type_id,
            "toObjectId": to_id,
            "labels": [association_type(t)["label"] for t in sorted(types) if t in wanted],
        },
    )


async def delete_association(request: Request) -> Response:
    state, frm, to = _state(request), _type(request), _type(request, "to")
    from_id = state.get(frm, request.path_params["object_id"]).id
    state.dissociate(frm, from_id, to, int(request.path_params["to_id"]))
    return json_response(204, None)


async def batch_read_associations(request: Request) -> Response:
    state, frm, to = _state(request), _type(request), _type(request, "to")
    body = await _body(request)
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list) or len(inputs) > MAX_ASSOCIATION_BATCH:
        raise invalid(f"inputs must be an array of at most {MAX_ASSOCIATION_BATCH} ids")
    started = state.clock.now_ms()
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in inputs:
        object_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        try:
            record = state.get(frm, object_id)
        except HubSpotError:
            record = None
        after = int(str(item.get("after") or 0)) if record is not None else 0
        found, following = (
            _associated_json(state, frm, record.id, to, after) if record else ([], None)
        )
        if not found:
            errors.append(
                error_body(
                    f"No {TYPES[to].singular} is associated with {TYPES[frm].singular} "
                    f"{object_id}.",
                    "OBJECT_NOT_FOUND",
                    subCategory="crm.associations.NO_ASSOCIATIONS_FOUND",
                    context={"fromObjectId": [object_id]},
                )
            )
            continue
        result: dict[str, Any] = {"from": {"id": object_id}, "to": found}
        if following is not None:
            result["paging"] = {"next": {"after": following, "link": None}}
        results.append(result)
    return json_response(207 if errors else 200, _batch(results, errors, started))


async def association_labels(request: Request) -> Response:
    frm, to = _type(request), _type(request, "to")
    types = ASSOCIATION_TYPES.get((frm, to), [])
    return json_response(200, {"results": [association_type(t) for t, _ in types]})


# -- pipelines ---------------------------------------------------------------------------------


def _pipelines(request: Request) -> dict[str, dict[str, Any]]:
    state, type_name = _state(request), _type(request)
    return state.pipelines.get(type_name, {})


def _pipeline(request: Request) -> dict[str, Any]:
    pipeline_id = request.path_params["pipeline_id"]
    found = _pipelines(request).get(pipeline_id)
    if found is None:
        raise not_found(pipeline_id)
    return found


async def list_pipelines(request: Request) -> Response:
    items = sorted(_pipelines(request).values(), key=lambda p: (p["displayOrder"], p["id"]))
    return json_response(200, {"results": items})


async def get_pipeline(request: Request) -> Response:
    return json_response(200, _pipeline(request))


async def pipeline_stages(request: Request) -> Response:
    return json_response(200, {"results": _pipeline(request)["stages"]})


async def api_usage(request: Request) -> Response:
    state = _state(request)
    used, limit = state.limits.usage()
    now = state.clock.now_ms()
    local = state.clock.now().astimezone(state.zone)
    midnight = datetime(local.year, local.month, local.day, tzinfo=state.zone) + timedelta(days=1)
    body = {
        "results": [
            {
                "name": "private-apps-api-calls-daily",
                "usageLimit": limit,
                "currentUsage": used,
                "collectedAt": iso(now),
                "fetchStatus": "SUCCESS",
                "resetsAt": iso(int(midnight.timestamp() * 1000)),
            }
        ]
    }
    return json_response(200, body)
