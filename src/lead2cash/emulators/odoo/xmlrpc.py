"""XML-RPC: ``POST /xmlrpc/2/<service>`` (integer fault codes) and the legacy
``POST /xmlrpc/<service>`` (string fault codes), as ``addons/rpc/controllers/xmlrpc.py`` (19)
and ``odoo/addons/base/controllers/rpc.py`` (17/18).

Answers are marshalled with ``allow_none=False``: a result holding ``None`` becomes Fault 1
"cannot marshal None unless allow_none is enabled" *after* the call committed. Every fault is
sent with HTTP 200.
"""

from __future__ import annotations

import xmlrpc.client
from typing import Any
from xml.parsers.expat import ExpatError

from starlette.requests import Request
from starlette.responses import Response

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.service import Services
from lead2cash.emulators.odoo.state import OdooState

_CONTROL = dict.fromkeys(set(range(32)) - {9, 10, 13})
_MARSHAL_FRAMES = (
    "Traceback (most recent call last):\n"
    '  File "/usr/lib/python3/dist-packages/odoo/addons/rpc/controllers/xmlrpc.py", '
    "line 161, in xmlrpc_2\n"
    "    response = self._xmlrpc(service)\n"
    '  File "/usr/lib/python3.12/xmlrpc/client.py", line 528, in dump_nil\n'
    '    raise TypeError("cannot marshal None unless allow_none is enabled")\n'
)


def _clean(value: Any) -> Any:
    """Odoo's marshaller strips XML-illegal control characters from strings."""
    if isinstance(value, str):
        return value.translate(_CONTROL)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _xml(body: str) -> Response:
    return Response(body, media_type="text/xml")


def _fault(code: int | str, text: str) -> Response:
    # The legacy endpoint sends string fault codes (the stubs say int; the runtime takes any).
    fault = xmlrpc.client.Fault(code, text)  # type: ignore[arg-type]
    return _xml(xmlrpc.client.dumps(fault, methodresponse=True))


def fault_int(exc: errors.OdooError) -> Response:
    """``xmlrpc_handle_exception_int``."""
    if exc.xmlrpc_code in (2, 3, 4):
        return _fault(exc.xmlrpc_code, exc.message)
    return _fault(1, exc.traceback())


def fault_str(exc: errors.OdooError) -> Response:
    """``xmlrpc_handle_exception_string`` (legacy ``/xmlrpc/<service>``)."""
    name = exc.odoo_name
    if name == "odoo.exceptions.RedirectWarning":
        return _fault(f"warning -- Warning\n\n{exc.message}", "")
    if name == "odoo.exceptions.MissingError":
        return _fault(f"warning -- MissingError\n\n{exc.message}", "")
    if name == "odoo.exceptions.AccessError":
        return _fault(f"warning -- AccessError\n\n{exc.message}", "")
    if name == "odoo.exceptions.AccessDenied":
        return _fault("AccessDenied", exc.message)
    if exc.xmlrpc_code == 2:
        return _fault(f"warning -- UserError\n\n{exc.message}", "")
    return _fault(exc.message, exc.traceback())


async def handle(request: Request, state: OdooState, *, legacy: bool) -> Response:
    service = request.path_params["service"]
    faulty = fault_str if legacy else fault_int
    try:
        params, method = xmlrpc.client.loads(
            await request.body(), use_datetime=state.spec.major >= 19
        )
    except (ExpatError, ValueError, xmlrpc.client.ResponseError) as exc:
        return faulty(errors.PythonError(type(exc).__name__, str(exc)))
    path = request.url.path
    services = Services(state)
    try:
        if service == "common":
            result = services.common(str(method), params)
        elif service == "object":
            result = services.object(str(method), params, protocol="xmlrpc", path=path)
        elif service == "db":
            result = _db_service(state, str(method))
        else:
            raise errors.PythonError("KeyError", repr(service))
    except errors.OdooError as exc:
        return faulty(exc)
    try:
        body = xmlrpc.client.dumps((_clean(result),), methodresponse=True, allow_none=False)
    except TypeError as exc:
        text = f"{_MARSHAL_FRAMES}TypeError: {exc}\n"
        return _fault(1 if not legacy else str(exc), text)
    except OverflowError as exc:
        return faulty(errors.PythonError("OverflowError", str(exc)))
    return _xml(body)


def _db_service(state: OdooState, method: str) -> Any:
    if method == "list":
        return [state.db_name]
    if method == "server_version":
        return state.spec.version
    if method == "db_exist":
        return True
    raise errors.AccessDenied()
