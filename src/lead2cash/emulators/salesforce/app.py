"""The Salesforce emulator's served API: ``/services/oauth2/token`` and ``/services/data/...``.

See the package docstring for the behaviour; the control API is ``control.py``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lead2cash.emulators.faults import FaultMiddleware
from lead2cash.emulators.salesforce import control, soql
from lead2cash.emulators.salesforce.auth import OAuthError
from lead2cash.emulators.salesforce.query import Executor
from lead2cash.emulators.salesforce.schema import ObjectDef
from lead2cash.emulators.salesforce.state import MAX_BATCH, SalesforceState, version_label
from lead2cash.emulators.salesforce.store import Row
from lead2cash.emulators.salesforce.values import (
    ApiError,
    MultipleChoices,
    dumps,
    loads,
    no_such_column,
    parse_datetime,
)

JSON = "application/json;charset=UTF-8"
ANY_METHOD = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"]
_VERSION = re.compile(r"^v(\d{2,3})\.0$")
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)
#: Upsert answers 200 with a body on update from this version on (204 before).
UPSERT_BODY_SINCE = 46
#: How long deleted records stay in the recycle bin (then /deleted and queryAll lose them).
RECYCLE_BIN = timedelta(days=15)


def _json(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, media_type=JSON, headers=dict(headers or {}))


def _state(request: Request) -> SalesforceState:
    state: SalesforceState = request.app.state.emulator
    return state


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


# -- OAuth ------------------------------------------------------------------------------------


async def token(request: Request) -> Response:
    state = _state(request)
    body = (await request.body()).decode("utf-8", "replace")
    form = dict(parse_qsl(body, keep_blank_values=True))
    try:
        answer = state.issue_token(form, request.headers.get("authorization"), _origin(request))
    except OAuthError as exc:
        return _json(exc.status, exc.body())
    return _json(200, answer)


# -- /services/data ---------------------------------------------------------------------------


async def data_api(request: Request) -> Response:
    state = _state(request)
    # Split the raw path before decoding it, so an encoded "/" (%2F) stays inside its segment.
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    tail = raw_path.decode("latin-1").split("?", 1)[0].removeprefix("/services/data")
    parts = [unquote(p) for p in tail.split("/") if p]
    if not parts:
        if request.method != "GET":
            return _json(405, ApiError(405, "METHOD_NOT_ALLOWED", "HTTP Method not allowed").body())
        return _json(200, _versions(state))
    match = _VERSION.match(parts[0])
    if match is None or int(match.group(1)) not in state.versions():
        return _json(
            404, ApiError(404, "NOT_FOUND", "The requested resource does not exist").body()
        )
    version = f"{match.group(1)}.0"
    raw = await request.body()
    with state.lock:
        try:
            user = state.session_user(request.headers.get("authorization"))
        except ApiError as exc:
            return _json(exc.status, exc.body())
        try:
            state.count_call()
        except ApiError as exc:
            return _json(exc.status, exc.body(), _limit_header(state))
        try:
            response = _dispatch(request, state, version, parts[1:], raw, user)
        except ApiError as exc:
            response = _json(exc.status, exc.body())
        except soql.SoqlError as exc:
            response = _json(400, [{"message": exc.message, "errorCode": exc.code}])
        except MultipleChoices as exc:
            response = _json(300, exc.urls)
        response.headers.update(_limit_header(state))
        return response


def _limit_header(state: SalesforceState) -> dict[str, str]:
    return {"Sforce-Limit-Info": f"api-usage={state.api_usage()}/{state.config.daily_limit}"}


def _versions(state: SalesforceState) -> list[dict[str, str]]:
    return [
        {"label": version_label(v), "url": f"/services/data/v{v}.0", "version": f"{v}.0"}
        for v in state.versions()
    ]


def _not_allowed(method: str, allowed: str) -> ApiError:
    return ApiError(
        405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed}"
    )


def _dispatch(
    request: Request,
    state: SalesforceState,
    version: str,
    parts: list[str],
    raw: bytes,
    user: str,
) -> Response:
    method = "GET" if request.method == "HEAD" else request.method
    base = f"/services/data/v{version}"
    if not parts:
        if method != "GET":
            raise _not_allowed(method, "GET,HEAD")
        names = ("sobjects", "query", "queryAll", "limits")
        return _json(200, {name: f"{base}/{name}" for name in names})
    head, rest = parts[0], parts[1:]
    if head == "limits" and not rest:
        if method != "GET":
            raise _not_allowed(method, "GET,HEAD")
        limit = state.config.daily_limit
        remaining = max(0, limit - state.api_usage())
        return _json(200, {"DailyApiRequests": {"Max": limit, "Remaining": remaining}})
    if head in ("query", "queryAll"):
        if method != "GET":
            raise _not_allowed(method, "GET,HEAD")
        return _query(request, state, version, head, rest)
    if head == "sobjects":
        return _sobjects(request, state, version, rest, raw, user)
    raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def _query(
    request: Request, state: SalesforceState, version: str, endpoint: str, rest: list[str]
) -> Response:
    if endpoint == "queryAll":  # the recycle bin keeps deleted records about 15 days
        state.data.purge(state.clock.now() - RECYCLE_BIN)
    if rest:
        return _json(200, state.next_batch(rest[0]))
    text = request.query_params.get("q")
    if text is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    parsed = soql.parse(text)
    include_deleted = endpoint == "queryAll"
    result = Executor(state.data, now=state.clock.now(), version=version).execute(
        parsed, include_deleted=include_deleted
    )
    if parsed.is_count:
        return _json(200, {"totalSize": result.total, "done": True, "records": []})
    batch = state.config.page_size
    header = _BATCH.search(request.headers.get("sforce-query-options", ""))
    if header:
        batch = min(batch, max(200, min(MAX_BATCH, int(header.group(1)))))
    return _json(
        200, state.open_cursor(result.records, endpoint=endpoint, version=version, batch=batch)
    )


def _describe_object(obj: ObjectDef, base: str) -> dict[str, Any]:
    urls = {
        "sobject": f"{base}/sobjects/{obj.name}",
        "describe": f"{base}/sobjects/{obj.name}/describe",
        "rowTemplate": f"{base}/sobjects/{obj.name}/{{ID}}",
    }
    return {
        "name": obj.name,
        "label": obj.name.removesuffix("__c"),
        "labelPlural": obj.name.removesuffix("__c") + "s",
        "keyPrefix": obj.key_prefix,
        "custom": obj.custom,
        "queryable": True,
        "retrieveable": True,
        "searchable": True,
        "createable": obj.createable,
        "updateable": obj.createable,
        "deletable": obj.createable and obj.name != "User",
        "urls": urls,
    }


def _render(
    state: SalesforceState, obj: ObjectDef, row: Row, version: str, fields: str | None
) -> dict[str, Any]:
    out = Executor(state.data, now=state.clock.now(), version=version).attributes(obj, row)
    if fields:
        wanted = ["Id", *(f.strip() for f in fields.split(",") if f.strip())]
        for name in wanted:
            f = obj.get(name)
            if f is None:
                raise no_such_column(obj.name, name)
            out[f.name] = row.get(f.name)
        return out
    for f in obj.fields.values():
        out[f.name] = row.get(f.name)
    return out


def _body(raw: bytes) -> dict[str, Any]:
    body = loads(raw or b"{}")
    if not isinstance(body, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be a JSON object")
    return body


def _sobjects(
    request: Request,
    state: SalesforceState,
    version: str,
    rest: list[str],
    raw: bytes,
    user: str,
) -> Response:
    method = "GET" if request.method == "HEAD" else request.method
    base = f"/services/data/v{version}"
    data = state.data
    if not rest:
        if method != "GET":
            raise _not_allowed(method, "GET,HEAD")
        objects = [_describe_object(o, base) for o in data.schema.objects.values()]
        return _json(200, {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": objects})
    obj = data.object(rest[0])
    tail = rest[1:]
    if not tail:
        if method == "GET":
            return _json(200, {"objectDescribe": _describe_object(obj, base), "recentItems": []})
        if method == "POST":
            row = data.create(obj.name, _body(raw), user_id=user)
            return _json(201, {"id": row["Id"], "success": True, "errors": []})
        raise _not_allowed(method, "GET,HEAD,POST")
    if tail == ["describe"]:
        if method != "GET":
            raise _not_allowed(method, "GET,HEAD")
        described = _describe_object(obj, base) | {
            "fields": [f.describe() for f in obj.fields.values()],
            "childRelationships": [
                {
                    "childSObject": c.child,
                    "field": c.field,
                    "relationshipName": c.name,
                    "cascadeDelete": c.child in ("OpportunityLineItem", "OpportunityContactRole"),
                }
                for c in obj.children.values()
            ],
        }
        return _json(200, described)
    if tail in (["deleted"], ["updated"]):
        if method != "GET":
            raise _not_allowed(method, "GET,HEAD")
        return _replication(request, state, obj, tail[0])
    if len(tail) == 1:
        record_id = tail[0]
        if method == "GET":
            row = data.existing(obj, record_id)
            return _json(200, _render(state, obj, row, version, request.query_params.get("fields")))
        if method == "PATCH":
            data.update(obj.name, record_id, _body(raw), user_id=user)
            return Response(status_code=204)
        if method == "DELETE":
            data.delete(obj.name, record_id, user_id=user)
            return Response(status_code=204)
        raise _not_allowed(method, "GET,HEAD,PATCH,DELETE")
    if len(tail) == 2:
        field, value = tail
        if method == "GET":
            rows = data.matches(obj, field, value)
            if not rows:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            if len(rows) > 1:
                raise MultipleChoices([f"{base}/sobjects/{obj.name}/{r['Id']}" for r in rows])
            return _json(
                200, _render(state, obj, rows[0], version, request.query_params.get("fields"))
            )
        if method == "PATCH":
            row, created = data.upsert(
                obj.name, field, value, _body(raw), user_id=user, version=version
            )
            answer = {"id": row["Id"], "success": True, "errors": [], "created": created}
            if created:
                return _json(201, answer)
            if int(version.split(".")[0]) >= UPSERT_BODY_SINCE:
                return _json(200, answer)
            return Response(status_code=204)
        if method == "DELETE":
            rows = data.matches(obj, field, value)
            if not rows:
                raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
            if len(rows) > 1:
                raise MultipleChoices([f"{base}/sobjects/{obj.name}/{r['Id']}" for r in rows])
            data.delete(obj.name, rows[0]["Id"], user_id=user)
            return Response(status_code=204)
        raise _not_allowed(method, "GET,HEAD,PATCH,DELETE")
    raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")


def _replication(request: Request, state: SalesforceState, obj: ObjectDef, kind: str) -> Response:
    """``/deleted`` and ``/updated``: seconds are ignored, the window is 30 days back at most."""
    try:
        start = _minute(parse_datetime(request.query_params["start"]))
        end = _minute(parse_datetime(request.query_params["end"]))
    except (KeyError, ValueError):
        raise ApiError(
            400, "MALFORMED_QUERY", "start and end must be ISO 8601 date-times"
        ) from None
    now = state.clock.now()
    if start >= end:
        raise ApiError(
            400,
            "INVALID_REPLICATION_DATE",
            "startDate must chronologically precede endDate by more than one minute",
        )
    if start < _minute(now) - timedelta(days=30):
        raise ApiError(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago")
    state.data.purge(now - RECYCLE_BIN)
    covered = min(end, _minute(now))
    if kind == "updated":
        ids = [r["Id"] for r in state.data.rows(obj) if start <= r["SystemModstamp"] < covered]
        return _json(200, {"ids": ids, "latestDateCovered": covered})
    deleted = [
        {"id": record_id, "deletedDate": when}
        for sobject, record_id, when in state.data.deleted_log
        if sobject == obj.name and start <= when < covered
    ]
    body = {
        "deletedRecords": deleted,
        "earliestDateAvailable": _minute(state.data.purged_until),
        "latestDateCovered": covered,
    }
    return _json(200, body)


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def create_app(*, access_token: str, client_id: str, client_secret: str) -> Starlette:
    """The emulator for one org; its :class:`SalesforceState` is ``app.state.emulator``."""
    state = SalesforceState(
        access_token=access_token, client_id=client_id, client_secret=client_secret
    )
    routes = [
        Route("/services/oauth2/token", token, methods=["POST"]),
        Route("/services/data", data_api, methods=ANY_METHOD),
        Route("/services/data/{rest:path}", data_api, methods=ANY_METHOD),
        *control.routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, plan=state.plan, log=state.log)],
    )
    app.state.emulator = state
    return app
