"""Approved expenses as ``hr.expense``, submitted the way the Odoo version wants.

Each expense is upserted by external id (``lead2cash.<tool>_expense_<id>``) in the expense's
own currency (``total_amount_currency`` + ``currency_id``; the currency must be active), with
the product of its category (``expense_categories`` in the mapping; the product must have no
cost, or Odoo would replace the amount), on the project's analytic account
(``analytic_distribution = {account: 100}``), and re-invoiced to the project's sale order
(``sale_order_id``) when the category re-invoices and the expense is billable. The category's
markup is not expressed in Odoo (it re-invoices at cost or at the product's sales price); the
billing run applies it.

Submission:

- **17 / 18**: expenses are grouped in one ``hr.expense.sheet`` per employee and batch (external
  id ``lead2cash.<tool>_expense_sheet_<batch>-2f<employee id>``), and each draft sheet is
  submitted (``action_submit_sheet``);
- **19** has no sheets: each expense is submitted (``action_submit``; the bot, an expense
  manager, gets it approved at once).

An expense edited or withdrawn after sync is updated or deleted while nothing is posted: a
submitted or approved expense (19) or sheet (17/18) is reset to draft first, then submitted
again. Once posted (or paid) it is :class:`~lead2cash.errors.LockedError`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import (
    EntryResult,
    Resolver,
    Scope,
    Status,
    m2o,
    own_xmlid,
    row_error,
    to_decimal,
)
from lead2cash.connectors.odoo.gateway.products import ProductCatalog
from lead2cash.connectors.odoo.writer import UpsertRow, external_id
from lead2cash.model.contract import ReinvoicePolicy
from lead2cash.model.money import round_amount
from lead2cash.model.work import Expense

#: States (per version family) in which an expense may still be written.
_EDITABLE = {"draft", "reported"}
_SHEET_EDITABLE = {"draft"}
_RESETTABLE = {"submitted", "approved"}
_SHEET_RESETTABLE = {"submit", "approve"}


@dataclass
class _Project:
    account_id: int | None
    order_id: int | None


class ExpenseGateway:
    def __init__(self, resolver: Resolver, catalog: ProductCatalog) -> None:
        self.resolver = resolver
        self.catalog = catalog

    @property
    def sheets(self) -> bool:
        return self.resolver.compat.expense_sheets

    def _fields(self) -> list[str]:
        fields = [
            "state",
            "name",
            "employee_id",
            "product_id",
            "total_amount_currency",
            "currency_id",
            "date",
            "analytic_distribution",
            "company_id",
        ]
        if self.resolver.compat.has("sale_expense"):
            fields.append("sale_order_id")
        fields.append("sheet_id" if self.sheets else "account_move_id")
        return fields

    def sync(self, scope: Scope, expenses: Sequence[Expense], *, batch: str) -> list[EntryResult]:
        """Upsert approved expenses, remove withdrawn ones, then submit; one result each.

        ``batch`` names the run (e.g. the date): 17/18 group one sheet per employee and batch.
        """
        keyed = {e.source.key: e for e in expenses}
        resolver = self.resolver
        ids = {k: resolver.own(own_xmlid(e.source, "expense")) for k, e in keyed.items()}
        current = self._read(scope, [i for i in ids.values() if i is not None])
        sheet_states = self._sheet_states(scope, current)
        results: dict[str, EntryResult] = {}
        rows: list[UpsertRow] = []
        projects: dict[int, _Project] = {}
        touched_sheets: set[int] = set()
        written: list[int] = []
        for key, expense in keyed.items():
            row = current.get(ids[key] or 0)
            if expense.deleted or not expense.approved:
                results[key] = self._remove(scope, key, row, sheet_states, touched_sheets)
                continue
            try:
                values = self._values(scope, expense, projects)
            except errors.Lead2CashError as exc:
                results[key] = EntryResult(key, "failed", None, exc)
                continue
            if row is not None:
                if not _changed(row, values):
                    results[key] = EntryResult(key, "unchanged", int(row["id"]))
                    self._resubmit_later(row, sheet_states, written, touched_sheets)
                    continue
                problem = self._unlock(scope, key, row, sheet_states, touched_sheets)
                if problem is not None:
                    results[key] = EntryResult(key, "failed", int(row["id"]), problem)
                    continue
            rows.append(UpsertRow(own_xmlid(expense.source, "expense"), values, key))
        if self.sheets and rows:
            rows = self._assign_sheets(
                scope, batch, rows, keyed, current, ids, results, touched_sheets
            )
        if rows:
            report = resolver.writer.upsert("hr.expense", rows, company_ids=scope.company_ids)
            for result in report.results:
                if result.ok and result.odoo_id is not None:
                    status: Status = "updated" if ids.get(result.key) else "created"
                    results[result.key] = EntryResult(result.key, status, result.odoo_id)
                    written.append(result.odoo_id)
                else:
                    results[result.key] = EntryResult(result.key, "failed", None, row_error(result))
        submitted = self._submit(scope, written, touched_sheets)
        out: list[EntryResult] = []
        for expense in expenses:
            r = results[expense.source.key]
            if r.odoo_id is not None and r.odoo_id in submitted:
                sheet = submitted[r.odoo_id]
                r = EntryResult(r.key, r.status, r.odoo_id, r.error, True, sheet)
            out.append(r)
        return out

    # -- reading -------------------------------------------------------------------------------

    def _read(self, scope: Scope, ids: list[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        rows = self.resolver.client.read(
            "hr.expense", ids, self._fields(), company_ids=scope.company_ids
        )
        return {int(r["id"]): r for r in rows}

    def _sheet_states(self, scope: Scope, rows: dict[int, dict[str, Any]]) -> dict[int, str]:
        if not self.sheets:
            return {}
        sheet_ids = sorted({s for r in rows.values() if (s := m2o(r.get("sheet_id")))})
        if not sheet_ids:
            return {}
        found = self.resolver.client.read(
            "hr.expense.sheet", sheet_ids, ["state"], company_ids=scope.company_ids
        )
        return {int(r["id"]): str(r["state"]) for r in found}

    def _project(self, scope: Scope, project_id: int, cache: dict[int, _Project]) -> _Project:
        if project_id not in cache:
            field = self.resolver.compat.project_analytic_field
            row = self.resolver.read_one(
                "project.project", project_id, [field, "sale_order_id"], scope
            )
            cache[project_id] = _Project(m2o(row.get(field)), m2o(row.get("sale_order_id")))
        return cache[project_id]

    # -- values -------------------------------------------------------------------------------

    def _values(
        self, scope: Scope, expense: Expense, projects: dict[int, _Project]
    ) -> dict[str, Any]:
        resolver = self.resolver
        if resolver.mapper is None:
            raise errors.ConfigError("expense categories need the mapping")
        category = resolver.mapper.expense_category(expense.category)
        product = self.catalog.expense(category.product, category.reinvoice, scope)
        values: dict[str, Any] = {
            "name": expense.description.strip() or expense.category or "/",
            "employee_id/.id": resolver.employee(expense.consultant, scope),
            "product_id/.id": product.id,
            "total_amount_currency": round_amount(expense.amount.amount, expense.amount.currency),
            "currency_id/.id": resolver.currency(expense.amount.currency),
            "date": expense.day,
            "company_id/.id": scope.company_id,
            "analytic_distribution": "",
        }
        order_id = None
        if expense.project is not None:
            project = self._project(scope, resolver.bound(expense.project, "project"), projects)
            if project.account_id is not None:
                values["analytic_distribution"] = json.dumps({str(project.account_id): 100})
            order_id = project.order_id
        reinvoice = expense.billable and category.reinvoice != ReinvoicePolicy.NO
        if reinvoice:
            if not resolver.compat.has("sale_expense"):
                raise errors.ConfigError(
                    "re-invoicing expenses needs the Odoo module sale_expense", rule="module"
                )
            if order_id is None:
                raise errors.ValidationError(
                    f"expense {expense.source.key} is re-invoiced but its project has no sale "
                    "order",
                    field="project",
                    rule="re-invoiced expenses need a sale order",
                )
        if resolver.compat.has("sale_expense"):
            values["sale_order_id/.id"] = order_id if reinvoice else None
        return values

    # -- locking ------------------------------------------------------------------------------

    def _unlock(
        self,
        scope: Scope,
        key: str,
        row: dict[str, Any],
        sheet_states: dict[int, str],
        touched: set[int],
    ) -> errors.Lead2CashError | None:
        """Make an expense writable (reset to draft when nothing is posted), or say why not."""
        state = str(row["state"])
        if self.sheets:
            sheet = m2o(row.get("sheet_id"))
            sheet_state = sheet_states.get(sheet or 0, "draft")
            if state in _EDITABLE and sheet_state in _SHEET_EDITABLE:
                return None
            if sheet is not None and sheet_state in _SHEET_RESETTABLE:
                self.resolver.call(
                    "hr.expense.sheet", "action_reset_expense_sheets", [sheet], scope
                )
                sheet_states[sheet] = "draft"
                touched.add(sheet)
                return None
            return errors.LockedError(
                f"expense {key} is in a {sheet_state} expense report in Odoo", reference=key
            )
        if state in _EDITABLE:
            return None
        if state in _RESETTABLE and not m2o(row.get("account_move_id")):
            self.resolver.call("hr.expense", "action_reset", [int(row["id"])], scope)
            row["state"] = "draft"
            return None
        return errors.LockedError(f"expense {key} is {state} in Odoo", reference=key)

    def _resubmit_later(
        self,
        row: dict[str, Any],
        sheet_states: dict[int, str],
        written: list[int],
        touched: set[int],
    ) -> None:
        """An unchanged expense left in draft (a run that stopped before submitting) is
        submitted by this run."""
        if not self.sheets:
            if row["state"] == "draft":
                written.append(int(row["id"]))
            return
        sheet = m2o(row.get("sheet_id"))
        if sheet is not None and sheet_states.get(sheet) in _SHEET_EDITABLE:
            touched.add(sheet)

    def _remove(
        self,
        scope: Scope,
        key: str,
        row: dict[str, Any] | None,
        sheet_states: dict[int, str],
        touched: set[int],
    ) -> EntryResult:
        if row is None:
            return EntryResult(key, "absent")
        problem = self._unlock(scope, key, row, sheet_states, touched)
        if problem is not None:
            return EntryResult(key, "failed", int(row["id"]), problem)
        try:
            self.resolver.client.unlink(
                "hr.expense", [int(row["id"])], company_ids=scope.company_ids
            )
        except errors.Lead2CashError as exc:
            return EntryResult(key, "failed", int(row["id"]), exc)
        return EntryResult(key, "deleted", int(row["id"]))

    # -- sheets (17/18) and submission ----------------------------------------------------------

    def _assign_sheets(
        self,
        scope: Scope,
        batch: str,
        rows: list[UpsertRow],
        keyed: dict[str, Expense],
        current: dict[int, dict[str, Any]],
        ids: dict[str, int | None],
        results: dict[str, EntryResult],
        touched: set[int],
    ) -> list[UpsertRow]:
        """Put every expense to write in its employee's draft sheet of this batch."""
        groups: dict[tuple[str, int], list[UpsertRow]] = {}
        kept: list[UpsertRow] = []
        for row in rows:
            assert row.key is not None
            existing = current.get(ids[row.key] or 0)
            if existing is not None and m2o(existing.get("sheet_id")):
                kept.append(row)  # stays in its (now draft) sheet
                touched.add(m2o(existing["sheet_id"]) or 0)
                continue
            system = keyed[row.key].source.system
            groups.setdefault((system, int(row.values["employee_id/.id"])), []).append(row)
        for (system, employee_id), members in groups.items():
            xmlid = external_id(system, "expense_sheet", f"{batch}/{employee_id}")
            sheet_id = self.resolver.own(xmlid)
            if sheet_id is None:
                report = self.resolver.writer.upsert(
                    "hr.expense.sheet",
                    [
                        UpsertRow(
                            xmlid,
                            {
                                "name": f"{batch} ({system})",
                                "employee_id/.id": employee_id,
                                "company_id/.id": scope.company_id,
                            },
                        )
                    ],
                    company_ids=scope.company_ids,
                )
                result = report.results[0]
                if not result.ok or result.odoo_id is None:
                    for r in members:
                        assert r.key is not None
                        results[r.key] = EntryResult(r.key, "failed", None, row_error(result))
                    continue
                sheet_id = result.odoo_id
            else:
                state = self.resolver.read_one("hr.expense.sheet", sheet_id, ["state"], scope)
                if state["state"] not in _SHEET_EDITABLE:
                    for r in members:
                        assert r.key is not None
                        results[r.key] = EntryResult(
                            r.key,
                            "failed",
                            None,
                            errors.LockedError(
                                f"the {batch} expense report of employee {employee_id} is already "
                                f"{state['state']}; sync {r.key} in a new batch",
                                reference=r.key,
                            ),
                        )
                    continue
            touched.add(sheet_id)
            kept += [
                UpsertRow(r.xmlid, {**r.values, "sheet_id/.id": sheet_id}, r.key) for r in members
            ]
        return kept

    def _submit(self, scope: Scope, written: list[int], touched: set[int]) -> dict[int, int | None]:
        """Submit what this run wrote; expense id → its sheet (``None`` on 19)."""
        client = self.resolver.client
        if not self.sheets:
            if not written:
                return {}
            drafts = [
                int(r["id"])
                for r in client.read(
                    "hr.expense", written, ["state"], company_ids=scope.company_ids
                )
                if r["state"] == "draft"
            ]
            if drafts:
                self.resolver.call("hr.expense", "action_submit", drafts, scope)
            return dict.fromkeys(drafts)
        sheets = sorted(s for s in touched if s)
        if not sheets:
            return {}
        submitted: dict[int, int | None] = {}
        for sheet in client.read(
            "hr.expense.sheet", sheets, ["state", "expense_line_ids"], company_ids=scope.company_ids
        ):
            if sheet["state"] == "draft" and sheet["expense_line_ids"]:
                self.resolver.call(
                    "hr.expense.sheet", "action_submit_sheet", [int(sheet["id"])], scope
                )
                submitted.update(dict.fromkeys(sheet["expense_line_ids"], int(sheet["id"])))
        return submitted


def _changed(row: dict[str, Any], values: dict[str, Any]) -> bool:
    for column, want in values.items():
        if column == "sheet_id/.id":
            continue
        if column.endswith("/.id"):
            if m2o(row.get(column.removesuffix("/.id"))) != want:
                return True
        elif column == "date":
            if row["date"] != want.isoformat():
                return True
        elif column == "total_amount_currency":
            if to_decimal(row[column]) != Decimal(want):
                return True
        elif column == "analytic_distribution":
            have = {str(k): to_decimal(v) for k, v in (row[column] or {}).items()}
            wanted = {k: to_decimal(v) for k, v in (json.loads(want) if want else {}).items()}
            if have != wanted:
                return True
        elif (row.get(column) or "") != want:
            return True
    return False
