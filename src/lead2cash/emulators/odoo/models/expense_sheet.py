"""``hr.expense.sheet`` (17 and 18; removed in 19): expense reports and their workflow."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import expense_accounting, money
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import public
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.orm.read import ids_of
from lead2cash.emulators.odoo.versions import VersionSpec

SHEET_STATES = [
    ("draft", "Draft"),
    ("submit", "Submitted"),
    ("approve", "Approved"),
    ("post", "Posted"),
    ("done", "Done"),
    ("cancel", "Refused"),
]
#: sheet state -> state of its expenses
EXPENSE_STATE = {
    "draft": "reported",
    "submit": "submitted",
    "approve": "approved",
    "post": "approved",
    "done": "done",
    "cancel": "refused",
}


class HrExpenseSheet(Model):
    _name = "hr.expense.sheet"
    _description = "Expense Report"
    _order = "accounting_date desc, id desc"
    _versions = (17, 18)

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Expense Report Summary", required=True),
            "employee_id": f.Many2one("hr.employee", "Employee", required=True, index=True),
            "expense_line_ids": f.One2many("hr.expense", "sheet_id", "Expense Lines"),
            "state": f.SelectionField(SHEET_STATES, "Status", default="draft", readonly=True),
            "approval_state": f.SelectionField(
                [("submit", "Submitted"), ("approve", "Approved"), ("cancel", "Refused")],
                "Approval State",
            ),
            "payment_state": f.SelectionField(
                lambda env: env.spec.move_payment_states,
                "Payment Status",
                store=False,
                compute="_compute_payment_state",
            ),
            "total_amount": f.Monetary("Total", store=False, compute="_compute_total"),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, default=lambda e: e.company_id
            ),
            "currency_id": f.Many2one("res.currency", "Currency", related="company_id.currency_id"),
            "accounting_date": f.Date("Accounting Date"),
            "account_move_ids": f.One2many("account.move", "expense_sheet_id", "Journal Entries"),
        }

    def _lines(self, sid: int) -> list[int]:
        return self._children("hr.expense", "sheet_id", sid)

    def _compute_total(self, ids: list[int]) -> dict[int, Any]:
        expenses = self.env.db.table("hr.expense")
        return {
            i: sum((money.dec(expenses[e].get("total_amount")) for e in self._lines(i)), Decimal(0))
            for i in ids
        }

    def _moves(self, sid: int) -> list[int]:
        return self._children("account.move", "expense_sheet_id", sid)

    def _compute_payment_state(self, ids: list[int]) -> dict[int, Any]:
        moves = self.env.db.table("account.move")
        out: dict[int, Any] = {}
        for i in ids:
            states = [moves[m].get("payment_state") for m in self._moves(i) if m in moves]
            out[i] = states[0] if states else "not_paid"
        return out

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._sync(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        self._sync(ids)

    def _sync(self, ids: list[int]) -> None:
        expenses = self.env.sudo()["hr.expense"]
        for i in ids:
            state = EXPENSE_STATE[self._row(i).get("state") or "draft"]
            expenses._store(self._lines(i), {"state": state})

    def _set(self, ids: list[int], state: str, **extra: Any) -> None:
        self._store(ids, {"state": state, **extra})
        self._sync(ids)

    @public
    def action_submit_sheet(self, ids: Sequence[int]) -> None:
        sheet_ids = ids_of(ids)
        self._check_model_access("write")
        for i in sheet_ids:
            if not self._lines(i):
                raise errors.UserError("You cannot submit an expense report without expenses.")
        self._set(sheet_ids, "submit", approval_state="submit")

    @public
    def action_approve_expense_sheets(self, ids: Sequence[int]) -> None:
        sheet_ids = ids_of(ids)
        self._check_model_access("write")
        for i in sheet_ids:
            if self._row(i).get("state") != "submit":
                raise errors.UserError("You can only approve a submitted expense report.")
        self._set(sheet_ids, "approve", approval_state="approve")
        if self.env.spec.major >= 18:
            for i in sheet_ids:
                self._create_moves(i, post=False)

    def _create_moves(self, sid: int, *, post: bool) -> None:
        employees = self.env.db.table("hr.employee")
        row = self._row(sid)
        employee = employees.get(row["employee_id"], {})
        if not employee.get("work_email"):
            raise errors.RedirectWarning(
                "The work email of some employees is missing. Please add it on the employee form",
                0,
                "Go to the employee",
                None,
            )
        expenses = self.env.db.table("hr.expense")
        lines = self._lines(sid)
        own = [e for e in lines if expenses[e].get("payment_mode") != "company_account"]
        company = [e for e in lines if e not in own]
        moves: list[int] = []
        if own:
            moves += expense_accounting.receipts(
                self.env, own, row.get("accounting_date"), post=post, grouped=True
            )
        if company:
            moves.append(expense_accounting.pay_by_company(self.env, company))
        for move in moves:
            self.env.db.set("account.move", move, {"expense_sheet_id": sid})

    @public
    def action_sheet_move_create(self, ids: Sequence[int]) -> dict[str, Any]:
        if self.env.spec.major >= 18:
            raise errors.PythonError(
                "AttributeError",
                "The method 'hr.expense.sheet.action_sheet_move_create' does not exist",
            )
        sheet_ids = ids_of(ids)
        self._check_model_access("write")
        for i in sheet_ids:
            if self._row(i).get("state") != "approve":
                raise errors.UserError(
                    "You can only generate accounting entry for approved expense(s)."
                )
            self._create_moves(i, post=True)
            self._after_post(i)
        return {}

    @public
    def action_sheet_move_post(self, ids: Sequence[int]) -> None:
        if self.env.spec.major <= 17:
            raise errors.PythonError(
                "AttributeError",
                "The method 'hr.expense.sheet.action_sheet_move_post' does not exist",
            )
        sheet_ids = ids_of(ids)
        self._check_model_access("write")
        moves = self.env.sudo()["account.move"]
        for i in sheet_ids:
            if self._row(i).get("state") != "approve":
                raise errors.UserError(
                    "You can only generate accounting entry for approved expense(s)."
                )
            drafts = [m for m in self._moves(i) if moves._row(m).get("state") == "draft"]
            if drafts:
                moves.action_post(drafts)
            self._after_post(i)

    def _after_post(self, sid: int) -> None:
        expenses = self.env.db.table("hr.expense")
        lines = self._lines(sid)
        all_company = all(expenses[e].get("payment_mode") == "company_account" for e in lines)
        self._set([sid], "done" if all_company else "post", accounting_date=self.env.today_text())
        expense_accounting.reinvoice(self.env, lines)

    @public
    def action_register_payment(self, ids: Sequence[int]) -> dict[str, Any]:
        moves = [m for i in ids_of(ids) for m in self._moves(i)]
        action: dict[str, Any] = self.env["account.move"].action_register_payment(moves)
        return action
