"""The Odoo emulator's ASGI app: the served protocols and the ``/_emulator/`` control API,
behind :class:`~lead2cash.emulators.faults.FaultMiddleware`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lead2cash.emulators.faults import FaultMiddleware
from lead2cash.emulators.odoo import control, json2, jsonrpc, xmlrpc
from lead2cash.emulators.odoo.http import json_response, not_found_page
from lead2cash.emulators.odoo.state import OdooState

Handler = Callable[[Request], Awaitable[Response]]
ANY = ["GET", "POST", "PUT", "DELETE", "PATCH"]


def _state(request: Request) -> OdooState:
    state: OdooState = request.app.state.odoo
    return state


async def web_version(request: Request) -> Response:
    state = _state(request)
    if not state.spec.has_web_version:
        return not_found_page()
    return json_response({"version_info": state.spec.version_info, "version": state.spec.version})


async def xmlrpc2(request: Request) -> Response:
    return await xmlrpc.handle(request, _state(request), legacy=False)


async def xmlrpc_legacy(request: Request) -> Response:
    return await xmlrpc.handle(request, _state(request), legacy=True)


async def jsonrpc_route(request: Request) -> Response:
    return await jsonrpc.handle_jsonrpc(request, _state(request))


async def web_json(request: Request) -> Response:
    return await jsonrpc.handle_web(request, _state(request))


async def json2_route(request: Request) -> Response:
    state = _state(request)
    if not state.spec.has_json2:
        return not_found_page()
    return await json2.handle(request, state)


async def unknown(request: Request) -> Response:
    return not_found_page()


WEB_JSON_ROUTES = (
    "/web/webclient/version_info",
    "/web/session/authenticate",
    "/web/session/get_session_info",
    "/web/session/destroy",
    "/web/dataset/call_kw",
    "/web/database/list",
)


def create_app(
    *,
    version: int = 19,
    db: str = "odoo",
    login: str = "admin",
    password: str = "admin",  # noqa: S107 - the emulator's documented default
    api_key: str | None = None,
) -> Starlette:
    """An Odoo ``version`` server with one database ``db`` and its admin user (``login`` with
    ``password`` and, if given, ``api_key``); the state is ``app.state.odoo``."""
    state = OdooState(version=version, db=db, login=login, password=password, api_key=api_key)
    routes = [
        Route("/web/version", web_version, methods=["GET", "POST"]),
        Route("/json/version", web_version, methods=["GET", "POST"]),
        Route("/xmlrpc/2/{service:str}", xmlrpc2, methods=["POST"]),
        Route("/xmlrpc/{service:str}", xmlrpc_legacy, methods=["POST"]),
        Route("/jsonrpc", jsonrpc_route, methods=["POST"]),
        *(Route(path, web_json, methods=["POST"]) for path in WEB_JSON_ROUTES),
        Route("/web/dataset/call_kw/{rest:path}", web_json, methods=["POST"]),
        Route("/json/2", json2_route, methods=ANY),
        Route("/json/2/{rest:path}", json2_route, methods=ANY),
        Route("/_emulator/reset", control.reset, methods=["POST"]),
        Route("/_emulator/seed", control.seed, methods=["POST"]),
        Route("/_emulator/state", control.state_summary, methods=["GET"]),
        Route("/_emulator/faults", control.faults, methods=["GET", "POST", "DELETE"]),
        Route("/_emulator/calls", control.calls, methods=["GET", "DELETE"]),
        Route("/_emulator/clock", control.clock, methods=["GET", "POST"]),
        Route("/_emulator/payments/match", control.match_payments, methods=["POST"]),
        Route("/_emulator/records/{model:str}", control.records, methods=["GET"]),
        Route("/{rest:path}", unknown, methods=ANY),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, plan=state.faults, log=state.calls)],
    )
    app.state.odoo = state
    return app
