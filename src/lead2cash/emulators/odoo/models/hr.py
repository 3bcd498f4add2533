"""``hr``, ``hr_hourly_cost``, ``hr_expense``, ``sale_expense``: employees and expenses.

Expense workflows per version (reference §2.10):

- 17: ``hr.expense.action_submit_expenses`` makes a sheet; sheet ``action_submit_sheet`` →
  ``action_approve_expense_sheets`` → ``action_sheet_move_create`` (creates and posts the
  journal entry; needs the employee's ``work_email``, else RedirectWarning);
- 18: the same, approval already drafts the entry, ``action_sheet_move_post`` posts it;
- 19: no sheets; per expense ``action_submit`` → ``action_approve`` → ``action_post``
  (company-paid: a posted outbound payment; employee-paid: returns the
  ``hr.expense.post.wizard`` action, whose ``action_post_entry`` posts a receipt).

Posting re-invoices expenses with a ``sale_order_id`` and a product whose ``expense_policy`` is
``cost`` or ``sales_price``: a sale line with ``qty_delivered`` = the expense quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import expense_accounting, money
from lead2cash.emulators.odoo.models.expense_sheet import HrExpenseSheet
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import public
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.model import Model, TransientModel
from lead2cash.emulators.odoo.orm.read import ids_of
from lead2cash.emulators.odoo.versions import VersionSpec

ZERO = Decimal(0)


def _user_employee(env: Env) -> int | None:
    company = env.company_id
    for eid, row in env.db.table("hr.employee").items():
        if row.get("user_id") == env.uid and row.get("company_id") == company:
            return int(eid)
    return None


def _company_currency(env: Env) -> int:
    return int(env.db.table("res.company")[env.company_id]["currency_id"])


class HrDepartment(Model):
    _name = "hr.department"
    _description = "Department"
    _order = "name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Department Name", required=True),
            "company_id": f.Many2one("res.company", "Company", default=lambda e: e.company_id),
            "manager_id": f.Many2one("hr.employee", "Manager"),
            "active": f.Boolean("Active", default=True),
        }


def _employee_fields(spec: VersionSpec) -> dict[str, f.Field]:
    return {
        "name": f.Char("Employee Name", required=True, index=True),
        "active": f.Boolean("Active", default=True),
        "user_id": f.Many2one("res.users", "User", index=True),
        "company_id": f.Many2one(
            "res.company", "Company", required=True, index=True, default=lambda e: e.company_id
        ),
        "work_email": f.Char("Work Email"),
        "work_contact_id": f.Many2one("res.partner", "Work Contact"),
        "department_id": f.Many2one("hr.department", "Department"),
        "parent_id": f.Many2one("hr.employee", "Manager"),
        "job_title": f.Char("Job Title"),
    }


class HrEmployee(Model):
    _name = "hr.employee"
    _description = "Employee"
    _order = "name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields = _employee_fields(spec)
        fields.update(
            hourly_cost=f.Monetary("Hourly Cost", default=ZERO, groups="hr.group_hr_user"),
            currency_id=f.Many2one("res.currency", "Currency", related="company_id.currency_id"),
            employee_type=f.SelectionField(
                [
                    ("employee", "Employee"),
                    ("worker", "Worker"),
                    ("student", "Student"),
                    ("trainee", "Trainee"),
                    ("contractor", "Contractor"),
                    ("freelance", "Freelancer"),
                ],
                "Employee Type",
                default="employee",
            ),
            timesheet_ids=f.One2many("account.analytic.line", "employee_id", "Timesheets"),
        )
        return fields

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        users = self.env.db.table("res.users")
        partners = self.env.sudo()["res.partner"]
        for vals in vals_list:
            user = users.get(vals.get("user_id"))
            if user is not None:
                vals.setdefault("name", user.get("name"))
                vals.setdefault("work_email", user.get("email"))
                vals.setdefault("work_contact_id", user.get("partner_id"))
            if not vals.get("work_contact_id") and vals.get("name"):
                [pid] = partners._create(
                    [
                        {
                            "name": vals["name"],
                            "email": vals.get("work_email"),
                            "company_id": vals.get("company_id") or self.env.company_id,
                        }
                    ]
                )
                vals["work_contact_id"] = pid

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if "hourly_cost" in vals:
            lines = [
                t for i in ids for t in self._children("account.analytic.line", "employee_id", i)
            ]
            self.env.sudo()["account.analytic.line"]._refresh_amount(lines)

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        if not {"user_id", "company_id"} & names:
            return
        table = self._table()
        for i in ids:
            row = table[i]
            if not row.get("user_id"):
                continue
            same = [
                e
                for e, r in table.items()
                if r.get("user_id") == row["user_id"]
                and r.get("company_id") == row.get("company_id")
            ]
            if len(same) > 1:
                raise errors.ValidationError(
                    "A user cannot be linked to multiple employees in the same company."
                )


class HrEmployeePublic(Model):
    """``hr.employee.public``: a read-only view of the employees (no restricted fields)."""

    _name = "hr.employee.public"
    _description = "Public Employee"
    _order = "name"
    _log_access = False

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields = _employee_fields(spec)
        for field in fields.values():
            field.index = False  # the rows are hr.employee's: so are the indexes
        return fields

    def _table(self) -> dict[int, dict[str, Any]]:
        table: dict[int, dict[str, Any]] = self.env.db.table("hr.employee")
        return table


def _expense_states(env: Env) -> f.Selection:
    return env.spec.expense_states


class HrExpense(Model):
    _name = "hr.expense"
    _description = "Expense"
    _order = "date desc, id desc"
    _company_checked = ("employee_id", "sale_order_id")

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Description", required=True),
            "date": f.Date("Expense Date", default=lambda e: e.today_text()),
            "description": f.Text("Internal Notes"),
            "employee_id": f.Many2one(
                "hr.employee", "Employee", required=True, index=True, default=_user_employee
            ),
            "product_id": f.Many2one("product.product", "Category"),
            "quantity": f.Float("Quantity", default=Decimal(1)),
            "price_unit": f.Float("Unit Price", readonly=True),
            "total_amount_currency": f.Monetary("Total In Currency", default=ZERO),
            "total_amount": f.Monetary("Total", currency_field="company_currency_id", default=ZERO),
            "untaxed_amount_currency": f.Monetary("Total Untaxed Amount In Currency"),
            "tax_amount_currency": f.Monetary("Tax amount in Currency"),
            "tax_ids": f.Many2many("account.tax", "Included taxes"),
            "currency_id": f.Many2one("res.currency", "Currency", default=_company_currency),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, default=lambda e: e.company_id
            ),
            "company_currency_id": f.Many2one(
                "res.currency", "Report Company Currency", related="company_id.currency_id"
            ),
            "payment_mode": f.SelectionField(
                [("own_account", "Employee (to reimburse)"), ("company_account", "Company")],
                "Paid By",
                default="own_account",
            ),
            "state": f.SelectionField(_expense_states, "Status", default="draft", readonly=True),
            "sale_order_id": f.Many2one("sale.order", "Customer to Reinvoice"),
            "can_be_reinvoiced": f.Boolean(
                "Can be reinvoiced", store=False, compute="_compute_reinvoice"
            ),
            "analytic_distribution": f.Json("Analytic Distribution"),
            "account_id": f.Many2one("account.account", "Account"),
        }
        if spec.expense_sheets:
            fields["sheet_id"] = f.Many2one("hr.expense.sheet", "Expense Report", index=True)
        if spec.major >= 18:
            fields["vendor_id"] = f.Many2one("res.partner", "Vendor")
        if spec.major >= 19:
            fields["approval_state"] = f.SelectionField(
                [("submitted", "Submitted"), ("approved", "Approved"), ("refused", "Refused")],
                "Approval State",
            )
            fields["approval_date"] = f.Datetime("Approval Date")
            fields["account_move_id"] = f.Many2one("account.move", "Journal Entry")
            fields["untaxed_amount"] = f.Monetary("Untaxed Amount", store=False, compute="_untaxed")
            fields["amount_residual"] = f.Monetary("Amount Due", store=False, compute="_residual")
        return fields

    def _compute_reinvoice(self, ids: list[int]) -> dict[int, Any]:
        products = self.env.sudo()["product.product"]
        out: dict[int, Any] = {}
        for i in ids:
            product = self._row(i).get("product_id")
            out[i] = bool(product) and products._get(product, "expense_policy") in (
                "cost",
                "sales_price",
            )
        return out

    def _untaxed(self, ids: list[int]) -> dict[int, Any]:
        return {i: self._row(i).get("untaxed_amount_currency") for i in ids}

    def _residual(self, ids: list[int]) -> dict[int, Any]:
        moves = self.env.db.table("account.move")
        out: dict[int, Any] = {}
        for i in ids:
            move = moves.get(self._row(i).get("account_move_id"))
            out[i] = move.get("amount_residual") if move else self._row(i).get("total_amount")
        return out

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        for vals in vals_list:
            if not vals.get("name") and vals.get("product_id"):
                vals["name"] = self.env.sudo()["product.product"]._get(vals["product_id"], "name")

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._recompute(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if {
            "product_id",
            "quantity",
            "total_amount_currency",
            "tax_ids",
            "currency_id",
            "total_amount",
            "date",
        } & set(vals):
            self._recompute(
                ids, inverse="total_amount" in vals and "total_amount_currency" not in vals
            )

    def _recompute(self, ids: list[int], inverse: bool = False) -> None:
        env = self.env
        products = env.sudo()["product.product"]
        for i in ids:
            row = self._row(i)
            qty = money.dec(row.get("quantity")) or Decimal(1)
            currency = row.get("currency_id")
            company = row["company_id"]
            company_currency = env.db.table("res.company")[company]["currency_id"]
            cost = (
                money.dec(products._get(row["product_id"], "standard_price"))
                if row.get("product_id")
                else ZERO
            )
            if cost:
                total = money.round_currency(env, currency, cost * qty)
            elif inverse and currency != company_currency:
                total = money.convert(
                    env,
                    money.dec(row.get("total_amount")),
                    company_currency,
                    currency or company_currency,
                    company,
                    str(row.get("date") or env.today_text()),
                )
            elif inverse:
                total = money.dec(row.get("total_amount"))
            else:
                total = money.dec(row.get("total_amount_currency"))
            untaxed, tax = money.split_included(
                env, list(row.get("tax_ids") or ()), total, currency
            )
            company_total = money.convert(
                env,
                total,
                currency or company_currency,
                company_currency,
                company,
                row.get("date") or env.today_text(),
            )
            self._store(
                [i],
                {
                    "total_amount_currency": total,
                    "total_amount": company_total,
                    "price_unit": (total / qty).quantize(Decimal("0.0001")),
                    "untaxed_amount_currency": untaxed,
                    "tax_amount_currency": tax,
                },
            )

    def _set_state(self, ids: Sequence[int], state: str) -> None:
        self._store(ids, {"state": state})

    # -- 17/18 -------------------------------------------------------------------------------

    @public
    def action_submit_expenses(self, ids: Sequence[int]) -> dict[str, Any]:
        if not self.env.spec.expense_sheets:
            raise errors.PythonError(
                "AttributeError", "The method 'hr.expense.action_submit_expenses' does not exist"
            )
        expense_ids = ids_of(ids)
        self._check_model_access("write")
        rows = [self._row(i) for i in expense_ids]
        if any(r.get("sheet_id") for r in rows):
            raise errors.UserError("You cannot report twice the same line!")
        if len({r["employee_id"] for r in rows}) > 1:
            raise errors.UserError(
                "You cannot report expenses for different employees in the same report."
            )
        employee = self.env.db.table("hr.employee")[rows[0]["employee_id"]]
        sheets = self.env["hr.expense.sheet"]
        [sheet] = sheets._create(
            [
                {
                    "name": rows[0].get("name")
                    if len(rows) == 1
                    else f"{employee.get('name')} expenses",
                    "employee_id": rows[0]["employee_id"],
                    "company_id": rows[0]["company_id"],
                    "expense_line_ids": [(6, 0, expense_ids)],
                }
            ]
        )
        return {
            "name": "New Expense Reports",
            "type": "ir.actions.act_window",
            "res_model": "hr.expense.sheet",
            "views": [[False, "form"]],
            "res_id": sheet,
            "context": {},
        }

    # -- 19 ----------------------------------------------------------------------------------

    def _only_19(self, method: str) -> None:
        if self.env.spec.major < 19:
            raise errors.PythonError(
                "AttributeError", f"The method 'hr.expense.{method}' does not exist"
            )

    @public
    def action_submit(self, ids: Sequence[int]) -> None:
        self._only_19("action_submit")
        expense_ids = ids_of(ids)
        self._check_model_access("write")
        for i in expense_ids:
            if not self._row(i).get("product_id"):
                raise errors.UserError("You can not submit an expense without a category.")
        self._store(expense_ids, {"state": "submitted", "approval_state": "submitted"})

    @public
    def action_approve(self, ids: Sequence[int]) -> None:
        self._only_19("action_approve")
        expense_ids = ids_of(ids)
        self._check_model_access("write")
        self._store(
            expense_ids,
            {
                "state": "approved",
                "approval_state": "approved",
                "approval_date": self.env.now_text(),
            },
        )

    @public
    def action_post(self, ids: Sequence[int]) -> dict[str, Any] | None:
        self._only_19("action_post")
        expense_ids = ids_of(ids)
        self._check_model_access("write")
        for i in expense_ids:
            if self._row(i).get("state") != "approved":
                raise errors.UserError("You can only post approved expenses.")
        company_paid = [
            i for i in expense_ids if self._row(i).get("payment_mode") == "company_account"
        ]
        employee_paid = [i for i in expense_ids if i not in company_paid]
        for i in company_paid:
            payment = expense_accounting.pay_by_company(self.env, [i])
            self._store([i], {"state": "paid", "account_move_id": payment})
        if company_paid:
            expense_accounting.reinvoice(self.env, company_paid)
        if employee_paid:
            return {
                "name": "Post Expenses",
                "type": "ir.actions.act_window",
                "res_model": "hr.expense.post.wizard",
                "view_mode": "form",
                "target": "new",
                "context": {"active_model": "hr.expense", "active_ids": employee_paid},
            }
        return None


class HrExpensePostWizard(TransientModel):
    _name = "hr.expense.post.wizard"
    _description = "Expense Posting Wizard"
    _versions = (19,)

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "company_id": f.Many2one("res.company", "Company", default=lambda e: e.company_id),
            "accounting_date": f.Date("Accounting Date", default=lambda e: e.today_text()),
            "employee_journal_id": f.Many2one("account.journal", "Journal"),
        }

    @public
    def action_post_entry(self, ids: Sequence[int]) -> dict[str, Any]:
        expense_ids = [int(i) for i in self.env.context.get("active_ids") or []]
        if not self.env.server.access.allowed(self.env, "account.move", "create"):
            raise errors.UserError("You don't have the rights to create accounting entries.")
        wizard = self._row(ids_of(ids)[0])
        expenses = self.env.sudo()["hr.expense"]
        moves = expense_accounting.receipts(self.env, expense_ids, wizard.get("accounting_date"))
        for expense, move in zip(expense_ids, moves, strict=True):
            expenses._store([expense], {"state": "posted", "account_move_id": move})
        expense_accounting.reinvoice(self.env, expense_ids)
        action: dict[str, Any] = {"type": "ir.actions.act_window", "res_model": "account.move"}
        if len(moves) == 1:
            action.update(view_mode="form", res_id=moves[0])
        else:
            action.update(view_mode="list", domain=[["id", "in", moves]])
        return action


MODELS: list[type[Model]] = [
    HrDepartment,
    HrEmployee,
    HrEmployeePublic,
    HrExpense,
    HrExpensePostWizard,
    HrExpenseSheet,
]
