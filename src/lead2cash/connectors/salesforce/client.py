"""SalesforceClient: the adapter for one org over the REST API (reference §2).

Every call goes to the session's ``instance_url`` under ``/services/data/v<api_version>/``
with ``Authorization: Bearer``. Answers are classified by ``errorcodes.classify`` and sent
through its :class:`~lead2cash.connectors.salesforce.errorcodes.SalesforceSender` (429 waited
out as Retry-After says, 5xx/lock/network errors retried with backoff). A 401
``INVALID_SESSION_ID`` makes the client ask for a new session once and resend; a second one is
an :class:`~lead2cash.errors.AuthError`.

``Sforce-Limit-Info: api-usage=N/M`` of every answer is kept in :attr:`SalesforceClient.api_usage`.
When Salesforce answers 403 ``REQUEST_LIMIT_EXCEEDED`` (the org's rolling 24 h allocation is
spent; no Retry-After) the client raises :class:`~lead2cash.errors.RateLimitedError` with
``retry_after=None`` at once, without retrying: the job engine waits its rate-limit pause.
``max_api_usage_ratio`` makes the client stop earlier, leaving the rest of the allocation to the
org's other integrations.

SOQL results are read by following ``nextRecordsUrl`` until ``done``; a link that is not a path
under ``/services/data/`` is refused, so the token never goes anywhere else.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from lead2cash import errors
from lead2cash.connectors.http import build_http_client as build_http_client
from lead2cash.connectors.http import decode_json, timeout_of
from lead2cash.connectors.salesforce import wire
from lead2cash.connectors.salesforce.auth import Session, fetch_session
from lead2cash.connectors.salesforce.errorcodes import SYSTEM, SalesforceSender, remote_type
from lead2cash.connectors.salesforce.settings import SalesforceSettings

log = logging.getLogger(__name__)

_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")


@dataclass(frozen=True)
class ApiUsage:
    """The org's daily allocation as the last answer reported it."""

    used: int
    limit: int

    @property
    def ratio(self) -> float:
        return self.used / self.limit if self.limit else 1.0


def parse_limit_info(header: str | None) -> ApiUsage | None:
    """``api-usage=18/5000`` (possibly followed by ``; per-app-api-usage=...``)."""
    match = _USAGE.search(header or "")
    return None if match is None else ApiUsage(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class UpsertResult:
    """What an upsert by external id did. ``id`` is None when Salesforce (before v46.0)
    answered 204 without a body."""

    id: str | None
    created: bool


class SalesforceClient:
    """The adapter for one org. Give it an :class:`httpx.Client` (tests hand one that reaches
    the emulator); it adds the auth header to every request itself."""

    def __init__(
        self,
        http: httpx.Client,
        settings: SalesforceSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.settings = settings
        self._now = now
        self.sender = SalesforceSender(
            SYSTEM,
            max_attempts=settings.max_attempts,
            base_delay=settings.retry_base_seconds,
            max_rate_limit_wait=settings.max_retry_after,
            sleep=sleep,
            after=self._observe,
        )
        self._session: Session | None = None
        self._lock = threading.Lock()
        #: ``Sforce-Limit-Info`` of the latest answer that carried one.
        self.api_usage: ApiUsage | None = None
        #: How many sessions were fetched (the first one included).
        self.sessions_fetched = 0

    def __repr__(self) -> str:
        instance = self._session.instance_url if self._session else None
        return f"SalesforceClient(flow={self.settings.auth_flow!r}, instance_url={instance!r})"

    # -- sessions ---------------------------------------------------------------------------

    @property
    def instance_url(self) -> str | None:
        return None if self._session is None else self._session.instance_url

    def session(self) -> Session:
        """The current session, fetched on first use."""
        with self._lock:
            if self._session is None:
                self._session = self._fetch()
            return self._session

    def authenticate(self) -> Session:
        """Fetch a new session now (a connection check)."""
        with self._lock:
            self._session = self._fetch()
            return self._session

    def _fetch(self) -> Session:
        session = fetch_session(self.http, self.sender, self.settings, now=self._now)
        self.sessions_fetched += 1
        log.info(
            "salesforce session obtained",
            extra={
                "action": "salesforce_session",
                "system": SYSTEM,
                "flow": self.settings.auth_flow,
            },
        )
        return session

    def _refresh(self, stale: Session) -> Session:
        with self._lock:
            if self._session is not None and self._session is not stale:
                return self._session  # another thread refreshed it already
            self._session = self._fetch()
            return self._session

    # -- plumbing ---------------------------------------------------------------------------

    def _observe(self, response: httpx.Response) -> None:
        usage = parse_limit_info(response.headers.get("sforce-limit-info"))
        if usage is not None:
            self.api_usage = usage

    def _check_budget(self, operation: str) -> None:
        ceiling = self.settings.max_api_usage_ratio
        usage = self.api_usage
        if ceiling is not None and usage is not None and usage.ratio >= ceiling:
            raise errors.RateLimitedError(
                f"salesforce {operation} not sent: {usage.used} of {usage.limit} daily API "
                f"requests used (ceiling {ceiling:.0%})",
                system=SYSTEM,
                operation=operation,
                remote_type="API_USAGE_CEILING",
            )

    def path(self, *parts: str) -> str:
        """A path under the versioned REST root, each part URL-encoded."""
        encoded = "/".join(quote(p, safe="") for p in parts)
        return f"{self.settings.data_path}/{encoded}" if encoded else self.settings.data_path

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send ``method path`` (a path on the instance, ``/services/...``) with the session;
        refreshes the session once on INVALID_SESSION_ID."""
        if not path.startswith("/services/"):
            raise errors.ConnectorError(
                "refusing to send the Salesforce session outside /services/",
                system=SYSTEM,
                operation=operation,
            )
        self._check_budget(operation)
        session = self.session()
        content = None if body is None else wire.dumps(body)
        refreshed = False
        while True:
            all_headers = {
                "Authorization": f"Bearer {session.access_token.get_secret_value()}",
                "Accept": "application/json",
                **(headers or {}),
            }
            if content is not None:
                all_headers["Content-Type"] = "application/json"
            request = self.http.build_request(
                method,
                session.instance_url + path,
                params=params,
                content=content,
                headers=all_headers,
                timeout=timeout_of(self.settings),
            )
            try:
                return self.sender.send(self.http, request, operation=operation)
            except errors.AuthError as exc:
                if (
                    refreshed
                    or remote_type(exc) != "INVALID_SESSION_ID"
                    or self.settings.auth_flow == "access_token"
                ):
                    raise
                log.info(
                    "salesforce session expired; asking for a new one",
                    extra={"action": "salesforce_session_refresh", "system": SYSTEM},
                )
                session = self._refresh(session)
                refreshed = True

    def json(self, method: str, path: str, *, operation: str, **kwargs: Any) -> Any:
        response = self.request(method, path, operation=operation, **kwargs)
        return decode_json(response, system=SYSTEM, operation=operation, loads=wire.loads)

    # -- reads ------------------------------------------------------------------------------

    def versions(self) -> list[wire.ApiVersion]:
        body = self.json("GET", "/services/data/", operation="list versions")
        return [wire.ApiVersion.model_validate(v) for v in body]

    def query_pages(
        self, soql: str, *, include_deleted: bool = False
    ) -> Iterator[wire.QueryResult]:
        """Every batch of a SOQL result, following ``nextRecordsUrl`` until ``done``."""
        endpoint = "queryAll" if include_deleted else "query"
        operation = endpoint
        headers = {}
        if self.settings.query_batch_size is not None:
            headers["Sforce-Query-Options"] = f"batchSize={self.settings.query_batch_size}"
        path: str | None = self.path(endpoint)
        params: dict[str, str] | None = {"q": soql}
        while path is not None:
            body = self.json("GET", path, operation=operation, params=params, headers=headers)
            try:
                page = wire.QueryResult.model_validate(body)
            except ValidationError as exc:
                raise errors.UnavailableError(
                    f"salesforce {operation} answered with an unexpected body",
                    system=SYSTEM,
                    operation=operation,
                ) from exc
            yield page
            path, params = self._next(page), None

    def _next(self, result: wire.QueryResult) -> str | None:
        if result.done:
            return None
        link = result.nextRecordsUrl
        if not link or not link.startswith("/services/data/") or "//" in link:
            raise errors.UnavailableError(
                "salesforce query answered done=false without a usable nextRecordsUrl",
                system=SYSTEM,
                operation="query",
            )
        return link

    def query(self, soql: str, *, include_deleted: bool = False) -> Iterator[dict[str, Any]]:
        """Every record of a SOQL result (child subquery results completed as well)."""
        for page in self.query_pages(soql, include_deleted=include_deleted):
            for record in page.records:
                yield self.complete_children(record)

    def query_all(self, soql: str) -> Iterator[dict[str, Any]]:
        """``queryAll``: deleted and archived rows too."""
        return self.query(soql, include_deleted=True)

    def complete_children(self, record: dict[str, Any]) -> dict[str, Any]:
        """Child relationship results longer than one batch carry their own nextRecordsUrl."""
        for key, value in record.items():
            if isinstance(value, dict) and "records" in value and value.get("done") is False:
                nested = wire.QueryResult.model_validate(value)
                records = list(nested.records)
                path = self._next(nested)
                while path is not None:
                    more = wire.QueryResult.model_validate(
                        self.json("GET", path, operation="query children")
                    )
                    records.extend(more.records)
                    path = self._next(more)
                record[key] = value | {"done": True, "records": records, "nextRecordsUrl": None}
        return record

    def get(self, sobject: str, record_id: str, fields: list[str] | None = None) -> dict[str, Any]:
        params = {"fields": ",".join(fields)} if fields else None
        body: dict[str, Any] = self.json(
            "GET",
            self.path("sobjects", sobject, record_id),
            operation=f"get {sobject}",
            params=params,
        )
        return body

    def describe(self, sobject: str) -> dict[str, Any]:
        body: dict[str, Any] = self.json(
            "GET", self.path("sobjects", sobject, "describe"), operation=f"describe {sobject}"
        )
        return body

    def limits(self) -> dict[str, Any]:
        body: dict[str, Any] = self.json("GET", self.path("limits"), operation="limits")
        return body

    def _window(self, sobject: str, kind: str, start: datetime, end: datetime) -> Any:
        params = {"start": wire.iso_param(start), "end": wire.iso_param(end)}
        return self.json(
            "GET",
            self.path("sobjects", sobject, kind) + "/",
            operation=f"{kind} {sobject}",
            params=params,
        )

    def deleted(self, sobject: str, start: datetime, end: datetime) -> wire.DeletedResult:
        """``sobjects/<T>/deleted``: records deleted in ``[start, end)`` (seconds ignored)."""
        return wire.DeletedResult.model_validate(self._window(sobject, "deleted", start, end))

    def updated(self, sobject: str, start: datetime, end: datetime) -> wire.UpdatedResult:
        return wire.UpdatedResult.model_validate(self._window(sobject, "updated", start, end))

    # -- writes -----------------------------------------------------------------------------

    def create(self, sobject: str, values: Mapping[str, Any]) -> str:
        body = self.json(
            "POST", self.path("sobjects", sobject), operation=f"create {sobject}", body=dict(values)
        )
        return wire.SaveResult.model_validate(body).id

    def update(self, sobject: str, record_id: str, values: Mapping[str, Any]) -> None:
        """PATCH some fields of one record (204)."""
        self.request(
            "PATCH",
            self.path("sobjects", sobject, record_id),
            operation=f"update {sobject}",
            body=dict(values),
        )

    def delete(self, sobject: str, record_id: str) -> None:
        self.request(
            "DELETE", self.path("sobjects", sobject, record_id), operation=f"delete {sobject}"
        )

    def upsert(
        self, sobject: str, field: str, value: str, values: Mapping[str, Any]
    ) -> UpsertResult:
        """Insert or update by an External ID field: ``PATCH sobjects/<T>/<field>/<value>``.

        201 created; 200 (v46.0+) or 204 updated; 300 (several matches) raises
        :class:`~lead2cash.errors.RemoteConflictError`. The body must not repeat the field.
        """
        body = {k: v for k, v in values.items() if k.lower() != field.lower()}
        if len(body) != len(values) and str(values.get(field)) != value:
            raise ValueError(f"the body's {field} differs from the external id value {value!r}")
        response = self.request(
            "PATCH",
            self.path("sobjects", sobject, field, value),
            operation=f"upsert {sobject}",
            body=body,
        )
        if response.status_code == 204 or not response.content:
            return UpsertResult(None, False)
        result = wire.SaveResult.model_validate(wire.loads(response.content))
        created = result.created if result.created is not None else response.status_code == 201
        return UpsertResult(result.id, created)
