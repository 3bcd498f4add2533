"""JSON-RPC (Odoo 17, 18, 19; deprecated in 19): ``POST /jsonrpc``.

``{"jsonrpc": "2.0", "method": "call", "params": {"service", "method", "args"}, "id"}``; the
object service takes ``[db, uid, secret, model, method, args, kwargs]`` and the context travels
as ``kwargs["context"]``. Errors come back with HTTP 200 as an ``error`` object whose
``data.name`` is the exception class (reference §1.3). A ``None`` result comes back as an
answer with neither ``result`` nor ``error``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

from lead2cash.connectors.odoo import faults
from lead2cash.connectors.odoo.transports.base import ServiceRpcTransport, encode, json_answer, send


class JsonRpcTransport(ServiceRpcTransport):
    """JSON-RPC over one shared :class:`httpx.Client` (keep-alive)."""

    name = "jsonrpc"
    headers: ClassVar[Mapping[str, str]] = {
        "Content-Type": "application/json",
        "Accept": "application/json",
    }

    def __init__(
        self, http: httpx.Client, *, db: str, login: str, secret: str, user_agent: str
    ) -> None:
        super().__init__(http, db=db, login=login, secret=secret, user_agent=user_agent)
        self._ids = itertools.count(1)

    def _call(self, site: faults.CallSite, service: str, method: str, args: list[Any]) -> Any:
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": encode(args)},
            "id": next(self._ids),
        }
        response = send(
            self._http,
            "POST",
            "/jsonrpc",
            site,
            content=json.dumps(payload).encode(),
            headers=self._headers,
        )
        answer = json_answer(response, site)
        if not isinstance(answer, dict):
            raise faults.malformed_answer(site, response.status_code)
        error = answer.get("error")
        if isinstance(error, dict):
            raise faults.jsonrpc_error(site, error)
        return answer.get("result")
