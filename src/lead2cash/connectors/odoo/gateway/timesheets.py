"""Approved time entries as timesheet lines (``account.analytic.line`` with a project).

One call reads what is there: every line the hub writes carries the source record's binding key
in ``ref`` (``harvest:time_entry:123``) besides its external id
(``lead2cash.harvest_time_entry_123``), so one ``search_read`` on ``ref`` finds a whole batch's
lines without ``ir.model.data`` (closed to the bot). Then, per entry:

- new: created by ``load`` with its external id;
- unchanged: nothing is written (re-running a batch writes nothing, even on invoiced lines);
- edited: only the changed columns are written, by ``load`` (upsert by external id);
- deleted or no longer approved: the line is deleted;
- Odoo refuses because the line is invoiced ("You cannot modify timesheets that are already
  invoiced.", also while the invoice is a draft; a description-only change is allowed):
  :class:`~lead2cash.errors.LockedError` for that entry, the rest of the batch goes through.

The sale line (``so_line``) is left to Odoo (task, project or employee map), except: a
non-billable entry gets none, and an entry whose billing code maps explicitly to a product that
has a line on the project's order is pinned to that line (``is_so_line_edited``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import (
    EntryResult,
    Resolver,
    Scope,
    Status,
    m2o,
    own_xmlid,
    quantize,
    row_error,
    to_decimal,
)
from lead2cash.connectors.odoo.writer import UpsertRow
from lead2cash.model.work import TimeEntry

_LOCKED = re.compile(r"invoiced", re.IGNORECASE)
_READ = [
    "ref",
    "employee_id",
    "project_id",
    "task_id",
    "date",
    "unit_amount",
    "name",
    "so_line",
    "is_so_line_edited",
    "timesheet_invoice_id",
]


@dataclass
class _Project:
    order_id: int | None
    lines_by_product: dict[int, int] = field(default_factory=dict)
    tasks: dict[str, int] | None = None  # task name (case-folded) → id, read on first need


def locked(exc: errors.Lead2CashError, key: str) -> errors.Lead2CashError:
    """Odoo's "already invoiced" refusal as a LockedError (anything else unchanged)."""
    if isinstance(exc, errors.RejectedError) and _LOCKED.search(exc.message):
        return errors.LockedError(
            f"time entry {key} is already invoiced in Odoo: {exc.message}", reference=key
        )
    return exc


class TimesheetGateway:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def sync(self, scope: Scope, entries: Sequence[TimeEntry]) -> list[EntryResult]:
        """Upsert approved entries and remove deleted or unapproved ones; one result per entry,
        in order (a repeated entry: its last version wins)."""
        keyed = {e.source.key: e for e in entries}
        found = self._existing(scope, list(keyed))
        results: dict[str, EntryResult] = {}
        rows: list[UpsertRow] = []
        projects: dict[int, _Project] = {}
        digits = self.resolver.digits("account.analytic.line", "unit_amount")
        for key, entry in keyed.items():
            current = found.get(key)
            if entry.deleted or not entry.approved:
                results[key] = self._remove(scope, key, entry, current)
                continue
            try:
                values = self._values(scope, entry, projects, digits)
            except errors.Lead2CashError as exc:
                results[key] = EntryResult(key, "failed", None, exc)
                continue
            if current is None:
                rows.append(UpsertRow(own_xmlid(entry.source, "time_entry"), values, key))
                continue
            changed = _changes(current, values, digits)
            if "so_line/.id" not in values and current["is_so_line_edited"]:
                # pinned before (non-billable, billing code), now left to Odoo's rule
                values["is_so_line_edited"] = False
                values["so_line/.id"] = self._default_line(scope, values)
                changed += ["is_so_line_edited", "so_line/.id"]
            if not changed:
                results[key] = EntryResult(key, "unchanged", int(current["id"]))
                continue
            rows.append(
                UpsertRow(
                    own_xmlid(entry.source, "time_entry"), {k: values[k] for k in changed}, key
                )
            )
        if rows:
            report = self.resolver.writer.upsert(
                "account.analytic.line", rows, company_ids=scope.company_ids
            )
            for result in report.results:
                status: Status = "updated" if result.key in found else "created"
                if result.ok:
                    results[result.key] = EntryResult(result.key, status, result.odoo_id)
                else:
                    error = locked(row_error(result), result.key)
                    current = found.get(result.key)
                    if isinstance(error, errors.LockedError) and current is not None:
                        error = self._adjustment(scope, result.key, current, keyed[result.key])
                    results[result.key] = EntryResult(result.key, "failed", None, error)
        return [results[e.source.key] for e in entries]

    def _adjustment(
        self, scope: Scope, key: str, current: dict[str, Any], entry: TimeEntry
    ) -> errors.LockedError:
        """An invoiced entry edited at the source: the credit note or re-bill it needs."""
        invoice = m2o(current.get("timesheet_invoice_id"))
        number: Any = invoice
        if invoice is not None:
            moves = self.resolver.client.read(
                "account.move", [invoice], ["name"], company_ids=scope.company_ids
            )
            if moves and moves[0]["name"] not in (False, "/"):
                number = moves[0]["name"]
        billed = to_decimal(current.get("unit_amount") or 0)
        delta = entry.hours - billed
        if delta < 0:
            kind, what = "credit_note", f"a credit note for {-delta:f} h"
        elif delta > 0:
            kind, what = "rebill", f"a re-bill of {delta:f} h"
        else:
            kind, what = "review", "a review (the hours are the same; other fields changed)"
        return errors.LockedError(
            f"time entry {key} is invoiced on {number} with {billed:f} h; the source now says "
            f"{entry.hours:f} h: adjustment proposed: {what}",
            reference=key,
            invoice=str(number),
            adjustment=kind,
            hours=f"{abs(delta):f}",
        )

    # -- reading --------------------------------------------------------------------------------

    def _existing(self, scope: Scope, keys: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            rows = self.resolver.client.search_read(
                "account.analytic.line",
                [("ref", "in", chunk), ("project_id", "!=", False)],
                _READ,
                company_ids=scope.company_ids,
            )
            for row in rows:
                found.setdefault(str(row["ref"]), row)
        return found

    def _project(self, scope: Scope, project_id: int, cache: dict[int, _Project]) -> _Project:
        if project_id not in cache:
            client = self.resolver.client
            row = self.resolver.read_one("project.project", project_id, ["sale_order_id"], scope)
            order_id = m2o(row.get("sale_order_id"))
            info = _Project(order_id)
            if order_id is not None:
                for line in client.search_read(
                    "sale.order.line",
                    [("order_id", "=", order_id)],
                    ["product_id"],
                    order="sequence, id",
                    company_ids=scope.company_ids,
                ):
                    product = m2o(line["product_id"])
                    if product is not None:
                        info.lines_by_product.setdefault(product, int(line["id"]))
            cache[project_id] = info
        return cache[project_id]

    # -- values -----------------------------------------------------------------------------------

    def _values(
        self, scope: Scope, entry: TimeEntry, projects: dict[int, _Project], digits: int
    ) -> dict[str, Any]:
        resolver = self.resolver
        project_id = resolver.bound(entry.project, "project")
        task_id = self._task(scope, entry, project_id, projects)
        values: dict[str, Any] = {
            "ref": entry.source.key,
            "employee_id/.id": resolver.employee(entry.consultant, scope),
            "project_id/.id": project_id,
            "task_id/.id": task_id,
            "date": entry.day,
            "unit_amount": quantize(entry.hours, digits),
            "name": entry.notes.strip() or "/",
        }
        if not entry.billable:
            values["so_line/.id"] = None
            values["is_so_line_edited"] = True
            return values
        line = self._billing_line(scope, entry, project_id, projects)
        if line is not None:
            values["so_line/.id"] = line
            values["is_so_line_edited"] = True
        return values

    def _task(
        self, scope: Scope, entry: TimeEntry, project_id: int, projects: dict[int, _Project]
    ) -> int | None:
        """The entry's task in its project: a bound task, else the project's task of the same
        name (case-insensitive), else a new task of that name in the project."""
        if entry.task is not None:
            bound = self.resolver.lookup(entry.task)
            if bound:
                return bound
        name = (entry.task_name or "").strip()
        if not name:
            return None
        info = self._project(scope, project_id, projects)
        client = self.resolver.client
        if info.tasks is None:
            info.tasks = {}
            for task in client.search_read(
                "project.task",
                [("project_id", "=", project_id)],
                ["name"],
                order="id",
                company_ids=scope.company_ids,
            ):
                info.tasks.setdefault(str(task["name"]).strip().casefold(), int(task["id"]))
        found = info.tasks.get(name.casefold())
        if found is None:
            found = client.create(
                "project.task",
                [{"name": name, "project_id": project_id}],
                company_ids=scope.company_ids,
            )[0]
            info.tasks[name.casefold()] = found
        return found

    def _billing_line(
        self, scope: Scope, entry: TimeEntry, project_id: int, projects: dict[int, _Project]
    ) -> int | None:
        mapper = self.resolver.mapper
        code = entry.billing_code
        if mapper is None or not code or code not in mapper.spec.billing_codes.codes:
            return None
        product_ref = mapper.product_for(code).product
        product_id = self.resolver.config_record(
            "product.product", product_ref, what="product", company_id=scope.company_id
        )
        return self._project(scope, project_id, projects).lines_by_product.get(product_id)

    def _default_line(self, scope: Scope, values: dict[str, Any]) -> int | None:
        """The sale line Odoo would pick (``_timesheet_determine_sale_line``): the employee
        map's on an employee-rate project, else the task's, else the project's."""
        resolver = self.resolver
        project = resolver.read_one(
            "project.project", values["project_id/.id"], ["sale_line_id", "pricing_type"], scope
        )
        if project.get("pricing_type") == "employee_rate":
            maps = resolver.client.search_read(
                "project.sale.line.employee.map",
                [
                    ("project_id", "=", values["project_id/.id"]),
                    ("employee_id", "=", values["employee_id/.id"]),
                ],
                ["sale_line_id"],
                company_ids=scope.company_ids,
            )
            if maps and m2o(maps[0]["sale_line_id"]):
                return m2o(maps[0]["sale_line_id"])
        if values["task_id/.id"]:
            task = resolver.read_one("project.task", values["task_id/.id"], ["sale_line_id"], scope)
            if m2o(task.get("sale_line_id")):
                return m2o(task["sale_line_id"])
        return m2o(project.get("sale_line_id"))

    # -- removing ---------------------------------------------------------------------------------

    def _remove(
        self, scope: Scope, key: str, entry: TimeEntry, current: dict[str, Any] | None
    ) -> EntryResult:
        client = self.resolver.client
        if current is None:
            line_id = self.resolver.own(own_xmlid(entry.source, "time_entry"))
            if line_id is None:
                return EntryResult(key, "absent")
            rows = client.read(
                "account.analytic.line",
                [line_id],
                ["timesheet_invoice_id"],
                company_ids=scope.company_ids,
            )
            if not rows:
                return EntryResult(key, "absent")
            current = rows[0]
        line_id = int(current["id"])
        invoice = m2o(current.get("timesheet_invoice_id"))
        if invoice is not None:
            # Odoo deletes a timesheet whose invoice is still a draft (it only refuses once
            # posted), which would leave the draft billing hours that no longer exist.
            moves = client.read(
                "account.move", [invoice], ["state", "name"], company_ids=scope.company_ids
            )
            if moves and moves[0]["state"] != "cancel":
                number = moves[0]["name"] if moves[0]["name"] not in (False, "/") else invoice
                hours = to_decimal(current.get("unit_amount") or 0)
                return EntryResult(
                    key,
                    "failed",
                    line_id,
                    errors.LockedError(
                        f"time entry {key} is on invoice {number} ({moves[0]['state']}) in Odoo "
                        f"and was deleted or unapproved at the source; adjustment proposed: a "
                        f"credit note for {hours:f} h",
                        reference=key,
                        invoice=str(number),
                        adjustment="credit_note",
                        hours=f"{hours:f}",
                    ),
                )
        try:
            client.unlink("account.analytic.line", [line_id], company_ids=scope.company_ids)
        except errors.Lead2CashError as exc:
            return EntryResult(key, "failed", line_id, locked(exc, key))
        return EntryResult(key, "deleted", line_id)


def _changes(current: dict[str, Any], values: dict[str, Any], digits: int) -> list[str]:
    """The columns of ``values`` that differ from the line as Odoo has it."""
    changed: list[str] = []
    for column, want in values.items():
        if column.endswith("/.id"):
            have: Any = m2o(current[column.removesuffix("/.id")])
        elif column == "date":
            have = current["date"]
            want = want.isoformat()
        elif column == "unit_amount":
            have = quantize(to_decimal(current["unit_amount"]), digits)
        elif column == "is_so_line_edited":
            have = bool(current["is_so_line_edited"])
        else:
            have = current[column] or ""
        if have != want:
            changed.append(column)
    return changed
