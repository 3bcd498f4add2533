"""Stored records → the JSON objects Harvest sends (shapes of the OpenAPI file's examples).

Derived values are computed here, at read time, as Harvest computes them:

* nested ``user``/``client``/``project``/``task``/``expense_category`` objects from the ids;
* a time entry's ``billable`` (project billable and task assignment billable, unless set),
  ``billable_rate`` (by the project's ``bill_by``: the project's rate, the task assignment's,
  or the person's), ``cost_rate`` (the person's), and, for a running timer, ``hours`` growing
  with the clock;
* ``is_locked``/``locked_reason`` from approval (``is_closed``) and invoicing (``is_billed``);
* ``expense_category.unit_price`` inside an expense is a *string*, as the OpenAPI file types it
  (the expense category object itself has it as a number).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lead2cash.emulators.harvest.jsonout import format_datetime

Table = Mapping[int, Mapping[str, Any]]

APPROVED = "Item Approved and Locked for this Time Period"
INVOICED_APPROVED = "Item Invoiced and Approved and Locked for this Time Period"
INVOICED = "Item Invoiced and Locked for this Time Period"


@dataclass
class Lookup:
    """The tables plus indexes built once per request."""

    tables: Mapping[str, Table]
    now: datetime
    _task_assignments: dict[tuple[int, int], Mapping[str, Any]] = field(default_factory=dict)
    _user_assignments: dict[tuple[int, int], Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for ta in self.tables["task_assignments"].values():
            self._task_assignments[(ta["project_id"], ta["task_id"])] = ta
        for ua in self.tables["user_assignments"].values():
            self._user_assignments[(ua["project_id"], ua["user_id"])] = ua

    def get(self, resource: str, record_id: int) -> Mapping[str, Any]:
        return self.tables[resource][record_id]

    def task_assignment(self, project_id: int, task_id: int) -> Mapping[str, Any] | None:
        return self._task_assignments.get((project_id, task_id))

    def user_assignment(self, project_id: int, user_id: int) -> Mapping[str, Any] | None:
        return self._user_assignments.get((project_id, user_id))


def _name(user: Mapping[str, Any]) -> str:
    return f"{user['first_name']} {user['last_name']}".strip()


def _pick(record: Mapping[str, Any], names: str) -> dict[str, Any]:
    return {k: record[k] for k in names.split()}


def _stamps(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"created_at": record["created_at"], "updated_at": record["updated_at"]}


def _lock(closed: bool, billed: bool) -> tuple[bool, str | None]:
    if closed and billed:
        return True, INVOICED_APPROVED
    if closed:
        return True, APPROVED
    if billed:
        return True, INVOICED
    return False, None


def user(r: Mapping[str, Any], _: Lookup) -> dict[str, Any]:
    keys = (
        "id first_name last_name email telephone timezone has_access_to_all_future_projects "
        "is_contractor is_active weekly_capacity default_hourly_rate cost_rate roles "
        "access_roles avatar_url"
    )
    return _pick(r, keys) | _stamps(r)


def client(r: Mapping[str, Any], _: Lookup) -> dict[str, Any]:
    keys = "id name is_active address statement_key"
    return _pick(r, keys) | _stamps(r) | {"currency": r["currency"]}


def project(r: Mapping[str, Any], lookup: Lookup) -> dict[str, Any]:
    c = lookup.get("clients", r["client_id"])
    keys = (
        "id name code is_active is_billable is_fixed_fee bill_by hourly_rate budget budget_by "
        "budget_is_monthly notify_when_over_budget over_budget_notification_percentage "
        "over_budget_notification_date show_budget_to_all cost_budget "
        "cost_budget_include_expenses fee notes starts_on ends_on"
    )
    return (
        {"id": r["id"], "client": {"id": c["id"], "name": c["name"], "currency": c["currency"]}}
        | _pick(r, keys)
        | _stamps(r)
    )


def task(r: Mapping[str, Any], _: Lookup) -> dict[str, Any]:
    keys = "id name billable_by_default default_hourly_rate is_default is_active"
    return _pick(r, keys) | _stamps(r)


def expense_category(r: Mapping[str, Any], _: Lookup) -> dict[str, Any]:
    keys = "id name unit_name unit_price is_active"
    return _pick(r, keys) | _stamps(r)


def _project_ref(p: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": p["id"], "name": p["name"], "code": p["code"]}


def task_assignment(
    r: Mapping[str, Any], lookup: Lookup, *, nested: bool = False
) -> dict[str, Any]:
    head: dict[str, Any] = {"id": r["id"]}
    if not nested:
        t = lookup.get("tasks", r["task_id"])
        head |= {
            "project": _project_ref(lookup.get("projects", r["project_id"])),
            "task": {"id": t["id"], "name": t["name"]},
        }
    body = {k: r[k] for k in ("billable", "is_active")}
    return head | body | _stamps(r) | {"hourly_rate": r["hourly_rate"], "budget": r["budget"]}


def user_assignment(
    r: Mapping[str, Any], lookup: Lookup, *, nested: bool = False
) -> dict[str, Any]:
    head: dict[str, Any] = {"id": r["id"]}
    if not nested:
        u = lookup.get("users", r["user_id"])
        head |= {
            "project": _project_ref(lookup.get("projects", r["project_id"])),
            "user": {"id": u["id"], "name": _name(u)},
        }
    body = {k: r[k] for k in ("is_project_manager", "is_active", "use_default_rates", "budget")}
    return head | body | _stamps(r) | {"hourly_rate": r["hourly_rate"]}


def _billable_rate(
    p: Mapping[str, Any],
    u: Mapping[str, Any],
    ta: Mapping[str, Any] | None,
    ua: Mapping[str, Any] | None,
) -> Decimal | None:
    if p["bill_by"] == "Project":
        return p["hourly_rate"]  # type: ignore[no-any-return]
    if p["bill_by"] == "Tasks":
        return None if ta is None else ta["hourly_rate"]
    if p["bill_by"] == "People":
        if ua is not None and not ua["use_default_rates"]:
            return ua["hourly_rate"]  # type: ignore[no-any-return]
        return u["default_hourly_rate"]  # type: ignore[no-any-return]
    return None


def time_entry(r: Mapping[str, Any], lookup: Lookup) -> dict[str, Any]:
    p = lookup.get("projects", r["project_id"])
    c = lookup.get("clients", p["client_id"])
    u = lookup.get("users", r["user_id"])
    t = lookup.get("tasks", r["task_id"])
    ta = lookup.task_assignment(p["id"], t["id"])
    ua = lookup.user_assignment(p["id"], u["id"])
    billable = r["billable"]
    if billable is None:
        billable = bool(p["is_billable"]) and bool(
            ta["billable"] if ta is not None else t["billable_by_default"]
        )
    rate = r["billable_rate"]
    if rate is None and billable:
        rate = _billable_rate(p, u, ta, ua)
    without_timer = r["hours_without_timer"] if r["hours_without_timer"] is not None else r["hours"]
    hours = r["hours"]
    if r["is_running"] and r["timer_started_at"] is not None:
        elapsed = max(timedelta(0), lookup.now - r["timer_started_at"]).total_seconds()
        hours = _hours(without_timer + Decimal(int(elapsed)) / Decimal(3600))
    billed = bool(r["is_billed"] or r["invoice"] is not None)
    locked, reason = _lock(r["is_closed"], billed)
    return {
        "id": r["id"],
        "spent_date": r["spent_date"],
        "user": {"id": u["id"], "name": _name(u)},
        "client": {"id": c["id"], "name": c["name"]},
        "project": {"id": p["id"], "name": p["name"]},
        "task": {"id": t["id"], "name": t["name"]},
        "user_assignment": None if ua is None else user_assignment(ua, lookup, nested=True),
        "task_assignment": None if ta is None else task_assignment(ta, lookup, nested=True),
        "hours": hours,
        "hours_without_timer": without_timer,
        "rounded_hours": r["rounded_hours"] if r["rounded_hours"] is not None else hours,
        "notes": r["notes"],
        **_stamps(r),
        "is_locked": locked,
        "locked_reason": reason,
        "is_closed": r["is_closed"],
        "is_billed": billed,
        "timer_started_at": r["timer_started_at"] if r["is_running"] else None,
        "started_time": r["started_time"],
        "ended_time": r["ended_time"],
        "is_running": r["is_running"],
        "invoice": r["invoice"],
        "external_reference": r["external_reference"],
        "billable": billable,
        "budgeted": r["budgeted"],
        "billable_rate": rate if billable else None,
        "cost_rate": r["cost_rate"] if r["cost_rate"] is not None else u["cost_rate"],
    }


def expense(r: Mapping[str, Any], lookup: Lookup) -> dict[str, Any]:
    p = lookup.get("projects", r["project_id"])
    c = lookup.get("clients", p["client_id"])
    u = lookup.get("users", r["user_id"])
    cat = lookup.get("expense_categories", r["expense_category_id"])
    ua = lookup.user_assignment(p["id"], u["id"])
    total = r["total_cost"]
    if total is None:
        total = Decimal(r["units"] or 1) * (cat["unit_price"] or Decimal(0))
    unit_price = cat["unit_price"]
    billed = bool(r["is_billed"] or r["invoice"] is not None)
    locked, reason = _lock(r["is_closed"], billed)
    return {
        "id": r["id"],
        "notes": r["notes"],
        "total_cost": total,
        "units": r["units"],
        "is_closed": r["is_closed"],
        "is_locked": locked,
        "is_billed": billed,
        "locked_reason": reason,
        "spent_date": r["spent_date"],
        **_stamps(r),
        "billable": r["billable"],
        "receipt": r["receipt"],
        "user": {"id": u["id"], "name": _name(u)},
        "user_assignment": None if ua is None else user_assignment(ua, lookup, nested=True),
        "project": _project_ref(p),
        "expense_category": {
            "id": cat["id"],
            "name": cat["name"],
            "unit_price": None if unit_price is None else format(unit_price, "f"),
            "unit_name": cat["unit_name"],
        },
        "client": {"id": c["id"], "name": c["name"], "currency": c["currency"]},
        "invoice": r["invoice"],
    }


def _hours(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


RENDERERS = {
    "users": user,
    "clients": client,
    "projects": project,
    "tasks": task,
    "expense_categories": expense_category,
    "task_assignments": task_assignment,
    "user_assignments": user_assignment,
    "time_entries": time_entry,
    "expenses": expense,
}


def render(resource: str, record: Mapping[str, Any], lookup: Lookup) -> dict[str, Any]:
    """The wire object of ``record`` (datetimes and Decimals stay typed until JSON is written)."""
    return RENDERERS[resource](record, lookup)


def sort_key(resource: str, item: Mapping[str, Any]) -> tuple[Any, ...]:
    """Harvest's order, newest first: by spent date for time and expenses, else by creation."""
    if resource in ("time_entries", "expenses"):
        return (item["spent_date"].isoformat(), item["id"])
    return (format_datetime(item["created_at"]), item["id"])
