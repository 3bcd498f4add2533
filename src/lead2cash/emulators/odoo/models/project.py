"""``project``, ``hr_timesheet``, ``sale_project``, ``sale_timesheet``: projects, tasks,
milestones, stages, analytic plans and accounts.

- The project's analytic account is ``analytic_account_id`` (17) or ``account_id`` (18/19);
  a project with timesheets gets one on creation when it has none.
- ``partner_id`` is cleared unless ``allow_billable`` (sale_project ``_compute_partner_id``).
- 18+: linking a project to a line of a draft quotation confirms the quotation.
- A milestone's ``quantity_percentage`` (0-1) and ``product_uom_qty`` follow each other;
  reaching it (``is_reached``) updates the sale line's delivered quantity.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import money
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import public
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.orm.read import ids_of
from lead2cash.emulators.odoo.versions import VersionSpec

TASK_STATES = [
    ("01_in_progress", "In Progress"),
    ("02_changes_requested", "Changes Requested"),
    ("03_approved", "Approved"),
    ("1_done", "Done"),
    ("1_canceled", "Cancelled"),
    ("04_waiting_normal", "Waiting"),
]


def _first(env: Env, model: str) -> int | None:
    table = env.db.table(model)
    ranked = sorted(
        (row.get("sequence") or 0, rid) for rid, row in table.items() if not row.get("fold")
    )
    return ranked[0][1] if ranked else None


def _projects_plan(env: Env) -> int | None:
    found = env.server.xmlid_lookup("analytic.analytic_plan_projects")
    return found[1] if found else None


class AccountAnalyticPlan(Model):
    _name = "account.analytic.plan"
    _description = "Analytic Plans"
    _order = "sequence asc, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Name", required=True),
            "sequence": f.Integer("Sequence", default=10),
            "parent_id": f.Many2one("account.analytic.plan", "Parent"),
            "default_applicability": f.SelectionField(
                [
                    ("optional", "Optional"),
                    ("mandatory", "Mandatory"),
                    ("unavailable", "Unavailable"),
                ],
                "Default Applicability",
                default="optional",
            ),
        }


class AccountAnalyticAccount(Model):
    _name = "account.analytic.account"
    _description = "Analytic Account"
    _order = "plan_id, name asc"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Analytic Account", required=True, index=True),
            "code": f.Char("Reference", index=True),
            "active": f.Boolean("Active", default=True),
            "plan_id": f.Many2one("account.analytic.plan", "Plan", default=_projects_plan),
            "company_id": f.Many2one("res.company", "Company", default=lambda e: e.company_id),
            "partner_id": f.Many2one("res.partner", "Customer"),
            "currency_id": f.Many2one("res.currency", "Currency", related="company_id.currency_id"),
            "line_ids": f.One2many("account.analytic.line", "account_id", "Analytic Lines"),
            "balance": f.Monetary("Balance", store=False, compute="_compute_balance"),
        }

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        out = {}
        for i in ids:
            row = table[i]
            name = str(row.get("name") or "")
            out[i] = f"[{row['code']}] {name}" if row.get("code") else name
        return out

    def _compute_balance(self, ids: list[int]) -> dict[int, Any]:
        lines = self.env.db.table("account.analytic.line")
        return {
            i: sum(
                (
                    money.dec(lines[x].get("amount"))
                    for x in self._children("account.analytic.line", "account_id", i)
                ),
                Decimal(0),
            )
            for i in ids
        }


class ProjectProjectStage(Model):
    _name = "project.project.stage"
    _description = "Project Stage"
    _order = "sequence, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Name", required=True),
            "sequence": f.Integer("Sequence", default=50),
            "fold": f.Boolean("Folded", default=False),
            "active": f.Boolean("Active", default=True),
        }


class ProjectTaskType(Model):
    _name = "project.task.type"
    _description = "Task Stage"
    _order = "sequence, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Name", required=True),
            "sequence": f.Integer("Sequence", default=1),
            "fold": f.Boolean("Folded", default=False),
            "active": f.Boolean("Active", default=True),
            "project_ids": f.Many2many("project.project", "Projects"),
        }


class ProjectProject(Model):
    _name = "project.project"
    _description = "Project"
    _order = "sequence, name, id"
    _company_checked = ("partner_id", "sale_line_id")

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Name", required=True, index=True),
            "active": f.Boolean("Active", default=True),
            "sequence": f.Integer("Sequence", default=10),
            "description": f.Html("Description"),
            "partner_id": f.Many2one("res.partner", "Customer", index=True),
            "company_id": f.Many2one(
                "res.company", "Company", index=True, default=lambda e: e.company_id
            ),
            "currency_id": f.Many2one("res.currency", "Currency", related="company_id.currency_id"),
            spec.project_account_field: f.Many2one(
                "account.analytic.account", "Analytic Account", index=True
            ),
            "user_id": f.Many2one("res.users", "Project Manager", default=lambda e: e.uid),
            "date_start": f.Date("Start Date"),
            "date": f.Date("Expiration Date"),
            "stage_id": f.Many2one(
                "project.project.stage",
                "Stage",
                default=lambda e: _first(e, "project.project.stage"),
            ),
            "type_ids": f.Many2many(
                "project.task.type", "Tasks Stages", store=False, compute="_compute_type_ids"
            ),
            "allow_timesheets": f.Boolean("Timesheets", default=True),
            "allow_milestones": f.Boolean("Milestones", default=False),
            "allow_billable": f.Boolean("Billable", default=False),
            "privacy_visibility": f.SelectionField(
                [
                    ("followers", "Invited internal users"),
                    ("employees", "All internal users"),
                    ("portal", "Invited portal users and all internal users"),
                ],
                "Visibility",
                default="portal",
            ),
            "sale_line_id": f.Many2one("sale.order.line", "Sales Order Item", index=True),
            "sale_order_id": f.Many2one(
                "sale.order", "Sales Order", store=False, compute="_compute_sale_order"
            ),
            "task_ids": f.One2many("project.task", "project_id", "Tasks"),
            "milestone_ids": f.One2many("project.milestone", "project_id", "Milestones"),
            "timesheet_ids": f.One2many("account.analytic.line", "project_id", "Timesheets"),
            "task_count": f.Integer("Task Count", store=False, compute="_compute_task_count"),
            "sale_line_employee_ids": f.One2many(
                "project.sale.line.employee.map", "project_id", "Sale line/Employee map"
            ),
            "pricing_type": f.SelectionField(
                [
                    ("task_rate", "Task rate"),
                    ("fixed_rate", "Project rate"),
                    ("employee_rate", "Employee rate"),
                ],
                "Pricing",
                store=False,
                compute="_compute_pricing_type",
            ),
            "total_timesheet_time": f.Float(
                "Total Timesheet Time", store=False, compute="_compute_total_time"
            ),
        }
        if spec.major >= 18:
            fields["reinvoiced_sale_order_id"] = f.Many2one("sale.order", "Sales Order")
        if spec.major >= 19:
            fields["is_template"] = f.Boolean("Is Template", default=False)
        return fields

    def _compute_type_ids(self, ids: list[int]) -> dict[int, Any]:
        stages = self.env.db.table("project.task.type")
        return {
            i: tuple(s for s, row in stages.items() if i in (row.get("project_ids") or ()))
            for i in ids
        }

    def _compute_sale_order(self, ids: list[int]) -> dict[int, Any]:
        lines = self.env.db.table("sale.order.line")
        out: dict[int, Any] = {}
        for i in ids:
            line = lines.get(self._row(i).get("sale_line_id"))
            out[i] = line.get("order_id") if line else None
        return out

    def _compute_task_count(self, ids: list[int]) -> dict[int, Any]:
        return {i: len(self._children("project.task", "project_id", i)) for i in ids}

    def _compute_pricing_type(self, ids: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for i in ids:
            if self._children("project.sale.line.employee.map", "project_id", i):
                out[i] = "employee_rate"
            elif self._row(i).get("sale_line_id"):
                out[i] = "fixed_rate"
            else:
                out[i] = "task_rate"
        return out

    def _compute_total_time(self, ids: list[int]) -> dict[int, Any]:
        lines = self.env.db.table("account.analytic.line")
        return {
            i: sum(
                (
                    money.dec(lines[x].get("unit_amount"))
                    for x in self._children("account.analytic.line", "project_id", i)
                ),
                Decimal(0),
            )
            for i in ids
        }

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        for vals in vals_list:
            if not vals.get("allow_billable", False):
                vals["partner_id"] = False

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._ensure_account(ids)
        self._link_sale_lines(ids)

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if "allow_billable" in vals and not vals["allow_billable"]:
            vals["partner_id"] = False
        elif "partner_id" in vals and "allow_billable" not in vals:
            for i in ids:
                if not self._row(i).get("allow_billable"):
                    vals["partner_id"] = False

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if "allow_timesheets" in vals:
            self._ensure_account(ids)
        if "sale_line_id" in vals:
            self._link_sale_lines(ids)
            lines = [t for i in ids for p in [i] for t in self._timesheets_without_line(p)]
            if lines:
                self.env.sudo()["account.analytic.line"]._refresh_so_line(lines)

    def _timesheets_without_line(self, project: int) -> list[int]:
        table = self.env.db.table("account.analytic.line")
        return [
            t
            for t in self._children("account.analytic.line", "project_id", project)
            if not table[t].get("timesheet_invoice_id") and not table[t].get("is_so_line_edited")
        ]

    def _ensure_account(self, ids: list[int]) -> None:
        field = self.env.spec.project_account_field
        accounts = self.env.sudo()["account.analytic.account"]
        for i in ids:
            row = self._row(i)
            if not row.get("allow_timesheets") or row.get(field):
                continue
            [account] = accounts._create(
                [
                    {
                        "name": row.get("name"),
                        "company_id": row.get("company_id"),
                        "partner_id": row.get("partner_id"),
                        "plan_id": _projects_plan(self.env),
                    }
                ]
            )
            self.env.db.set(self._name, i, {field: account})

    def _link_sale_lines(self, ids: list[int]) -> None:
        if self.env.spec.major < 18:
            return
        lines = self.env.db.table("sale.order.line")
        orders = self.env.db.table("sale.order")
        drafts: set[int] = set()
        for i in ids:
            line = lines.get(self._row(i).get("sale_line_id"))
            if line and orders[line["order_id"]].get("state") in ("draft", "sent"):
                drafts.add(line["order_id"])
        if drafts:
            self.env.sudo()["sale.order"].action_confirm(sorted(drafts))

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        field = self.env.spec.project_account_field
        for i in ids:
            row = self._row(i)
            if row.get("allow_timesheets") and not row.get(field):
                raise errors.ValidationError(
                    "You cannot use timesheets without an analytic account."
                )


class ProjectTask(Model):
    _name = "project.task"
    _description = "Task"
    _order = "priority desc, sequence, date_deadline asc, id desc"
    _company_checked = ("project_id", "partner_id", "sale_line_id")

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Title", required=True, index=True),
            "active": f.Boolean("Active", default=True),
            "priority": f.SelectionField([("0", "Low"), ("1", "High")], "Priority", default="0"),
            "sequence": f.Integer("Sequence", default=10),
            "description": f.Html("Description"),
            "project_id": f.Many2one("project.project", "Project", index=True),
            "partner_id": f.Many2one("res.partner", "Customer"),
            "company_id": f.Many2one("res.company", "Company", index=True),
            "user_ids": f.Many2many("res.users", "Assignees"),
            "stage_id": f.Many2one("project.task.type", "Stage"),
            "state": f.SelectionField(TASK_STATES, "State", default="01_in_progress"),
            "date_deadline": f.Datetime("Deadline"),
            "allocated_hours": f.Float("Allocated Time", default=Decimal(0)),
            "milestone_id": f.Many2one("project.milestone", "Milestone", index=True),
            "parent_id": f.Many2one("project.task", "Parent Task", index=True),
            "child_ids": f.One2many("project.task", "parent_id", "Sub-tasks"),
            "sale_line_id": f.Many2one("sale.order.line", "Sales Order Item", index=True),
            "sale_order_id": f.Many2one("sale.order", "Sales Order", index=True),
            "allow_billable": f.Boolean("Can be billed", related="project_id.allow_billable"),
            "timesheet_ids": f.One2many("account.analytic.line", "task_id", "Timesheets"),
            "effective_hours": f.Float("Time Spent", store=False, compute="_compute_effective"),
            "remaining_hours": f.Float("Time Remaining", store=False, compute="_compute_remaining"),
        }
        if spec.major >= 19:
            fields["is_template"] = f.Boolean("Is Template", default=False)
        return fields

    def _compute_effective(self, ids: list[int]) -> dict[int, Any]:
        lines = self.env.db.table("account.analytic.line")
        return {
            i: sum(
                (
                    money.dec(lines[x].get("unit_amount"))
                    for x in self._children("account.analytic.line", "task_id", i)
                ),
                Decimal(0),
            )
            for i in ids
        }

    def _compute_remaining(self, ids: list[int]) -> dict[int, Any]:
        spent = self._compute_effective(ids)
        return {i: money.dec(self._row(i).get("allocated_hours")) - spent[i] for i in ids}

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        projects = self.env.db.table("project.project")
        for vals in vals_list:
            project = projects.get(vals.get("project_id"))
            if project is None:
                continue
            vals.setdefault("company_id", project.get("company_id"))
            if "stage_id" not in vals:
                stages = self.env["project.project"]._compute_type_ids([vals["project_id"]])
                ordered = sorted(stages[vals["project_id"]])
                if ordered:
                    vals["stage_id"] = ordered[0]
            if (
                "sale_line_id" not in vals
                and project.get("sale_line_id")
                and project.get("allow_billable")
            ):
                vals["sale_line_id"] = project["sale_line_id"]
            if not vals.get("partner_id") and project.get("partner_id"):
                vals["partner_id"] = project["partner_id"]

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._sync_order(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if "sale_line_id" in vals:
            self._sync_order(ids)
            timesheets = self.env.db.table("account.analytic.line")
            todo = [
                t
                for i in ids
                for t in self._children("account.analytic.line", "task_id", i)
                if not timesheets[t].get("timesheet_invoice_id")
                and not timesheets[t].get("is_so_line_edited")
            ]
            if todo:
                self.env.sudo()["account.analytic.line"]._refresh_so_line(todo)

    def _sync_order(self, ids: list[int]) -> None:
        lines = self.env.db.table("sale.order.line")
        for i in ids:
            line = lines.get(self._row(i).get("sale_line_id"))
            order = line.get("order_id") if line else None
            if self._row(i).get("sale_order_id") != order and order:
                self.env.db.set(self._name, i, {"sale_order_id": order})


class ProjectMilestone(Model):
    _name = "project.milestone"
    _description = "Project Milestone"
    _order = "sequence, deadline, is_reached desc, name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Name", required=True),
            "sequence": f.Integer("Sequence", default=10),
            "project_id": f.Many2one(
                "project.project", "Project", required=True, index=True, ondelete="cascade"
            ),
            "deadline": f.Date("Deadline"),
            "is_reached": f.Boolean("Reached", default=False),
            "reached_date": f.Date("Reached Date", readonly=True),
            "task_ids": f.One2many("project.task", "milestone_id", "Tasks"),
            "sale_line_id": f.Many2one("sale.order.line", "Sales Order Item", index=True),
            "quantity_percentage": f.Float("Quantity (%)", default=Decimal(0)),
            "product_uom_qty": f.Float("Quantity", default=Decimal(0)),
            spec.milestone_uom_field: f.Many2one(
                "uom.uom", "Unit", related=f"sale_line_id.{spec.sol_uom_field}"
            ),
            "company_id": f.Many2one("res.company", "Company", related="project_id.company_id"),
        }

    def _line_qty(self, line_id: int | None) -> Decimal:
        line = self.env.db.table("sale.order.line").get(line_id)
        return money.dec(line.get("product_uom_qty")) if line else Decimal(0)

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        for vals in vals_list:
            self._balance(vals, None)
            if vals.get("is_reached"):
                vals.setdefault("reached_date", self.env.today_text())

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        for i in ids:
            self._balance(vals, self._row(i).get("sale_line_id"))
        if "is_reached" in vals:
            vals["reached_date"] = self.env.today_text() if vals["is_reached"] else False

    def _balance(self, vals: dict[str, Any], current_line: int | None) -> None:
        line = vals.get("sale_line_id", current_line)
        ordered = self._line_qty(line)
        if "product_uom_qty" in vals and "quantity_percentage" not in vals and ordered:
            share = money.dec(vals["product_uom_qty"]) / ordered
            vals["quantity_percentage"] = float(share)
        elif "quantity_percentage" in vals and "product_uom_qty" not in vals:
            vals["product_uom_qty"] = float(money.dec(vals["quantity_percentage"]) * ordered)

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._touch_lines(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        self._touch_lines(ids)

    def _before_unlink(self, ids: list[int]) -> None:
        self._touch_lines(ids)

    def _touch_lines(self, ids: list[int]) -> None:
        lines = {self._row(i).get("sale_line_id") for i in ids}
        self.env.server.mark("sale.order.line", "_recompute_qty", [x for x in lines if x])

    def _recompute_quantity(self, ids: list[int]) -> None:
        for i in ids:
            row = self._row(i)
            ordered = self._line_qty(row.get("sale_line_id"))
            share = money.dec(row.get("quantity_percentage"))
            self._store([i], {"product_uom_qty": (share * ordered).quantize(Decimal("0.01"))})

    @public
    def toggle_is_reached(self, ids: Sequence[int], is_reached: bool) -> bool:
        self._check_model_access("write")
        self._write(ids_of(ids), {"is_reached": bool(is_reached)})
        return True


class ProjectSaleLineEmployeeMap(Model):
    _name = "project.sale.line.employee.map"
    _description = "Project Sales line, employee mapping"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "project_id": f.Many2one(
                "project.project", "Project", required=True, index=True, ondelete="cascade"
            ),
            "employee_id": f.Many2one("hr.employee", "Employee", required=True),
            "sale_line_id": f.Many2one("sale.order.line", "Sales Order Item"),
            "price_unit": f.Float("Unit Price", store=False, compute="_compute_price"),
            "cost": f.Monetary("Cost", default=Decimal(0)),
            "currency_id": f.Many2one("res.currency", "Currency"),
        }

    def _compute_price(self, ids: list[int]) -> dict[int, Any]:
        lines = self.env.db.table("sale.order.line")
        return {i: lines.get(self._row(i).get("sale_line_id"), {}).get("price_unit") for i in ids}


MODELS: list[type[Model]] = [
    AccountAnalyticPlan,
    AccountAnalyticAccount,
    ProjectProjectStage,
    ProjectTaskType,
    ProjectProject,
    ProjectTask,
    ProjectMilestone,
    ProjectSaleLineEmployeeMap,
]
