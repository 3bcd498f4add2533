"""What every Odoo transport shares: the :class:`Transport` protocol, the value encoding, the
HTTP request with error mapping, JSON decoding, and a counting wrapper (benchmarks and tests
count RPC calls on the client side with it).

Arguments follow the XML-RPC ``execute_kw`` convention everywhere: ``args`` is positional and,
for methods that act on records, ``args[0]`` is the list of ids. The JSON-2 transport turns that
into its named-argument body (see ``json2.py``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Final, Protocol

import httpx

from lead2cash import errors
from lead2cash.connectors.odoo import faults


class _NoneResult:
    """The call committed but its result could not be sent (XML-RPC "cannot marshal None")."""

    _instance: ClassVar[_NoneResult | None] = None

    def __new__(cls) -> _NoneResult:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NONE_RESULT"

    def __bool__(self) -> bool:
        return False


#: Returned by a transport when Odoo committed a call whose return value was ``None`` but the
#: protocol could not carry it. :class:`~lead2cash.connectors.odoo.client.OdooClient` confirms it
#: by a read-back and returns ``None``.
NONE_RESULT: Final = _NoneResult()


class Transport(Protocol):
    """One protocol to one Odoo database, authenticated as the integration user."""

    @property
    def name(self) -> str:
        """``json2``, ``jsonrpc`` or ``xmlrpc``."""
        ...

    def version(self) -> dict[str, Any]:
        """``common.version()``: ``server_version``, ``server_version_info``, ..."""
        ...

    def authenticate(self) -> int:
        """Check the credentials; the integration user's uid (``errors.AuthError`` if refused)."""
        ...

    def execute_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> Any:
        """Call ``model.method``; the result, :data:`NONE_RESULT`, or a hub error."""
        ...


@dataclass
class CountingTransport:
    """Wraps a transport and counts the calls that go through it, per ``model.method``."""

    inner: Transport
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()

    def _count(self, key: str) -> None:
        self.calls[key] = self.calls.get(key, 0) + 1

    def version(self) -> dict[str, Any]:
        self._count("common.version")
        return self.inner.version()

    def authenticate(self) -> int:
        self._count("common.authenticate")
        return self.inner.authenticate()

    def execute_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        context: Mapping[str, Any],
    ) -> Any:
        self._count(f"{model}.{method}")
        return self.inner.execute_kw(model, method, args, kwargs, context)


def encode(value: Any) -> Any:
    """Python values as Odoo expects them on the wire: dates ``YYYY-MM-DD``, datetimes naive UTC
    ``YYYY-MM-DD HH:MM:SS``, ``Decimal`` as a number (Odoo computes floats; money stays Decimal
    in the hub), tuples as lists (x2many commands)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime sent to Odoo; datetimes must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [encode(v) for v in value]
    return value


def send(
    http: httpx.Client,
    method: str,
    url: str,
    site: faults.CallSite,
    *,
    headers: Mapping[str, str],
    content: bytes | None = None,
) -> httpx.Response:
    """Send and return a 2xx response; anything else raises the classified hub error."""
    try:
        response = http.request(method, url, content=content, headers=dict(headers))
    except httpx.TransportError as exc:
        raise faults.transport_error(site, exc) from exc
    if response.status_code >= 300:
        raise faults.http_status_error(site, response)
    return response


def json_answer(response: httpx.Response, site: faults.CallSite) -> Any:
    """The answer's JSON; a body that is not JSON is a malformed answer."""
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise faults.malformed_answer(site, response.status_code) from exc


class ServiceRpcTransport:
    """What JSON-RPC and XML-RPC share: the ``common``/``object`` services, a uid from
    ``common.authenticate``, and ``execute_kw`` with db, uid and secret on every call.
    Subclasses provide ``name``, their ``headers`` and ``_call`` (one request on the wire)."""

    name: str = "rpc"
    #: The protocol's request headers (``User-Agent`` is added to them).
    headers: ClassVar[Mapping[str, str]] = {}

    def __init__(
        self, http: httpx.Client, *, db: str, login: str, secret: str, user_agent: str
    ) -> None:
        self._http = http
        self._headers = {**self.headers, "User-Agent": user_agent}
        self._db = db
        self._login = login
        self._secret = secret
        self._uid: int | None = None

    @property
    def uid(self) -> int | None:
        return self._uid

    def _call(self, site: faults.CallSite, service: str, method: str, params: list[Any]) -> Any:
        raise NotImplementedError

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
