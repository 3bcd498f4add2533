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
from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from lead2cash import errors
from lead2cash.connectors.odoo import faults
from lead2cash.connectors.odoo.transports.base import encode, post


class JsonRpcTransport:
    """JSON-RPC over one shared :class:`httpx.Client` (keep-alive)."""

    name = "jsonrpc"

    def __init__(
        self, http: httpx.Client, *, db: str, login: str, secret: str, user_agent: str
    ) -> None:
        self._http = http
        self._db = db
        self._login = login
        self._secret = secret
        self._uid: int | None = None
        self._ids = itertools.count(1)
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": user_agent,
        }

    @property
    def uid(self) -> int | None:
        return self._uid

    def _call(self, site: faults.CallSite, service: str, method: str, args: list[Any]) -> Any:
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": encode(args)},
            "id": next(self._ids),
        }
        response = post(
            self._http,
            "/jsonrpc",
            site,
            content=json.dumps(payload).encode(),
            headers=self._headers,
        )
        try:
            answer = json.loads(response.content)
        except ValueError as exc:
            raise faults.malformed_answer(site, response.status_code) from exc
        if not isinstance(answer, dict):
            raise faults.malformed_answer(site, response.status_code)
        error = answer.get("error")
        if isinstance(error, dict):
            raise faults.jsonrpc_error(site, error)
        return answer.get("result")

    def version(self) -> dict[str, Any]:
        site = faults.CallSite(self.name, "common", "version", self._secret)
        result = self._call(site, "common", "version", [])
        if not isinstance(result, dict):
            raise faults.malformed_answer(site, 200)
        return result

    def authenticate(self) -> int:
        site = faults.CallSite(self.name, "common", "authenticate", self._secret)
        uid = self._call(site, "common", "authenticate", [self._db, self._login, self._secret, {}])
        if not isinstance(uid, int) or isinstance(uid, bool) or uid <= 0:
            raise errors.AuthError(
                f"Odoo refused the login of {self._login!r} on database {self._db!r}",
                system=faults.SYSTEM,
                operation="common.authenticate",
                protocol=self.name,
                remote_type="odoo.exceptions.AccessDenied",
            )
        self._uid = uid
        return uid

    def execute_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> Any:
        if self._uid is None:
            self.authenticate()
        site = faults.CallSite(self.name, model, method, self._secret)
        options = dict(kwargs)
        if context:
            options["context"] = dict(context)
        return self._call(
            site,
            "object",
            "execute_kw",
            [self._db, self._uid, self._secret, model, method, list(args), options],
        )
