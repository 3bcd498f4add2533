"""HubSpotClient: reads and writes one HubSpot portal over the CRM API (reference §1).

Every request carries ``Authorization: Bearer <token>`` and goes through
:class:`~lead2cash.connectors.hubspot.transport.HubSpotSender`: statuses mapped to the hub's
errors, 429 waited out as HubSpot says (``Retry-After``, else by ``policyName``), 5xx and
network errors retried with backoff. Before every attempt the client takes a slot from the
app's rolling burst window (search: from the search window instead; search is exempt from the
burst limit) and checks that the daily quota is not known to be spent.

Paths follow ``settings.api_family`` (``v3`` or ``2026-03``; see ``settings.py``). Object types
are given as :class:`~lead2cash.connectors.hubspot.objects.ObjectType` or by name.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from lead2cash import errors
from lead2cash.connectors.http import build_http_client as build_http_client
from lead2cash.connectors.http import decode_json, timeout_of
from lead2cash.connectors.hubspot import wire
from lead2cash.connectors.hubspot.objects import ObjectType, object_type
from lead2cash.connectors.hubspot.ratelimit import DailyQuota, RollingWindow, token_key
from lead2cash.connectors.hubspot.settings import (
    MAX_ASSOCIATION_PAGE,
    HubSpotSettings,
)
from lead2cash.connectors.hubspot.transport import SYSTEM, Classifier, HubSpotSender, error_body

log = logging.getLogger(__name__)

ObjectKey = ObjectType | str
Params = Mapping[str, str | int | bool | Sequence[str] | None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class HubSpotClient:
    """The adapter for one HubSpot portal. Give it an :class:`httpx.Client` (tests hand one
    whose transport is the emulator); it adds the bearer token to every request itself."""

    def __init__(
        self,
        http: httpx.Client,
        settings: HubSpotSettings,
        *,
        burst: RollingWindow | None = None,
        search_window: RollingWindow | None = None,
        quota: DailyQuota | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.http = http
        self.settings = settings
        key = token_key(settings.token.get_secret_value())
        self.burst = burst or RollingWindow.shared(
            "burst", key, settings.rate_limit_requests, settings.rate_limit_window
        )
        self.search_window = search_window or RollingWindow.shared(
            "search", key, settings.search_requests_per_second, 1.0
        )
        self.quota = quota or DailyQuota.shared(key)
        self._now = now
        self.sender = HubSpotSender(
            SYSTEM,
            max_attempts=settings.max_attempts,
            base_delay=settings.retry_base_seconds,
            max_rate_limit_wait=settings.max_retry_after,
            sleep=sleep,
            classifier=Classifier(settings.timezone, settings.rate_limit_window, now),
            before=self._before_attempt,
            after=self._after_response,
        )

    def __repr__(self) -> str:
        return (
            f"HubSpotClient(base_url={self.settings.base_url!r}, "
            f"api_family={self.settings.api_family!r}, token=***)"
        )

    # -- paths ------------------------------------------------------------------------------

    def objects_path(self, obj: ObjectKey, *parts: str) -> str:
        name = object_type(obj).name
        root = (
            f"/crm/v3/objects/{name}"
            if self.settings.api_family == "v3"
            else f"/crm/objects/{self.settings.api_family}/{name}"
        )
        return "/".join([root, *(_segment(p) for p in parts)])

    def object_associations_path(self, obj: ObjectKey, object_id: str, to: ObjectKey) -> str:
        frm, dst = object_type(obj).name, object_type(to).name
        if self.settings.api_family == "v3":
            return f"/crm/v4/objects/{frm}/{_segment(object_id)}/associations/{dst}"
        family = self.settings.api_family
        return f"/crm/objects/{family}/{frm}/{_segment(object_id)}/associations/{dst}"

    def associations_path(self, obj: ObjectKey, to: ObjectKey, *parts: str) -> str:
        frm, dst = object_type(obj).name, object_type(to).name
        root = (
            f"/crm/v4/associations/{frm}/{dst}"
            if self.settings.api_family == "v3"
            else f"/crm/associations/{self.settings.api_family}/{frm}/{dst}"
        )
        return "/".join([root, *parts])

    def pipelines_path(self, object_name: str, *parts: str) -> str:
        root = (
            f"/crm/v3/pipelines/{object_name}"
            if self.settings.api_family == "v3"
            else f"/crm/pipelines/{self.settings.api_family}/{object_name}"
        )
        return "/".join([root, *(_segment(p) for p in parts)])

    # -- plumbing ---------------------------------------------------------------------------

    def _before_attempt(self, operation: str) -> None:
        self.quota.check(self._now(), system=SYSTEM, operation=operation)
        if operation.startswith("search "):
            self.search_window.acquire()
        else:
            self.burst.acquire()

    def _after_response(self, response: httpx.Response) -> None:
        daily_left = response.headers.get("x-hubspot-ratelimit-daily-remaining", "").strip()
        spent = daily_left == "0"
        if response.status_code == 429:
            response.read()
            body = error_body(response)
            spent = spent or (body is not None and (body.policy_name or "").upper() == "DAILY")
        if spent:
            until = self.quota.spent(self._now(), self.settings.timezone)
            log.warning(
                "hubspot daily API quota spent; requests stop until %s",
                until.isoformat(),
                extra={"action": "rate_limited", "system": SYSTEM},
            )

    def request(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Params | None = None,
        body: Any = None,
    ) -> httpx.Response:
        """Send one request (retried as the module docstring says) and return the answer."""
        query: list[tuple[str, str | int | float | bool | None]] = []
        for key, value in (params or {}).items():
            if value is None:
                continue
            if isinstance(value, bool):
                query.append((key, "true" if value else "false"))
            elif isinstance(value, str | int):
                query.append((key, str(value)))
            elif value:
                query.append((key, ",".join(value)))
        headers = {
            "Authorization": f"Bearer {self.settings.token.get_secret_value()}",
            "Accept": "application/json",
        }
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, separators=(",", ":")).encode("utf-8")
        request = self.http.build_request(
            method,
            f"{self.settings.base_url}{path}",
            params=query or None,
            headers=headers,
            content=content,
            timeout=timeout_of(self.settings),
        )
        return self.sender.send(self.http, request, operation=operation)

    def request_json(
        self,
        method: str,
        path: str,
        *,
        operation: str,
        params: Params | None = None,
        body: Any = None,
    ) -> Any:
        response = self.request(method, path, operation=operation, params=params, body=body)
        if response.status_code == 204 or not response.content:
            return None
        return decode_json(response, system=SYSTEM, operation=operation)

    # -- objects ----------------------------------------------------------------------------

    def get_object(
        self,
        obj: ObjectKey,
        object_id: str,
        *,
        properties: Sequence[str] | None = None,
        associations: Sequence[str] | None = None,
        archived: bool = False,
        id_property: str | None = None,
    ) -> wire.CrmObject:
        kind = object_type(obj)
        params: dict[str, Any] = {
            "properties": list(properties or kind.read_properties()),
            "associations": list(associations or []),
            "archived": archived or None,
            "idProperty": id_property,
        }
        body = self.request_json(
            "GET",
            self.objects_path(kind, object_id),
            operation=f"get {kind.singular}",
            params=params,
        )
        return wire.CrmObject.model_validate(body)

    def pages(
        self,
        obj: ObjectKey,
        *,
        properties: Sequence[str] | None = None,
        archived: bool = False,
        limit: int | None = None,
    ) -> Iterator[wire.ObjectPage]:
        """Every page of the list endpoint (``archived=True``: the archived records only)."""
        kind = object_type(obj)
        after: str | None = None
        seen: set[str] = set()
        while True:
            params: dict[str, Any] = {
                "limit": limit or self.settings.page_size,
                "after": after,
                "properties": list(properties or kind.read_properties()),
                "archived": archived,
            }
            body = self.request_json(
                "GET", self.objects_path(kind), operation=f"list {kind.name}", params=params
            )
            page = wire.ObjectPage.model_validate(body)
            yield page
            after = page.next_after
            if after is None:
                return
            if after in seen:
                raise errors.UnavailableError(
                    f"{SYSTEM} list {kind.name} paging loops back to a page already read",
                    system=SYSTEM,
                    operation=f"list {kind.name}",
                )
            seen.add(after)

    def list_objects(
        self,
        obj: ObjectKey,
        *,
        properties: Sequence[str] | None = None,
        archived: bool = False,
    ) -> Iterator[wire.CrmObject]:
        for page in self.pages(obj, properties=properties, archived=archived):
            yield from page.results

    def batch_read(
        self,
        obj: ObjectKey,
        ids: Iterable[str],
        *,
        properties: Sequence[str] | None = None,
        id_property: str | None = None,
    ) -> list[wire.CrmObject]:
        """Records by id (or by a unique property); ids HubSpot does not know are left out."""
        kind = object_type(obj)
        found: list[wire.CrmObject] = []
        for chunk in _chunks(list(ids), self.settings.batch_size):
            body: dict[str, Any] = {
                "inputs": [{"id": i} for i in chunk],
                "properties": list(properties or kind.read_properties()),
            }
            if id_property:
                body["idProperty"] = id_property
            data = self.request_json(
                "POST",
                self.objects_path(kind, "batch", "read"),
                operation=f"batch read {kind.name}",
                body=body,
            )
            found.extend(wire.BatchResult.model_validate(data).results)
        return found

    def search(self, obj: ObjectKey, request: wire.SearchRequest) -> wire.SearchPage:
        """One search page (``POST .../search``; at most 200 records, 10,000 in all)."""
        kind = object_type(obj)
        data = self.request_json(
            "POST",
            self.objects_path(kind, "search"),
            operation=f"search {kind.name}",
            body=request.body(),
        )
        return wire.SearchPage.model_validate(data)

    def update_object(
        self,
        obj: ObjectKey,
        object_id: str,
        properties: Mapping[str, str],
        *,
        id_property: str | None = None,
    ) -> wire.CrmObject:
        """``PATCH`` properties (values already HubSpot text; "" clears)."""
        kind = object_type(obj)
        data = self.request_json(
            "PATCH",
            self.objects_path(kind, object_id),
            operation=f"update {kind.singular}",
            params={"idProperty": id_property},
            body={"properties": dict(properties)},
        )
        return wire.CrmObject.model_validate(data)

    def batch_update(
        self,
        obj: ObjectKey,
        updates: Mapping[str, Mapping[str, str]],
        *,
        id_property: str | None = None,
    ) -> wire.BatchResult:
        """``batch/update`` in chunks; a partial failure (207) raises RejectedError."""
        kind = object_type(obj)
        results: list[wire.CrmObject] = []
        for chunk in _chunks(list(updates.items()), self.settings.batch_size):
            inputs: list[dict[str, Any]] = []
            for object_id, props in chunk:
                item: dict[str, Any] = {"id": object_id, "properties": dict(props)}
                if id_property:
                    item["idProperty"] = id_property
                inputs.append(item)
            data = self.request_json(
                "POST",
                self.objects_path(kind, "batch", "update"),
                operation=f"batch update {kind.name}",
                body={"inputs": inputs},
            )
            batch = wire.BatchResult.model_validate(data)
            if batch.errors:
                first = batch.errors[0]
                raise errors.RejectedError(
                    f"{SYSTEM} batch update {kind.name}: {len(batch.errors)} input(s) refused: "
                    f"{first.category}: {first.message}",
                    system=SYSTEM,
                    operation=f"batch update {kind.name}",
                    status=207,
                    request_id=first.correlation_id,
                    remote_type=first.category,
                )
            results.extend(batch.results)
        return wire.BatchResult(status="COMPLETE", results=results)

    # -- associations v4 --------------------------------------------------------------------

    def associations(
        self, obj: ObjectKey, object_id: str, to: ObjectKey
    ) -> list[wire.AssociatedObject]:
        """Every record of type ``to`` associated with one record (paged, 500 per call)."""
        kind, dst = object_type(obj), object_type(to)
        found: list[wire.AssociatedObject] = []
        after: str | None = None
        while True:
            data = self.request_json(
                "GET",
                self.object_associations_path(kind, object_id, dst),
                operation=f"get {kind.singular} {dst.name} associations",
                params={"limit": MAX_ASSOCIATION_PAGE, "after": after},
            )
            page = wire.AssociationPage.model_validate(data)
            found.extend(page.results)
            nxt = page.paging.next if page.paging else None
            if nxt is None or nxt.after == after:
                return found
            after = nxt.after

    def batch_associations(
        self, obj: ObjectKey, to: ObjectKey, ids: Iterable[str]
    ) -> dict[str, list[wire.AssociatedObject]]:
        """Associated ``to`` records of many records, by record id (every id present; an id
        without associations maps to ``[]``, which HubSpot reports as a 207 error)."""
        kind, dst = object_type(obj), object_type(to)
        found: dict[str, list[wire.AssociatedObject]] = {}
        pending: list[dict[str, str]] = [{"id": i} for i in dict.fromkeys(ids)]
        for record in pending:
            found[record["id"]] = []
        while pending:
            size = self.settings.batch_size
            chunk, pending = pending[:size], pending[size:]
            data = self.request_json(
                "POST",
                self.associations_path(kind, dst, "batch", "read"),
                operation=f"batch read {kind.singular} {dst.name} associations",
                body={"inputs": chunk},
            )
            batch = wire.BatchAssociations.model_validate(data)
            for result in batch.results:
                found.setdefault(result.from_.id, []).extend(result.to)
                nxt = result.paging.next if result.paging else None
                if nxt is not None:
                    pending.append({"id": result.from_.id, "after": nxt.after})
            for error in batch.errors:
                if not _no_associations(error):
                    raise errors.RejectedError(
                        f"{SYSTEM} association read refused: {error.category}: {error.message}",
                        system=SYSTEM,
                        operation=f"batch read {kind.singular} {dst.name} associations",
                        status=207,
                        request_id=error.correlation_id,
                        remote_type=error.category,
                    )
        return found

    def association_labels(self, obj: ObjectKey, to: ObjectKey) -> list[wire.AssociationLabel]:
        """The association types (ids and labels) from ``obj`` to ``to`` on this portal."""
        kind, dst = object_type(obj), object_type(to)
        data = self.request_json(
            "GET",
            self.associations_path(kind, dst, "labels"),
            operation=f"get {kind.singular} {dst.name} association labels",
        )
        results = data.get("results", []) if isinstance(data, dict) else []
        return [wire.AssociationLabel.model_validate(r) for r in results]

    # -- pipelines --------------------------------------------------------------------------

    def pipelines(self, object_name: str = "deals") -> list[wire.Pipeline]:
        """Every pipeline of ``object_name`` with its stages (and their metadata)."""
        data = self.request_json(
            "GET", self.pipelines_path(object_name), operation=f"get {object_name} pipelines"
        )
        return wire.Pipelines.model_validate(data).results

    def pipeline(self, pipeline_id: str, object_name: str = "deals") -> wire.Pipeline:
        data = self.request_json(
            "GET",
            self.pipelines_path(object_name, pipeline_id),
            operation=f"get {object_name} pipeline",
        )
        return wire.Pipeline.model_validate(data)


def _no_associations(error: wire.ErrorBody) -> bool:
    sub = str(error.sub_category or "")
    return sub.endswith("NO_ASSOCIATIONS_FOUND")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
