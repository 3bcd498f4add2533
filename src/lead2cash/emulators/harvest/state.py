"""The Harvest emulator's in-memory account: records, rendering, filters, approvals, limits.

One :class:`HarvestState` per app (``app.state.emulator``). Every method takes the state's
lock, so the control API, the served API and a test thread may touch it at once.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

from lead2cash.emulators.clock import EmulatorClock
from lead2cash.emulators.faults import CallLog, FaultPlan
from lead2cash.emulators.harvest import render
from lead2cash.emulators.harvest.paging import PagingMode, Sorted
from lead2cash.emulators.harvest.records import RECORD_MODELS, REFERENCES

#: First ids per resource (magnitudes like Harvest's own examples; all below 2**31).
ID_BASES: dict[str, int] = {
    "users": 1782001,
    "clients": 5735001,
    "projects": 14307001,
    "tasks": 8083001,
    "task_assignments": 155502001,
    "user_assignments": 125068001,
    "expense_categories": 4195001,
    "time_entries": 636709001,
    "expenses": 15296001,
}

#: Paging per list, as the OpenAPI file declares it (``cursor`` parameter or not).
DEFAULT_PAGING: dict[str, PagingMode] = {
    "users": "cursor",
    "clients": "cursor",
    "projects": "cursor",
    "tasks": "cursor",
    "expense_categories": "cursor",
    "task_assignments": "cursor",
    "user_assignments": "cursor",
    "project_task_assignments": "page",
    "project_user_assignments": "page",
    "time_entries": "page",
    "expenses": "page",
}

#: Query filters each list accepts, beyond paging: name → type.
FILTERS: dict[str, dict[str, str]] = {
    "users": {"is_active": "bool", "updated_since": "datetime"},
    "clients": {"is_active": "bool", "updated_since": "datetime"},
    "projects": {"is_active": "bool", "client_id": "int", "updated_since": "datetime"},
    "tasks": {"is_active": "bool", "updated_since": "datetime"},
    "expense_categories": {"is_active": "bool", "updated_since": "datetime"},
    "task_assignments": {"is_active": "bool", "updated_since": "datetime"},
    "user_assignments": {"is_active": "bool", "user_id": "int", "updated_since": "datetime"},
    "time_entries": {
        "user_id": "int",
        "client_id": "int",
        "project_id": "int",
        "task_id": "int",
        "external_reference_id": "str",
        "is_billed": "bool",
        "is_running": "bool",
        "updated_since": "datetime",
        "from": "date",
        "to": "date",
    },
    "expenses": {
        "user_id": "int",
        "client_id": "int",
        "project_id": "int",
        "is_billed": "bool",
        "updated_since": "datetime",
        "from": "date",
        "to": "date",
    },
}


class EmulatorError(Exception):
    """An answer other than 200, with Harvest's body for it."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


def unprocessable(message: str) -> EmulatorError:
    return EmulatorError(422, {"message": message})


def not_found() -> EmulatorError:
    return EmulatorError(404, {"status": 404, "error": "Not Found"})


def parse_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip())
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _parse_filter(name: str, kind: str, text: str) -> Any:
    try:
        if kind == "bool":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if kind == "int":
            return int(text)
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "datetime":
            return parse_datetime(text)
    except ValueError as exc:
        raise unprocessable(f"{name} is invalid") from exc
    return text


class SlidingWindow:
    """At most ``requests`` in any ``period`` seconds (real time, not the business clock)."""

    def __init__(self, requests: int, period: float, clock: Callable[[], float]) -> None:
        self.requests = requests
        self.period = period
        self._clock = clock
        self._hits: deque[float] = deque()

    def hit(self) -> float | None:
        """Count a request; ``None`` if allowed, else seconds until one would be."""
        now = self._clock()
        while self._hits and self._hits[0] <= now - self.period:
            self._hits.popleft()
        if len(self._hits) >= self.requests:
            return self._hits[0] + self.period - now
        self._hits.append(now)
        return None


class HarvestState:
    """One emulated Harvest account."""

    def __init__(
        self,
        *,
        token: str,
        account_id: str,
        rate_limit_requests: int = 100,
        rate_limit_period: float = 15.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.account_id = account_id
        self.clock = EmulatorClock()
        self.plan = FaultPlan()
        self.log = CallLog()
        self._monotonic = monotonic
        self._default_limit = (rate_limit_requests, rate_limit_period)
        self._lock = threading.RLock()
        self.tables: dict[str, dict[int, dict[str, Any]]] = {}
        self.reset()

    # -- configuration ----------------------------------------------------------------------

    def reset(self) -> None:
        """Back to an empty account with default settings, no faults, no calls."""
        with self._lock:
            self.tables = {name: {} for name in RECORD_MODELS}
            self.paging: dict[str, PagingMode] = dict(DEFAULT_PAGING)
            self.require_user_agent = True
            self.me_user_id: int | None = None
            self.window = SlidingWindow(*self._default_limit, self._monotonic)
            self.storm_until: float | None = None
            self.storm_retry_after: float | None = None
            self.plan.clear()
            self.log.clear()
            self.clock.reset()

    def config(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rate_limit": {
                    "requests": self.window.requests,
                    "period_seconds": self.window.period,
                },
                "paging": dict(self.paging),
                "require_user_agent": self.require_user_agent,
                "me_user_id": self.me_user_id,
            }

    def configure(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            unknown = set(changes) - {"rate_limit", "paging", "require_user_agent", "me_user_id"}
            if unknown:
                raise unprocessable(f"unknown config keys: {sorted(unknown)}")
            if "rate_limit" in changes:
                limit = changes["rate_limit"]
                requests = int(limit.get("requests", self.window.requests))
                period = float(limit.get("period_seconds", self.window.period))
                if requests < 1 or period <= 0:
                    raise unprocessable("rate_limit needs requests >= 1 and period_seconds > 0")
                self.window = SlidingWindow(requests, period, self._monotonic)
            for name, mode in dict(changes.get("paging", {})).items():
                if name not in DEFAULT_PAGING or mode not in ("page", "cursor"):
                    raise unprocessable(f"paging: unknown list {name!r} or mode {mode!r}")
                self.paging[name] = mode
            if "require_user_agent" in changes:
                self.require_user_agent = bool(changes["require_user_agent"])
            if "me_user_id" in changes:
                self.me_user_id = changes["me_user_id"]
        return self.config()

    # -- rate limiting ----------------------------------------------------------------------

    def storm(self, seconds: float, retry_after: float | None = None) -> None:
        """Answer every API call with 429 for ``seconds`` (Retry-After: the time left)."""
        with self._lock:
            self.storm_until = self._monotonic() + seconds
            self.storm_retry_after = retry_after

    def clear_storm(self) -> None:
        with self._lock:
            self.storm_until = None

    def throttle(self, method: str, path: str) -> int | None:
        """Seconds for ``Retry-After`` when this call must be answered 429, else ``None``."""
        rule = self.plan.take_custom("rate_limit", method, path)
        if rule is not None:
            return max(1, math.ceil(rule.retry_after if rule.retry_after is not None else 15))
        with self._lock:
            now = self._monotonic()
            if self.storm_until is not None and now < self.storm_until:
                wait = self.storm_retry_after or (self.storm_until - now)
                return max(1, math.ceil(wait))
            wait_for = self.window.hit()
        return None if wait_for is None else max(1, math.ceil(wait_for))

    # -- records ----------------------------------------------------------------------------

    def _next_id(self, resource: str, staged: Mapping[int, Any]) -> int:
        used = [*self.tables[resource], *staged]
        return max([ID_BASES[resource] - 1, *used]) + 1

    def _check_references(self, resource: str, record: Mapping[str, Any], staged: Any) -> None:
        for field, target in REFERENCES.get(resource, {}).items():
            ref = record[field]
            if ref not in self.tables[target] and ref not in staged.get(target, {}):
                raise unprocessable(f"{resource}: {field} {ref} does not exist")

    def seed(self, document: Mapping[str, Any]) -> dict[str, list[int]]:
        """Add records (see the package docstring); all or nothing."""
        unknown = set(document) - set(RECORD_MODELS)
        if unknown:
            raise unprocessable(f"unknown resources in seed: {sorted(unknown)}")
        with self._lock:
            now = self.clock.now()
            staged: dict[str, dict[int, dict[str, Any]]] = {}
            for resource, model in RECORD_MODELS.items():
                items = document.get(resource) or []
                if not isinstance(items, list):
                    raise unprocessable(f"{resource} must be a list")
                bucket = staged.setdefault(resource, {})
                for raw in items:
                    try:
                        record = model.model_validate(raw).model_dump()
                    except ValidationError as exc:
                        raise unprocessable(f"{resource}: {_first_error(exc)}") from exc
                    record["id"] = record["id"] or self._next_id(resource, bucket)
                    if record["id"] in self.tables[resource] or record["id"] in bucket:
                        raise unprocessable(f"{resource}: id {record['id']} exists")
                    record["created_at"] = record["created_at"] or now
                    record["updated_at"] = record["updated_at"] or record["created_at"]
                    self._check_references(resource, record, staged)
                    bucket[record["id"]] = record
            for resource, bucket in staged.items():
                self.tables[resource].update(bucket)
            return {resource: list(bucket) for resource, bucket in staged.items() if bucket}

    def edit(self, resource: str, record_id: int, patch: Mapping[str, Any]) -> dict[str, Any]:
        """Change a stored record; ``updated_at`` moves to now unless the patch sets it."""
        model = RECORD_MODELS.get(resource)
        if model is None:
            raise not_found()
        with self._lock:
            current = self.tables[resource].get(record_id)
            if current is None:
                raise not_found()
            if "id" in patch and patch["id"] != record_id:
                raise unprocessable("the id of a record cannot change")
            merged = {**current, **patch}
            if "updated_at" not in patch:
                merged["updated_at"] = self.clock.now()
            try:
                record = model.model_validate(merged).model_dump()
            except ValidationError as exc:
                raise unprocessable(f"{resource}: {_first_error(exc)}") from exc
            self._check_references(resource, record, {})
            self.tables[resource][record_id] = record
            return self.render_one(resource, record_id)

    def delete(self, resource: str, record_id: int) -> None:
        with self._lock:
            if self.tables.get(resource, {}).pop(record_id, None) is None:
                raise not_found()

    def set_closed(self, resource: str, selector: Mapping[str, Any], closed: bool) -> list[int]:
        """Approve (``closed``) or reopen time entries or expenses; bumps ``updated_at`` of
        those whose state changes. Select by ``ids`` and/or ``project_id``, ``user_id``,
        ``from``, ``to`` (spent dates, inclusive). Running timers are never approved."""
        criteria = {k: v for k, v in selector.items() if v is not None}
        unknown = set(criteria) - {"ids", "project_id", "user_id", "from", "to"}
        if unknown:
            raise unprocessable(f"unknown selector keys: {sorted(unknown)}")
        if not criteria:
            raise unprocessable("select entries by ids, project_id, user_id or from/to")
        ids = {int(i) for i in criteria.get("ids", [])} if "ids" in criteria else None
        low = date.fromisoformat(str(criteria["from"])) if "from" in criteria else None
        high = date.fromisoformat(str(criteria["to"])) if "to" in criteria else None
        changed: list[int] = []
        with self._lock:
            now = self.clock.now()
            for record in self.tables[resource].values():
                if ids is not None and record["id"] not in ids:
                    continue
                if "project_id" in criteria and record["project_id"] != criteria["project_id"]:
                    continue
                if "user_id" in criteria and record["user_id"] != criteria["user_id"]:
                    continue
                if (low and record["spent_date"] < low) or (high and record["spent_date"] > high):
                    continue
                if closed and record.get("is_running"):
                    continue
                if record["is_closed"] != closed:
                    record["is_closed"] = closed
                    record["updated_at"] = now
                    changed.append(record["id"])
        return sorted(changed)

    # -- reading ----------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        with self._lock:
            users = self.tables["users"]
            if self.me_user_id is not None and self.me_user_id in users:
                return self.render_one("users", self.me_user_id)
            admins = [u for u in users.values() if "administrator" in u["access_roles"]]
            chosen = admins or list(users.values())
            if not chosen:
                raise not_found()
            return self.render_one("users", min(chosen, key=lambda u: u["id"])["id"])

    def render_one(self, resource: str, record_id: int) -> dict[str, Any]:
        with self._lock:
            record = self.tables.get(resource, {}).get(record_id)
            if record is None:
                raise not_found()
            return render.render(resource, record, render.Lookup(self.tables, self.clock.now()))

    def select(
        self, resource: str, query: Mapping[str, str], *, project_id: int | None = None
    ) -> list[Sorted]:
        """The filtered list, rendered and sorted as Harvest sorts it (newest first)."""
        filters: dict[str, Any] = {}
        for name, kind in FILTERS[resource].items():
            text = query.get(name)
            if text is not None and text != "":
                filters[name] = _parse_filter(name, kind, text)
        with self._lock:
            lookup = render.Lookup(self.tables, self.clock.now())
            if project_id is not None and project_id not in self.tables["projects"]:
                raise not_found()
            rows = []
            for record in self.tables[resource].values():
                if project_id is not None and record["project_id"] != project_id:
                    continue
                item = render.render(resource, record, lookup)
                if _matches(item, record, filters):
                    rows.append(Sorted(render.sort_key(resource, item), item))
        rows.sort(key=lambda s: s.key, reverse=True)
        return rows


def _matches(
    item: Mapping[str, Any], record: Mapping[str, Any], filters: Mapping[str, Any]
) -> bool:
    for name, wanted in filters.items():
        if name == "updated_since":
            if record["updated_at"] < wanted:
                return False
        elif name == "from":
            if record["spent_date"] < wanted:
                return False
        elif name == "to":
            if record["spent_date"] > wanted:
                return False
        elif name == "client_id":
            client = item.get("client") or {}
            if client.get("id") != wanted:
                return False
        elif name == "external_reference_id":
            ref = item.get("external_reference") or {}
            if ref.get("id") != wanted:
                return False
        elif name in ("user_id", "project_id", "task_id"):
            if record.get(name) != wanted:
                return False
        elif item.get(name) != wanted:
            return False
    return True


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"])
    return f"{where}: {error['msg']}" if where else str(error["msg"])
