"""HTTP helpers shared by the protocols: Odoo's JSON responses and werkzeug's HTML error pages
(404, 415), as Odoo sends them before its dispatchers produce JSON."""

from __future__ import annotations

import html
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

JSON = "application/json; charset=utf-8"


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """``request.make_json_response``."""
    text = json.dumps(body, ensure_ascii=False, default=str)
    return Response(text, status_code=status, media_type=JSON, headers=headers)


def html_error(
    status: int, title: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    """A werkzeug ``HTTPException`` page."""
    # markupsafe's escaping, as werkzeug renders its error pages
    escaped = html.escape(description).replace("&#x27;", "&#39;").replace("\n", "<br>")
    body = (
        "<!doctype html>\n<html lang=en>\n"
        f"<title>{status} {title}</title>\n<h1>{title}</h1>\n<p>{escaped}</p>\n"
    )
    return Response(
        body, status_code=status, media_type="text/html; charset=utf-8", headers=headers
    )


def not_found_page() -> Response:
    return html_error(
        404,
        "Not Found",
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again.",
    )


def mimetype(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def unsupported_media(
    route: str, route_type: str, accepted: tuple[str, ...], inferred: list[str], major: int
) -> Response:
    """``_set_request_dispatcher``: the route's type does not match the Content-Type
    (19: 415 with ``Accept``; 17/18: 400 Bad Request)."""
    description = (
        f"Request inferred type is compatible with {inferred!r} but {route!r} is "
        f"type={route_type!r}."
    )
    if major <= 18:
        return html_error(400, "Bad Request", description)
    description += "\n\nPlease verify the Content-Type request header and try again."
    return html_error(415, "Unsupported Media Type", description, {"Accept": ", ".join(accepted)})


def inferred_types(request: Request, major: int) -> list[str]:
    kind = mimetype(request)
    found = ["http"]
    if kind in ("application/json", "application/json-rpc"):
        found.append("jsonrpc" if major >= 19 else "json")
    if kind == "application/json" and major >= 19:
        found.append("json2")
    return found
