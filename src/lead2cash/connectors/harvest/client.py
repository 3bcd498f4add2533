"""HarvestClient: reads one Harvest account over API v2 (reference §3.1).

Every request carries ``Authorization: Bearer <token>``, ``Harvest-Account-Id`` and a
``User-Agent`` naming the application and a contact. Requests go through
:class:`~lead2cash.connectors.http.RetryingSender` (429 waited out exactly as ``Retry-After``
says, 5xx and network errors retried with backoff, statuses mapped to the hub's errors in
``connectors/http.py``), and every attempt, retries included, first takes a token from the
account's :class:`~lead2cash.connectors.harvest.ratelimit.TokenBucket`: before the first attempt
here, before each retry through the sender's ``sleep`` hook (after the Retry-After wait).

Lists are read by following ``links.next`` exactly as Harvest returns it (offset or cursor
paging alike), never by recomputing page numbers. A next link that leaves the configured API
origin is refused, so the token is never sent anywhere else.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx

from lead2cash import errors
from lead2cash.connectors.harvest import wire
from lead2cash.connectors.harvest.ratelimit import TokenBucket
from lead2cash.connectors.harvest.settings import HarvestSettings
from lead2cash.connectors.http import RetryingSender, decode_json, timeout_of
from lead2cash.connectors.http import build_http_client as build_http_client

log = logging.getLogger(__name__)

SYSTEM = "harvest"

M = TypeVar("M", bound=wire.Wire)
ParamValue = str | int | bool | date | datetime | None


@dataclass(frozen=True)
class Resource(Generic[M]):
    """A v2 list endpoint: its path, the key of its array, and the wire model of an item."""

    key: str
    path: str
    model: type[M]


TIME_ENTRIES = Resource("time_entries", "time_entries", wire.TimeEntry)
EXPENSES = Resource("expenses", "expenses", wire.Expense)
USERS = Resource("users", "users", wire.User)
CLIENTS = Resource("clients", "clients", wire.Client)
PROJECTS = Resource("projects", "projects", wire.Project)
TASKS = Resource("tasks", "tasks", wire.Task)
EXPENSE_CATEGORIES = Resource("expense_categories", "expense_categories", wire.ExpenseCategory)
TASK_ASSIGNMENTS = Resource("task_assignments", "task_assignments", wire.TaskAssignment)
USER_ASSIGNMENTS = Resource("user_assignments", "user_assignments", wire.UserAssignment)


@dataclass(frozen=True)
class Page:
    """One page of a list, as Harvest sent it."""

    url: str
    records: list[dict[str, Any]]
    envelope: wire.ListEnvelope

    @property
    def next_url(self) -> str | None:
        return self.envelope.links.next

    @property
    def cursor_paged(self) -> bool:
        """Whether the next page is addressed by a cursor (keyset) rather than an offset."""
        nxt = self.next_url
        return nxt is not None and "cursor" in parse_qs(urlsplit(nxt).query)


def format_param(value: ParamValue) -> str | None:
    """A query value as Harvest expects it (ISO 8601 UTC times, ISO dates, true/false)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes sent to Harvest must be timezone-aware")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class HarvestClient:
    """The adapter for one Harvest account. Give it an :class:`httpx.Client` (tests hand one
    whose transport is the emulator); it adds the auth headers to every request itself."""

    def __init__(
        self,
        http: httpx.Client,
        settings: HarvestSettings,
        *,
        bucket: TokenBucket | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.http = http
        self.settings = settings
        self.bucket = bucket or TokenBucket.shared(
            settings.account_id,
            settings.rate_limit_budget,
            settings.rate_limit_period,
            settings.rate_limit_burst,
        )
        self._sleep = sleep
        self.sender = RetryingSender(
            SYSTEM,
            max_attempts=settings.max_attempts,
            base_delay=settings.retry_base_seconds,
            max_rate_limit_wait=settings.max_retry_after,
            sleep=self._wait_then_take_token,
        )
        origin = urlsplit(settings.api_url)
        self._origin = (origin.scheme, origin.netloc)
        self._api_path = origin.path.rstrip("/") + "/"

    def __repr__(self) -> str:
        return f"HarvestClient(api_url={self.settings.api_url!r}, account_id=***)"

    # -- plumbing ---------------------------------------------------------------------------

    def _wait_then_take_token(self, seconds: float) -> None:
        if seconds > 0:
            self._sleep(seconds)
        self.bucket.acquire()

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.settings.token.get_secret_value()}",
            "Harvest-Account-Id": self.settings.account_id,
            "User-Agent": self.settings.user_agent,
            "Accept": "application/json",
        }

    def _check_origin(self, url: str) -> None:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin or not parts.path.startswith(
            self._api_path
        ):
            raise errors.ConnectorError(
                "Harvest sent a pagination link outside the configured API; refusing to follow",
                system=SYSTEM,
                operation="follow links.next",
                link_host=parts.netloc,
            )

    def get_json(
        self,
        url: str,
        params: Mapping[str, ParamValue] | None = None,
        *,
        operation: str,
    ) -> Any:
        """GET ``url`` (absolute, or a path under ``/v2/``) and parse the JSON answer."""
        if not url.startswith(("http://", "https://")):
            url = f"{self.settings.api_url}/{url.lstrip('/')}"
        self._check_origin(url)
        query = {k: v for k, v in ((k, format_param(v)) for k, v in (params or {}).items()) if v}
        request = self.http.build_request(
            "GET",
            url,
            params=query or None,
            headers=self._headers(),
            timeout=timeout_of(self.settings),
        )
        self.bucket.acquire()
        response = self.sender.send(self.http, request, operation=operation)
        return decode_json(response, system=SYSTEM, operation=operation, loads=wire.loads)

    # -- lists ------------------------------------------------------------------------------

    def pages(
        self, resource: Resource[M], params: Mapping[str, ParamValue] | None = None
    ) -> Iterator[Page]:
        """Every page of a list, following ``links.next`` until it is null."""
        query: dict[str, ParamValue] = dict(params or {})
        query.setdefault("per_page", self.settings.page_size)
        url: str | None = f"{self.settings.api_url}/{resource.path}"
        first = True
        visited: set[str] = set()
        while url is not None:
            if url in visited:
                raise errors.ConnectorError(
                    "Harvest pagination links loop back to a page already read",
                    system=SYSTEM,
                    operation=f"list {resource.key}",
                )
            visited.add(url)
            body = self.get_json(url, query if first else None, operation=f"list {resource.key}")
            if not isinstance(body, dict) or not isinstance(body.get(resource.key), list):
                raise errors.UnavailableError(
                    f"harvest list {resource.key} answered without a {resource.key!r} array",
                    system=SYSTEM,
                    operation=f"list {resource.key}",
                )
            records = body.pop(resource.key)
            page = Page(url, records, wire.ListEnvelope.model_validate(body))
            yield page
            first = False
            url = page.next_url
            if url is not None:
                self._check_origin(url)

    def iter_records(
        self, resource: Resource[M], params: Mapping[str, ParamValue] | None = None
    ) -> Iterator[M]:
        """Every item of a list, as its wire model."""
        for page in self.pages(resource, params):
            for raw in page.records:
                yield resource.model.model_validate(raw)

    def list_time_entries(
        self,
        *,
        updated_since: datetime | None = None,
        from_: date | None = None,
        to: date | None = None,
        is_running: bool | None = None,
        is_billed: bool | None = None,
        user_id: int | None = None,
        client_id: int | None = None,
        project_id: int | None = None,
        task_id: int | None = None,
    ) -> Iterator[wire.TimeEntry]:
        params: dict[str, ParamValue] = {
            "updated_since": updated_since,
            "from": from_,
            "to": to,
            "is_running": is_running,
            "is_billed": is_billed,
            "user_id": user_id,
            "client_id": client_id,
            "project_id": project_id,
            "task_id": task_id,
        }
        return self.iter_records(TIME_ENTRIES, params)

    def list_expenses(
        self,
        *,
        updated_since: datetime | None = None,
        from_: date | None = None,
        to: date | None = None,
        is_billed: bool | None = None,
        user_id: int | None = None,
        client_id: int | None = None,
        project_id: int | None = None,
    ) -> Iterator[wire.Expense]:
        params: dict[str, ParamValue] = {
            "updated_since": updated_since,
            "from": from_,
            "to": to,
            "is_billed": is_billed,
            "user_id": user_id,
            "client_id": client_id,
            "project_id": project_id,
        }
        return self.iter_records(EXPENSES, params)

    def list_users(
        self, *, is_active: bool | None = None, updated_since: datetime | None = None
    ) -> Iterator[wire.User]:
        return self.iter_records(USERS, {"is_active": is_active, "updated_since": updated_since})

    def list_clients(
        self, *, is_active: bool | None = None, updated_since: datetime | None = None
    ) -> Iterator[wire.Client]:
        return self.iter_records(CLIENTS, {"is_active": is_active, "updated_since": updated_since})

    def list_projects(
        self,
        *,
        is_active: bool | None = None,
        client_id: int | None = None,
        updated_since: datetime | None = None,
    ) -> Iterator[wire.Project]:
        params: dict[str, ParamValue] = {
            "is_active": is_active,
            "client_id": client_id,
            "updated_since": updated_since,
        }
        return self.iter_records(PROJECTS, params)

    def list_tasks(
        self, *, is_active: bool | None = None, updated_since: datetime | None = None
    ) -> Iterator[wire.Task]:
        return self.iter_records(TASKS, {"is_active": is_active, "updated_since": updated_since})

    def list_expense_categories(
        self, *, is_active: bool | None = None, updated_since: datetime | None = None
    ) -> Iterator[wire.ExpenseCategory]:
        params: dict[str, ParamValue] = {"is_active": is_active, "updated_since": updated_since}
        return self.iter_records(EXPENSE_CATEGORIES, params)

    def list_task_assignments(
        self,
        *,
        project_id: int | None = None,
        is_active: bool | None = None,
        updated_since: datetime | None = None,
    ) -> Iterator[wire.TaskAssignment]:
        """All task assignments, or one project's (``/projects/{id}/task_assignments``)."""
        params: dict[str, ParamValue] = {"is_active": is_active, "updated_since": updated_since}
        if project_id is None:
            return self.iter_records(TASK_ASSIGNMENTS, params)
        scoped = Resource(
            "task_assignments", f"projects/{project_id}/task_assignments", wire.TaskAssignment
        )
        return self.iter_records(scoped, params)

    def list_user_assignments(
        self,
        *,
        project_id: int | None = None,
        user_id: int | None = None,
        is_active: bool | None = None,
        updated_since: datetime | None = None,
    ) -> Iterator[wire.UserAssignment]:
        """All user assignments, or one project's (``/projects/{id}/user_assignments``)."""
        params: dict[str, ParamValue] = {
            "user_id": user_id,
            "is_active": is_active,
            "updated_since": updated_since,
        }
        if project_id is None:
            return self.iter_records(USER_ASSIGNMENTS, params)
        scoped = Resource(
            "user_assignments", f"projects/{project_id}/user_assignments", wire.UserAssignment
        )
        return self.iter_records(scoped, params)

    # -- single records ---------------------------------------------------------------------

    def get_time_entry(self, entry_id: int) -> wire.TimeEntry:
        body = self.get_json(f"time_entries/{int(entry_id)}", operation="get time_entry")
        return wire.TimeEntry.model_validate(body)

    def get_expense(self, expense_id: int) -> wire.Expense:
        body = self.get_json(f"expenses/{int(expense_id)}", operation="get expense")
        return wire.Expense.model_validate(body)

    def me(self) -> wire.User:
        """The user the token belongs to (a cheap connection check)."""
        return wire.User.model_validate(self.get_json("users/me", operation="get users/me"))
