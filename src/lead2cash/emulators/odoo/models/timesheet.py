"""``analytic`` + ``hr_timesheet`` + ``sale_timesheet``: ``account.analytic.line``.

A line with ``project_id`` is a timesheet. On create (``hr_timesheet``): the task's project is
taken, the company comes from the task or project, the analytic account from the project; the
employee is the given one if it is active in one of ``env.companies``, else the employee of
``user_id`` (default: the calling user) in those companies, else ValidationError "Timesheets
must be created with an active employee in the selected companies."; ``name`` defaults to
``'/'``. ``amount`` is ``-unit_amount * hourly_cost``. ``so_line`` is computed from the task,
the project or the employee map unless ``is_so_line_edited``. Invoiced lines (delivery policy,
invoice not cancelled) refuse changes of hours, employee, project, task, sale line or date,
and lines on a posted invoice cannot be deleted, with Odoo's messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import money
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.versions import VersionSpec

LOCKED_FIELDS = ("unit_amount", "employee_id", "project_id", "task_id", "so_line", "date")
INVOICE_TYPES = [
    ("billable_time", "Billed on Timesheets"),
    ("billable_fixed", "Billed at a Fixed price"),
    ("billable_milestones", "Billed on Milestones"),
    ("billable_manual", "Billed Manually"),
    ("non_billable", "Non Billable Tasks"),
    ("timesheet_revenues", "Timesheet Revenues"),
    ("service_revenues", "Service Revenues"),
    ("other_revenues", "Other revenues"),
    ("other_costs", "Other costs"),
]


class AccountAnalyticLine(Model):
    _name = "account.analytic.line"
    _description = "Analytic Line"
    _order = "date desc, id desc"
    _company_checked = ("project_id", "task_id", "employee_id")

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Description", required=True),
            "date": f.Date("Date", required=True, index=True, default=lambda e: e.today_text()),
            "unit_amount": f.Float("Quantity", default=Decimal(0)),
            "amount": f.Monetary("Amount", default=Decimal(0)),
            "account_id": f.Many2one("account.analytic.account", "Project Account", index=True),
            "partner_id": f.Many2one("res.partner", "Partner"),
            "user_id": f.Many2one("res.users", "User", index=True),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, default=lambda e: e.company_id
            ),
            "currency_id": f.Many2one("res.currency", "Currency", related="company_id.currency_id"),
            "product_id": f.Many2one("product.product", "Product"),
            "product_uom_id": f.Many2one("uom.uom", "Unit"),
            "ref": f.Char("Ref."),
            "project_id": f.Many2one("project.project", "Project", index=True),
            "task_id": f.Many2one("project.task", "Task", index=True),
            "employee_id": f.Many2one("hr.employee", "Employee", index=True),
            "so_line": f.Many2one("sale.order.line", "Sales Order Item", index=True),
            "order_id": f.Many2one("sale.order", "Sales Order", related="so_line.order_id"),
            "is_so_line_edited": f.Boolean("Is Sales Order Item Manually Edited", default=False),
            "timesheet_invoice_id": f.Many2one("account.move", "Invoice", index=True, copy=False),
            "timesheet_invoice_type": f.SelectionField(
                INVOICE_TYPES, "Billable Type", readonly=True, compute="_invoice_type"
            ),
        }
        if spec.major >= 18:
            fields["milestone_id"] = f.Many2one(
                "project.milestone", "Milestone", related="task_id.milestone_id"
            )
        return fields

    # -- create ------------------------------------------------------------------------------

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        env = self.env
        projects = env.db.table("project.project")
        tasks = env.db.table("project.task")
        employees = env.db.table("hr.employee")
        account_field = env.spec.project_account_field
        companies = set(env.company_ids)
        default_user = env.uid
        hours = env.server.xmlid_lookup("uom.product_uom_hour")
        by_user: dict[int, dict[int, int]] = {}
        for eid, row in employees.items():
            if (
                row.get("active", True)
                and row.get("user_id")
                and row.get("company_id") in companies
            ):
                by_user.setdefault(row["user_id"], {}).setdefault(row["company_id"], eid)
        message = "Timesheets must be created with an active employee in the selected companies."
        for vals in vals_list:
            task = tasks.get(vals.get("task_id"))
            if task is not None:
                if not task.get("project_id"):
                    raise errors.ValidationError("Timesheets cannot be created on a private task.")
                vals.setdefault("project_id", task["project_id"])
            project = projects.get(vals.get("project_id"))
            if task is None and project is None:
                continue
            company = (
                (task or {}).get("company_id")
                or (project or {}).get("company_id")
                or vals.get("company_id")
            )
            vals["company_id"] = company or env.company_id
            if project is not None and not vals.get("account_id"):
                vals["account_id"] = project.get(account_field)
            if not vals.get("product_uom_id") and hours is not None:
                vals["product_uom_id"] = hours[1]
            if not vals.get("name"):
                vals["name"] = "/"
            employee = vals.get("employee_id") or env.context.get("default_employee_id")
            if employee:
                employee_row = employees.get(employee)
                if (
                    employee_row is None
                    or not employee_row.get("active", True)
                    or employee_row.get("company_id") not in companies
                ):
                    raise errors.ValidationError(message)
                vals["employee_id"] = employee
                vals["user_id"] = employee_row.get("user_id") or False
                continue
            user = vals.get("user_id") or default_user
            per_company = by_user.get(user, {})
            found: int | None
            if len(per_company) == 1:
                found = next(iter(per_company.values()))
            else:
                found = per_company.get(vals.get("company_id") or env.company_id)
            if not found:
                raise errors.ValidationError(message)
            vals["employee_id"] = found
            vals["user_id"] = user

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        table = self._table()
        timesheets = [i for i in ids if table[i].get("project_id")]
        if not timesheets:
            return
        automatic = [
            i
            for i, vals in zip(ids, vals_list, strict=True)
            if i in timesheets and "so_line" not in vals
        ]
        self._refresh_so_line(automatic)
        self._refresh_amount(timesheets)
        self._mark_lines(timesheets)
        self._recompute_type(timesheets)

    # -- write -------------------------------------------------------------------------------

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if any(name in vals for name in LOCKED_FIELDS) and self._invoiced(ids):
            raise errors.UserError("You cannot modify timesheets that are already invoiced.")
        if vals.get("employee_id"):
            row = self.env.db.table("hr.employee").get(vals["employee_id"])
            if row is not None and not row.get("active", True):
                raise errors.UserError(
                    "You cannot set an archived employee on existing timesheets."
                )
        if "name" in vals and not vals["name"]:
            vals["name"] = "/"
        if "so_line" in vals:
            vals.setdefault("is_so_line_edited", True)
        self._old_lines = self._lines_of(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if {"task_id", "project_id", "employee_id"} & set(vals) and "so_line" not in vals:
            table = self._table()
            self._refresh_so_line(
                [
                    i
                    for i in ids
                    if not table[i].get("is_so_line_edited")
                    and not table[i].get("timesheet_invoice_id")
                ]
            )
        if {"unit_amount", "employee_id"} & set(vals):
            self._refresh_amount(ids)
        touched = set(getattr(self, "_old_lines", set())) | self._lines_of(ids)
        self.env.server.mark("sale.order.line", "_recompute_qty", sorted(touched))
        self._recompute_type(ids)

    def _before_unlink(self, ids: list[int]) -> None:
        moves = self.env.db.table("account.move")
        table = self._table()
        for i in ids:
            invoice = moves.get(table[i].get("timesheet_invoice_id"))
            if invoice and invoice.get("state") == "posted":
                raise errors.UserError(
                    "You cannot remove a timesheet that has already been invoiced."
                )
        self.env.server.mark("sale.order.line", "_recompute_qty", sorted(self._lines_of(ids)))

    # -- helpers -----------------------------------------------------------------------------

    def _lines_of(self, ids: Iterable[int]) -> set[int]:
        table = self._table()
        return {table[i]["so_line"] for i in ids if i in table and table[i].get("so_line")}

    def _mark_lines(self, ids: list[int]) -> None:
        self.env.server.mark("sale.order.line", "_recompute_qty", sorted(self._lines_of(ids)))

    def _invoiced(self, ids: list[int]) -> bool:
        table = self._table()
        moves = self.env.db.table("account.move")
        products = self.env.sudo()["product.product"]
        lines = self.env.db.table("sale.order.line")
        delivery = False
        for i in ids:
            line = lines.get(table[i].get("so_line"))
            if (
                line
                and line.get("product_id")
                and products._get(line["product_id"], "invoice_policy") == "delivery"
            ):
                delivery = True
        if not delivery:
            return False
        return any(
            (move := moves.get(table[i].get("timesheet_invoice_id"))) is not None
            and move.get("state") != "cancel"
            for i in ids
        )

    def _refresh_so_line(self, ids: list[int]) -> None:
        """``_compute_so_line``: task line, project line, or the employee map's line."""
        env = self.env
        table = self._table()
        projects = env.db.table("project.project")
        tasks = env.db.table("project.task")
        maps = env.db.table("project.sale.line.employee.map")
        changed: list[int] = []
        for i in ids:
            row = table[i]
            if row.get("timesheet_invoice_id"):
                continue
            project = projects.get(row.get("project_id")) or {}
            task = tasks.get(row.get("task_id")) or {}
            line = None
            if project.get("allow_billable"):
                mapped = [
                    m
                    for m in maps.values()
                    if m.get("project_id") == row.get("project_id")
                    and m.get("employee_id") == row.get("employee_id")
                ]
                if mapped and mapped[0].get("sale_line_id"):
                    line = mapped[0]["sale_line_id"]
                elif task.get("sale_line_id"):
                    line = task["sale_line_id"]
                elif project.get("sale_line_id"):
                    line = project["sale_line_id"]
            if row.get("so_line") != line:
                before = row.get("so_line")
                env.db.set(self._name, i, {"so_line": line})
                changed.append(i)
                if before:
                    env.server.mark("sale.order.line", "_recompute_qty", [before])
        if changed:
            self._mark_lines(changed)
            self._recompute_type(changed)

    def _refresh_amount(self, ids: list[int]) -> None:
        env = self.env
        table = self._table()
        employees = env.db.table("hr.employee")
        companies = env.db.table("res.company")
        for i in ids:
            row = table[i]
            if not row.get("project_id"):
                continue
            cost = money.dec(employees.get(row.get("employee_id"), {}).get("hourly_cost"))
            currency = companies.get(row.get("company_id"), {}).get("currency_id")
            amount = money.round_currency(env, currency, -money.dec(row.get("unit_amount")) * cost)
            if row.get("amount") != amount:
                env.db.set(self._name, i, {"amount": amount})

    def _recompute_type(self, ids: list[int]) -> None:
        table = self._table()
        lines = self.env.db.table("sale.order.line")
        products = self.env.sudo()["product.product"]
        for i in ids:
            row = table.get(i)
            if row is None or not row.get("project_id"):
                continue
            line = lines.get(row.get("so_line"))
            kind = "non_billable"
            if line and line.get("product_id"):
                policy = products._get(line["product_id"], "service_policy")
                kind = {
                    "delivered_timesheet": "billable_time",
                    "ordered_prepaid": "billable_fixed",
                    "delivered_milestones": "billable_milestones",
                    "delivered_manual": "billable_manual",
                }.get(policy or "", "billable_manual")
            if row.get("timesheet_invoice_type") != kind:
                self.env.db.set(self._name, i, {"timesheet_invoice_type": kind})

    def _invoice_type(self, ids: list[int]) -> dict[int, Any]:
        return {i: self._row(i).get("timesheet_invoice_type") for i in ids}


MODELS: list[type[Model]] = [AccountAnalyticLine]
