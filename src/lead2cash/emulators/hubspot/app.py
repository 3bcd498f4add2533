"""The HubSpot emulator's ASGI app: routes of the served API and of the control API, and the
guard every served call passes (bearer token, then rate limits), wrapped in the shared
:class:`~lead2cash.emulators.faults.FaultMiddleware`.
"""

from __future__ import annotations

import secrets

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lead2cash.emulators.faults import FaultMiddleware
from lead2cash.emulators.hubspot import api, control
from lead2cash.emulators.hubspot.errors import HubSpotError, correlation_id, error_body
from lead2cash.emulators.hubspot.limits import Refusal, rate_limit_body
from lead2cash.emulators.hubspot.state import HubSpotState

AUTH_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
#: Date-based API versions served (the JSON is the same as the v3/v4 one).
VERSIONS = ("2026-03", "2026-09")


def _guarded(handler: api.Handler) -> api.Handler:
    async def guarded(request: Request) -> Response:
        state: HubSpotState = request.app.state.emulator
        auth = request.headers.get("authorization", "")
        token = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        if not token or not secrets.compare_digest(token.encode(), state.token.encode()):
            body = error_body(AUTH_MESSAGE, "INVALID_AUTHENTICATION")
            return api.json_response(401, body, {"X-HubSpot-Correlation-Id": body["correlationId"]})
        is_search = request.method == "POST" and request.url.path.endswith("/search")
        admitted = state.limits.admit(search=is_search, today=state.clock.now(), zone=state.zone)
        if isinstance(admitted, Refusal):
            body = rate_limit_body(admitted.policy)
            headers = dict(admitted.headers) | {"X-HubSpot-Correlation-Id": body["correlationId"]}
            if admitted.retry_after is not None:
                headers["Retry-After"] = f"{admitted.retry_after:g}"
            return api.json_response(429, body, headers)
        try:
            response = await handler(request)
        except HubSpotError as exc:
            response = api.json_response(exc.status, exc.body)
            response.headers["X-HubSpot-Correlation-Id"] = exc.body["correlationId"]
        response.headers.setdefault("X-HubSpot-Correlation-Id", correlation_id())
        for name, value in admitted.items():
            response.headers[name] = value
        return response

    return guarded


async def _unknown(request: Request) -> Response:
    body = error_body(f"No route for {request.method} {request.url.path}", "OBJECT_NOT_FOUND")
    return api.json_response(404, body)


def _served_routes() -> list[Route]:
    g = _guarded
    routes: list[Route] = []
    object_roots = ["/crm/v3/objects", *(f"/crm/objects/{v}" for v in VERSIONS)]
    for root in object_roots:
        routes += [
            Route(f"{root}/{{obj}}", g(api.list_objects), methods=["GET"]),
            Route(f"{root}/{{obj}}", g(api.create_object), methods=["POST"]),
            Route(f"{root}/{{obj}}/search", g(api.search), methods=["POST"]),
            Route(f"{root}/{{obj}}/batch/{{action}}", g(api.batch), methods=["POST"]),
            Route(f"{root}/{{obj}}/{{object_id}}", g(api.get_object), methods=["GET"]),
            Route(f"{root}/{{obj}}/{{object_id}}", g(api.update_object), methods=["PATCH"]),
            Route(f"{root}/{{obj}}/{{object_id}}", g(api.archive_object), methods=["DELETE"]),
        ]
    for root in ["/crm/v4/objects", *(f"/crm/objects/{v}" for v in VERSIONS)]:
        base = f"{root}/{{obj}}/{{object_id}}/associations"
        routes += [
            Route(f"{base}/{{to}}", g(api.list_associations), methods=["GET"]),
            Route(
                f"{base}/default/{{to}}/{{to_id}}", g(api.put_default_association), methods=["PUT"]
            ),
            Route(f"{base}/{{to}}/{{to_id}}", g(api.put_labelled_association), methods=["PUT"]),
            Route(f"{base}/{{to}}/{{to_id}}", g(api.delete_association), methods=["DELETE"]),
        ]
    for root in ["/crm/v4/associations", *(f"/crm/associations/{v}" for v in VERSIONS)]:
        routes += [
            Route(
                f"{root}/{{obj}}/{{to}}/batch/read",
                g(api.batch_read_associations),
                methods=["POST"],
            ),
            Route(f"{root}/{{obj}}/{{to}}/labels", g(api.association_labels), methods=["GET"]),
        ]
    for root in ["/crm/v3/pipelines", *(f"/crm/pipelines/{v}" for v in VERSIONS)]:
        routes += [
            Route(f"{root}/{{obj}}", g(api.list_pipelines), methods=["GET"]),
            Route(f"{root}/{{obj}}/{{pipeline_id}}", g(api.get_pipeline), methods=["GET"]),
            Route(
                f"{root}/{{obj}}/{{pipeline_id}}/stages", g(api.pipeline_stages), methods=["GET"]
            ),
        ]
    for root in ["/crm/v3/properties", *(f"/crm/properties/{v}" for v in VERSIONS)]:
        routes += [
            Route(f"{root}/{{obj}}", g(api.list_properties), methods=["GET"]),
            Route(f"{root}/{{obj}}", g(api.create_property), methods=["POST"]),
            Route(f"{root}/{{obj}}/{{name}}", g(api.list_properties), methods=["GET"]),
        ]
    routes.append(
        Route("/account-info/v3/api-usage/daily/private-apps", g(api.api_usage), methods=["GET"])
    )
    return routes


def _control_routes() -> list[Route]:
    c = control
    return [
        Route("/_emulator/reset", c.reset, methods=["POST"]),
        Route("/_emulator/seed", c.seed, methods=["POST"]),
        Route("/_emulator/generate", c.generate, methods=["POST"]),
        Route("/_emulator/clock", c.clock, methods=["GET", "POST"]),
        Route("/_emulator/config", c.config, methods=["GET", "POST"]),
        Route("/_emulator/faults", c.faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/calls", c.calls, methods=["GET", "DELETE"]),
        Route("/_emulator/webhooks", c.webhooks, methods=["GET"]),
        Route("/_emulator/webhooks/deliver", c.webhooks, methods=["POST"]),
        Route("/_emulator/deals/{object_id}/stage", c.move_stage, methods=["POST"]),
        Route("/_emulator/objects/{type}", c.objects, methods=["GET"]),
        Route(
            "/_emulator/objects/{type}/{object_id}",
            c.one_object,
            methods=["GET", "PATCH", "DELETE"],
        ),
    ]


def create_app(*, token: str, client_secret: str, webhook_url: str | None = None) -> Starlette:
    """The emulator of one portal reached with ``token``; webhooks are signed with
    ``client_secret`` and sent to ``webhook_url``. State at ``app.state.emulator``."""
    state = HubSpotState(token=token, client_secret=client_secret, webhook_url=webhook_url)
    any_method = ["GET", "POST", "PATCH", "PUT", "DELETE"]
    routes = [
        *_served_routes(),
        *_control_routes(),
        Route("/{rest:path}", _guarded(_unknown), methods=any_method),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, plan=state.plan, log=state.log)],
    )
    app.state.emulator = state
    return app
