"""XML-RPC (Odoo 17, 18, 19; deprecated in 19): ``POST /xmlrpc/2/common`` and ``/object``,
spoken over the shared :class:`httpx.Client` (not ``xmlrpc.client.ServerProxy``) so that
timeouts, keep-alive, TLS settings and injected test transports are the same as for the other
protocols.

Faults carry an integer code (reference §1.7, mapped in ``faults.py``). A method that returns
``None`` answers Fault 1 "cannot marshal None" *after* its transaction committed; this transport
returns :data:`~lead2cash.connectors.odoo.transports.base.NONE_RESULT` for it.
"""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Mapping, Sequence
from typing import Any
from xml.parsers.expat import ExpatError

import httpx

from lead2cash import errors
from lead2cash.connectors.odoo import faults
from lead2cash.connectors.odoo.transports.base import NONE_RESULT, encode, post


class XmlRpcTransport:
    """XML-RPC over one shared :class:`httpx.Client` (keep-alive)."""

    name = "xmlrpc"

    def __init__(
        self, http: httpx.Client, *, db: str, login: str, secret: str, user_agent: str
    ) -> None:
        self._http = http
        self._db = db
        self._login = login
        self._secret = secret
        self._uid: int | None = None
        self._headers = {"Content-Type": "text/xml", "User-Agent": user_agent}

    @property
    def uid(self) -> int | None:
        return self._uid

    def _call(self, site: faults.CallSite, service: str, method: str, params: list[Any]) -> Any:
        try:
            body = xmlrpc.client.dumps(tuple(encode(params)), method, allow_none=True)
        except (OverflowError, TypeError) as exc:
            raise errors.RejectedError(
                f"cannot send {site.operation} over XML-RPC: {exc}",
                system=faults.SYSTEM,
                operation=site.operation,
                protocol=self.name,
            ) from exc
        response = post(
            self._http,
            f"/xmlrpc/2/{service}",
            site,
            content=body.encode("utf-8"),
            headers=self._headers,
        )
        try:
            (result,), _ = xmlrpc.client.loads(response.content, use_builtin_types=True)
        except xmlrpc.client.Fault as fault:
            if faults.is_none_marshal_fault(fault.faultCode, fault.faultString):
                return NONE_RESULT
            raise faults.xmlrpc_fault(site, fault.faultCode, fault.faultString) from None
        except (ValueError, ExpatError, xmlrpc.client.ResponseError) as exc:
            raise faults.malformed_answer(site, response.status_code) from exc
        return result

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
