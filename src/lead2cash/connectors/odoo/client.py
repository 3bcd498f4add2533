"""OdooClient: one connection to one Odoo database as the integration user.

On first use the client

1. learns the server version: ``GET /web/version`` (Odoo 19+, no auth), else ``common.version``
   over JSON-RPC, else over XML-RPC (17 and 18 have no ``/web/version``);
2. picks the protocol: JSON-2 from 19 (and Odoo Online saas-18.4), JSON-RPC before, unless the
   settings force one;
3. authenticates (``common.authenticate``; for JSON-2 ``res.users/context_get`` names the
   key's user) and keeps the uid.

Every call goes through one :class:`httpx.Client` (keep-alive) with the configured timeouts and
carries ``allowed_company_ids`` in its context when companies are configured (reference §3).
Idempotent calls (reads, ``load`` by external id) are retried on transient failures with
exponential backoff and jitter; a 429 is waited out as long as Retry-After says (up to
``max_retry_after``). Other writes are never retried here: a timeout on them raises
:class:`~lead2cash.errors.AmbiguousWriteError`, and the caller reads back before retrying.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from lead2cash import errors
from lead2cash.connectors.http import timeout_of
from lead2cash.connectors.odoo import faults
from lead2cash.connectors.odoo.settings import OdooSettings
from lead2cash.connectors.odoo.transports import (
    NONE_RESULT,
    Json2Transport,
    JsonRpcTransport,
    Transport,
    XmlRpcTransport,
)

if TYPE_CHECKING:
    from lead2cash.connectors.odoo.compat import Compat

log = logging.getLogger(__name__)

Domain = Sequence[Any]
T = TypeVar("T", bound=Transport)


@dataclass(frozen=True)
class ServerVersion:
    """The Odoo server version, from ``server_version_info`` (``[19, 0, 0, "final", 0, ""]``;
    Odoo Online reports ``["saas~18", 4, ...]``)."""

    major: int
    minor: int
    text: str
    saas: bool = False

    @classmethod
    def parse(cls, info: Sequence[Any], text: str | None = None) -> ServerVersion:
        if not info:
            raise errors.ConfigError("Odoo did not report its version")
        head = str(info[0])
        saas = head.startswith("saas~")
        try:
            major = int(head.removeprefix("saas~"))
            minor = int(info[1]) if len(info) > 1 else 0
        except ValueError as exc:
            raise errors.ConfigError(f"unreadable Odoo version {info!r}") from exc
        return cls(major, minor, text or f"{'saas~' if saas else ''}{major}.{minor}", saas)

    @property
    def has_json2(self) -> bool:
        """JSON-2 ships with 19.0 on premise and with saas-18.4 on Odoo Online."""
        return (self.major, self.minor) >= (18, 4)

    @property
    def protocols(self) -> tuple[str, ...]:
        rpc = ("jsonrpc", "xmlrpc")
        return ("json2", *rpc) if self.has_json2 else rpc


class OdooClient:
    """A connection to one Odoo database. Thread-compatible, not thread-safe: use one per
    worker thread (they may share settings)."""

    def __init__(
        self,
        settings: OdooSettings,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._own_http = http is None
        self.http = http or httpx.Client(
            base_url=settings.url,
            timeout=timeout_of(settings),
            verify=settings.verify_tls,
            headers={"User-Agent": settings.user_agent},
        )
        if not str(self.http.base_url):
            self.http.base_url = httpx.URL(settings.url)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._transport: Transport | None = None
        self._version: ServerVersion | None = None
        self._uid: int | None = None
        self._compat: Compat | None = None

    # -- connection ------------------------------------------------------------------------

    def __enter__(self) -> OdooClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __repr__(self) -> str:
        s = self.settings
        return f"OdooClient(url={s.url!r}, db={s.db!r}, login={s.login!r}, protocol={s.protocol!r})"

    def connect(self) -> OdooClient:
        """Detect the version, pick the protocol and authenticate (idempotent)."""
        if self._transport is None:
            version = self.version
            protocol = self._choose_protocol(version)
            transport = self._make_transport(protocol)
            self._uid = transport.authenticate()
            self._transport = transport
            log.info(
                "connected to Odoo %s over %s as uid %s",
                version.text,
                protocol,
                self._uid,
                extra={"action": "odoo_connected", "system": "odoo"},
            )
        return self

    @property
    def version(self) -> ServerVersion:
        if self._version is None:
            self._version = self.detect_version()
        return self._version

    @property
    def transport(self) -> Transport:
        self.connect()
        assert self._transport is not None
        return self._transport

    def wrap_transport(self, wrap: Callable[[Transport], T]) -> T:
        """Replace the transport by ``wrap(transport)`` (e.g. a call counter); returns it."""
        wrapped = wrap(self.transport)
        self._transport = wrapped
        return wrapped

    @property
    def protocol(self) -> str:
        return self.transport.name

    @property
    def uid(self) -> int:
        self.connect()
        assert self._uid is not None
        return self._uid

    @property
    def compat(self) -> Compat:
        """Version compatibility of this database, found once per connection."""
        if self._compat is None:
            from lead2cash.connectors.odoo.compat import detect

            self._compat = detect(self)
        return self._compat

    def detect_version(self) -> ServerVersion:
        """The server version: ``/web/version`` first, then ``common.version`` over RPC."""
        site = faults.CallSite("http", "", "version")
        try:
            response = self.http.get("/web/version")
        except httpx.TransportError as exc:
            raise faults.transport_error(site, exc) from exc
        if response.status_code == 200 and "json" in response.headers.get("content-type", ""):
            try:
                data = response.json()
                return ServerVersion.parse(data["version_info"], data.get("version"))
            except (ValueError, KeyError, TypeError):
                log.debug("unreadable /web/version answer; asking common.version")
        forced = self.settings.protocol
        candidates = [forced] if forced in ("jsonrpc", "xmlrpc") else ["jsonrpc", "xmlrpc"]
        last: errors.ConnectorError | None = None
        for name in candidates:
            try:
                info = self._make_transport(name).version()
                return ServerVersion.parse(
                    info.get("server_version_info") or [], info.get("server_version")
                )
            except (errors.NotFoundError, errors.RejectedError) as exc:
                last = exc
        assert last is not None
        raise errors.ConfigError(
            f"{self.settings.url} does not look like an Odoo server: {last.message}"
        ) from last

    def _choose_protocol(self, version: ServerVersion) -> str:
        forced = self.settings.protocol
        if forced == "auto":
            return "json2" if version.has_json2 else "jsonrpc"
        if forced == "json2" and not version.has_json2:
            raise errors.ConfigError(
                f"JSON-2 needs Odoo 19 (or Odoo Online saas-18.4); this server runs {version.text}"
            )
        return forced

    def _make_transport(self, protocol: str) -> Transport:
        s = self.settings
        secret = s.api_key.get_secret_value()
        if protocol == "json2":
            return Json2Transport(self.http, db=s.db, api_key=secret, user_agent=s.user_agent)
        cls = JsonRpcTransport if protocol == "jsonrpc" else XmlRpcTransport
        return cls(self.http, db=s.db, login=s.login, secret=secret, user_agent=s.user_agent)

    # -- calls -----------------------------------------------------------------------------

    def context(
        self, extra: Mapping[str, Any] | None = None, company_ids: Sequence[int] | None = None
    ) -> dict[str, Any]:
        """The call context: ``allowed_company_ids`` (per call, or the configured companies)
        plus ``extra``."""
        ctx: dict[str, Any] = {}
        ids = self.settings.company_ids if company_ids is None else company_ids
        if ids:
            ctx["allowed_company_ids"] = list(ids)
        if extra:
            ctx.update(extra)
        return ctx

    def execute_kw(
        self,
        model: str,
        method: str,
        args: Sequence[Any] = (),
        kwargs: Mapping[str, Any] | None = None,
        *,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
        idempotent: bool | None = None,
        confirm: Callable[[], bool] | None = None,
    ) -> Any:
        """Call ``model.method(*args, **kwargs)`` (XML-RPC convention: ``args[0]`` holds the
        ids of a record method).

        ``idempotent`` (default: the method only reads) allows retries on transient failures.
        ``confirm`` is the read-back run when Odoo committed a call whose ``None`` result
        XML-RPC could not carry; it must return whether the effect is visible.
        """
        transport = self.transport
        ctx = self.context(context, company_ids)
        retryable = method in faults.READ_METHODS if idempotent is None else idempotent
        attempt = 0
        while True:
            attempt += 1
            started = time.monotonic()
            try:
                result = transport.execute_kw(model, method, list(args), dict(kwargs or {}), ctx)
            except errors.RateLimitedError as exc:
                # Nothing ran: a rate-limited call may always be sent again once allowed.
                self._wait(exc, attempt, exc.retry_after)
                continue
            except errors.TransientError as exc:
                if not retryable:
                    raise
                self._wait(exc, attempt, None)
                continue
            log.debug(
                "odoo %s.%s in %.3fs",
                model,
                method,
                time.monotonic() - started,
                extra={"action": "odoo_call", "system": "odoo"},
            )
            if result is NONE_RESULT:
                return self._confirm_none(model, method, args, confirm)
            return result

    def _wait(self, exc: errors.TransientError, attempt: int, retry_after: float | None) -> None:
        if attempt >= self.settings.retry_attempts:
            raise exc
        if retry_after is not None:
            if retry_after > self.settings.max_retry_after:
                raise exc
            delay = retry_after
        else:
            cap = self.settings.retry_base_seconds * (2 ** (attempt - 1))
            delay = self._rng.uniform(0, cap)
        log.info(
            "odoo call failed (%s); retrying in %.2fs",
            type(exc).__name__,
            delay,
            extra={"action": "odoo_retry", "system": "odoo"},
        )
        self._sleep(delay)

    def _confirm_none(
        self,
        model: str,
        method: str,
        args: Sequence[Any],
        confirm: Callable[[], bool] | None,
    ) -> None:
        """Odoo committed ``model.method`` and returned ``None`` (XML-RPC fault after commit).
        Read back: the caller's check, else the records named by the call still exist."""
        if confirm is not None:
            ok = confirm()
        elif args and _is_ids(args[0]):
            ids = list(args[0])
            ok = self.search_count(model, [("id", "in", ids)], context={"active_test": False}) == (
                len(set(ids))
            )
        else:
            ok = True
        if not ok:
            raise errors.AmbiguousWriteError(
                f"Odoo {model}.{method} returned no result and the read-back did not confirm it",
                system="odoo",
                operation=f"{model}.{method}",
                protocol=self.protocol,
            )
        log.info(
            "odoo %s.%s returned None (XML-RPC fault after commit); confirmed by read-back",
            model,
            method,
            extra={"action": "odoo_none_result_confirmed", "system": "odoo"},
        )

    # -- the ORM methods the flows use -------------------------------------------------------

    def search(
        self,
        model: str,
        domain: Domain,
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> list[int]:
        result = self.execute_kw(
            model,
            "search",
            [list(domain), offset, limit, order],
            context=context,
            company_ids=company_ids,
        )
        return list(result)

    def search_read(
        self,
        model: str,
        domain: Domain,
        fields: Sequence[str],
        *,
        offset: int = 0,
        limit: int | None = None,
        order: str | None = None,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        result = self.execute_kw(
            model,
            "search_read",
            [list(domain), list(fields), offset, limit, order],
            context=context,
            company_ids=company_ids,
        )
        return list(result)

    def search_count(
        self,
        model: str,
        domain: Domain,
        *,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> int:
        return int(
            self.execute_kw(
                model, "search_count", [list(domain)], context=context, company_ids=company_ids
            )
        )

    def read(
        self,
        model: str,
        ids: Sequence[int],
        fields: Sequence[str],
        *,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> list[dict[str, Any]]:
        result = self.execute_kw(
            model, "read", [list(ids), list(fields)], context=context, company_ids=company_ids
        )
        return list(result)

    def create(
        self,
        model: str,
        vals_list: Sequence[Mapping[str, Any]],
        *,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> list[int]:
        """Create records (one call, one transaction); their ids in order."""
        result = self.execute_kw(
            model,
            "create",
            [[dict(v) for v in vals_list]],
            context=context,
            company_ids=company_ids,
        )
        return [result] if isinstance(result, int) else list(result)

    def write(
        self,
        model: str,
        ids: Sequence[int],
        vals: Mapping[str, Any],
        *,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> bool:
        # Writing the same values again is harmless: a write may be retried.
        return bool(
            self.execute_kw(
                model,
                "write",
                [list(ids), dict(vals)],
                context=context,
                company_ids=company_ids,
                idempotent=True,
            )
        )

    def unlink(
        self,
        model: str,
        ids: Sequence[int],
        *,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> bool:
        return bool(
            self.execute_kw(model, "unlink", [list(ids)], context=context, company_ids=company_ids)
        )

    def fields_get(
        self,
        model: str,
        fields: Sequence[str] | None = None,
        attributes: Sequence[str] = ("type", "relation", "selection", "required", "readonly"),
    ) -> dict[str, dict[str, Any]]:
        result = self.execute_kw(
            model, "fields_get", [list(fields) if fields else [], list(attributes)]
        )
        return dict(result)

    def name_search(
        self,
        model: str,
        name: str,
        domain: Domain = (),
        *,
        operator: str = "ilike",
        limit: int = 100,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> list[tuple[int, str]]:
        result = self.execute_kw(
            model,
            "name_search",
            [name, list(domain), operator, limit],
            context=context,
            company_ids=company_ids,
        )
        return [(int(pair[0]), str(pair[1])) for pair in result]

    def load(
        self,
        model: str,
        fields: Sequence[str],
        data: Sequence[Sequence[str]],
        *,
        context: Mapping[str, Any] | None = None,
        company_ids: Sequence[int] | None = None,
    ) -> dict[str, Any]:
        """``Model.load``: the importer (upsert by the ``id`` column's external id). Retried on
        transient failures only when every row has an external id (then it is idempotent)."""
        columns = list(fields)
        idempotent = "id" in columns and all(row[columns.index("id")] for row in data)
        result = self.execute_kw(
            model,
            "load",
            [columns, [list(row) for row in data]],
            context=context,
            company_ids=company_ids,
            idempotent=idempotent,
        )
        return dict(result)

    def check_access_rights(self, model: str, operation: str) -> bool:
        """Whether the user may ``operation`` (read, write, create, unlink) on ``model``
        (model ACLs; record rules are not checked)."""
        return bool(
            self.execute_kw(model, "check_access_rights", [operation], {"raise_exception": False})
        )

    def has_group(self, group_xmlid: str) -> bool:
        """Whether the integration user is in ``group_xmlid`` (``base.group_system`` ...).
        17 declares ``res.users.has_group`` as a model method, 18+ as a record method."""
        args: list[Any] = [group_xmlid] if self.version.major < 18 else [[self.uid], group_xmlid]
        return bool(self.execute_kw("res.users", "has_group", args))


def _is_ids(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    )
