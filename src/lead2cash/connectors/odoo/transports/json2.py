"""JSON-2 (Odoo 19+, Odoo Online from saas-18.4): ``POST /json/2/<model>/<method>``.

Stateless, bearer API key only, one transaction per call, real HTTP statuses for errors
(reference §1.4). The body is one JSON object: ``ids`` and ``context`` are reserved and every
other key is a *named* argument of the Python method, so positional ``execute_kw`` arguments
are named here from :data:`SIGNATURES`. Methods not in the table are taken as record methods
(``action_*`` buttons): ``args`` may then hold the ids and nothing else; pass any other argument
by name in ``kwargs``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from lead2cash import errors
from lead2cash.connectors.odoo import faults
from lead2cash.connectors.odoo.transports.base import encode, json_answer, send

#: method → (is an ``@api.model`` method (no ids), positional parameter names after the ids).
SIGNATURES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "search": (True, ("domain", "offset", "limit", "order")),
    "search_read": (True, ("domain", "fields", "offset", "limit", "order")),
    "search_count": (True, ("domain", "limit")),
    "name_search": (True, ("name", "domain", "operator", "limit")),
    "name_create": (True, ("name",)),
    "fields_get": (True, ("allfields", "attributes")),
    "default_get": (True, ("fields",)),
    "create": (True, ("vals_list",)),
    "load": (True, ("fields", "data")),
    "check_access_rights": (True, ("operation", "raise_exception")),
    "check_object_reference": (True, ("module", "xml_id", "raise_on_access_error")),
    "context_get": (True, ()),
    "read": (False, ("fields", "load")),
    "write": (False, ("vals",)),
    "unlink": (False, ()),
    "copy": (False, ("default",)),
    "has_access": (False, ("operation",)),
    "has_group": (False, ("group_ext_id",)),
    "export_data": (False, ("fields_to_export",)),
}


def named_body(
    method: str, args: Sequence[Any], kwargs: Mapping[str, Any], context: Mapping[str, Any]
) -> dict[str, Any]:
    """The JSON-2 body for an ``execute_kw``-style call."""
    is_model, names = SIGNATURES.get(method, (False, ()))
    body: dict[str, Any] = {}
    positional = list(args)
    if not is_model:
        ids = positional.pop(0) if positional else []
        body["ids"] = [ids] if isinstance(ids, int) else list(ids)
    if len(positional) > len(names):
        raise TypeError(
            f"JSON-2 takes named arguments only: pass the arguments of {method!r} after the ids "
            "as keyword arguments"
        )
    body.update(zip(names, positional, strict=False))
    for key, value in kwargs.items():
        if key in body:
            raise TypeError(f"{method}() got multiple values for argument {key!r}")
        body[key] = value
    if context:
        body["context"] = dict(context)
    return body


class Json2Transport:
    """JSON-2 over one shared :class:`httpx.Client` (keep-alive)."""

    name = "json2"

    def __init__(self, http: httpx.Client, *, db: str, api_key: str, user_agent: str) -> None:
        self._http = http
        self._key = api_key
        self._headers = {
            "Authorization": f"bearer {api_key}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Odoo-Database": db,
            "User-Agent": user_agent,
        }

    def version(self) -> dict[str, Any]:
        site = faults.CallSite(self.name, "", "version", self._key)
        response = send(
            self._http, "GET", "/web/version", site, headers={"User-Agent": "lead2cash"}
        )
        try:
            data = response.json()
            return {
                "server_version": data.get("version"),
                "server_version_info": list(data["version_info"]),
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise faults.malformed_answer(site, response.status_code) from exc

    def authenticate(self) -> int:
        """JSON-2 has no login: the key is checked on every call. ``res.users/context_get``
        proves it and names the user."""
        try:
            result = self.execute_kw("res.users", "context_get", [], {}, {})
        except errors.AuthError as exc:
            raise errors.AuthError(
                f"Odoo refused the API key ({exc.message}); JSON-2 needs an API key, not a "
                "password",
                **exc.details,
            ) from exc
        uid = result.get("uid") if isinstance(result, dict) else None
        if not isinstance(uid, int):
            raise errors.AuthError(
                "Odoo res.users.context_get did not name the user",
                system=faults.SYSTEM,
                operation="res.users.context_get",
            )
        return uid

    def execute_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> Any:
        site = faults.CallSite(self.name, model, method, self._key)
        body = encode(named_body(method, args, kwargs, context))
        response = send(
            self._http,
            "POST",
            f"/json/2/{model}/{method}",
            site,
            content=json.dumps(body).encode(),
            headers=self._headers,
        )
        return json_answer(response, site) if response.content else None
