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
from collections.abc import Mapping
from typing import Any, ClassVar
from xml.parsers.expat import ExpatError

from lead2cash import errors
from lead2cash.connectors.odoo import faults
from lead2cash.connectors.odoo.transports.base import NONE_RESULT, ServiceRpcTransport, encode, send


class XmlRpcTransport(ServiceRpcTransport):
    """XML-RPC over one shared :class:`httpx.Client` (keep-alive)."""

    name = "xmlrpc"
    headers: ClassVar[Mapping[str, str]] = {"Content-Type": "text/xml"}

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
        response = send(
            self._http,
            "POST",
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
