"""``sale_project``: projects, tasks and milestones generated when an order is confirmed
(``sale.order.line._timesheet_service_generation``, 17-19), by the product's
``service_tracking``:

- ``task_global_project``: a task in the product's project (or the order's ``project_id``);
  without one, UserError "A project must be defined on the quotation ... or on the form of
  products creating a task on order.";
- ``project_only``: one project per order (named after the order, plus the product when the
  order has a single such line), linked to the line (``sale_line_id``, billable);
- ``task_in_project``: the same project plus one task per line.

Lines and projects already linked (re-confirmation) are reused. 17 gives the order an analytic
account (``analytic_account_id``) shared by its projects; 18+ create one per project and, for
``delivered_milestones`` products, a milestone covering the whole line.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import money
from lead2cash.emulators.odoo.orm.env import Env

NEW_PROJECT = ("project_only", "task_in_project")
DEFAULT_STAGES = [
    ("To Do", False, 5),
    ("In Progress", False, 10),
    ("Done", False, 15),
    ("Cancelled", True, 20),
]


def generate(env: Env, order_ids: Sequence[int]) -> None:
    su = env.sudo()
    products = su["product.product"]
    lines = env.db.table("sale.order.line")
    orders = env.db.table("sale.order")
    projects = env.db.table("project.project")
    for oid in order_ids:
        order_lines = sorted(
            su["sale.order.line"]._children("sale.order.line", "order_id", oid),
            key=lambda lid: (lines[lid].get("sequence") or 0, lid),
        )
        services = [
            lid
            for lid in order_lines
            if lines[lid].get("product_id")
            and not lines[lid].get("display_type")
            and products._get(lines[lid]["product_id"], "type") == "service"
        ]
        tracking = {
            lid: products._get(lines[lid]["product_id"], "service_tracking") for lid in services
        }
        new_project_lines = [lid for lid in services if tracking[lid] in NEW_PROJECT]
        existing = _existing_project(env, oid, new_project_lines)
        account: int | None = None
        for lid in new_project_lines:
            line = lines[lid]
            project = line.get("project_id") or existing
            if not project:
                account = account or _order_account(env, oid)
                project = _create_project(env, oid, lid, account, len(new_project_lines))
                existing = project
                if not orders[oid].get("project_id"):
                    env.db.set("sale.order", oid, {"project_id": project})
            if not lines[lid].get("project_id"):
                env.db.set("sale.order.line", lid, {"project_id": project})
            if tracking[lid] == "task_in_project" and not lines[lid].get("task_id"):
                _create_task(env, lid, project)
            _handle_milestones(env, lid, project)
        for lid in services:
            if tracking[lid] != "task_global_project":
                continue
            product = lines[lid]["product_id"]
            project = products._get(product, "project_id") or orders[oid].get("project_id")
            if project and not orders[oid].get("project_id"):
                env.db.set("sale.order", oid, {"project_id": project})
            if lines[lid].get("task_id"):
                continue
            if not project or project not in projects:
                raise errors.UserError(
                    f"A project must be defined on the quotation {orders[oid]['name']} or on "
                    "the form of products creating a task on order.\n"
                    "The following product need a project in which to put its task: "
                    f"{products._get(product, 'name')}"
                )
            if money.dec(lines[lid].get("product_uom_qty")) > 0:
                _create_task(env, lid, project)
    env.server.mark(
        "sale.order.line",
        "_recompute_qty",
        [
            lid
            for oid in order_ids
            for lid in su["sale.order.line"]._children("sale.order.line", "order_id", oid)
        ],
    )


def _existing_project(env: Env, order: int, lines: Sequence[int]) -> int | None:
    table = env.db.table("sale.order.line")
    for lid in lines:
        if table[lid].get("project_id"):
            return int(table[lid]["project_id"])
    wanted = set(lines)
    for pid, row in env.db.table("project.project").items():
        if row.get("sale_line_id") in wanted:
            return int(pid)
    return None


def _order_account(env: Env, order: int) -> int | None:
    if env.spec.major >= 18:
        return None
    row = env.db.table("sale.order")[order]
    if row.get("analytic_account_id"):
        return int(row["analytic_account_id"])
    [account] = env.sudo()["account.analytic.account"]._create(
        [{"name": row["name"], "company_id": row["company_id"], "partner_id": row["partner_id"]}]
    )
    env.db.set("sale.order", order, {"analytic_account_id": account})
    return int(account)


def _create_project(env: Env, order: int, line: int, account: int | None, count: int) -> int:
    su = env.sudo()
    row = env.db.table("sale.order")[order]
    sol = env.db.table("sale.order.line")[line]
    products = su["product.product"]
    name = (
        f"{row['client_order_ref']} - {row['name']}" if row.get("client_order_ref") else row["name"]
    )
    template = products._get(sol["product_id"], "project_template_id")
    if template:
        name = f"{name} - {env.db.table('project.project')[template]['name']}"
    elif count == 1:
        code = products._get(sol["product_id"], "default_code")
        product_name = products._get(sol["product_id"], "name")
        name = f"{name} - [{code}] {product_name}" if code else f"{name} - {product_name}"
    field = env.spec.project_account_field
    if account is None:
        [account] = su["account.analytic.account"]._create(
            [
                {
                    "name": row["name"],
                    "company_id": row["company_id"],
                    "partner_id": row["partner_id"],
                }
            ]
        )
    values: dict[str, Any] = {
        "name": name,
        field: account,
        "partner_id": row["partner_id"],
        "sale_line_id": line,
        "active": True,
        "company_id": sol.get("company_id") or row["company_id"],
        "allow_billable": True,
        "user_id": False,
    }
    if products._get(sol["product_id"], "service_type") == "milestones":
        values["allow_milestones"] = True
    if env.spec.major >= 18:
        values["reinvoiced_sale_order_id"] = order
    [project] = su["project.project"]._create([values])
    su["project.task.type"]._create(
        [
            {"name": n, "fold": fold, "sequence": seq, "project_ids": [(6, 0, [project])]}
            for n, fold, seq in DEFAULT_STAGES
        ]
    )
    return int(project)


def _create_task(env: Env, line: int, project: int) -> int:
    su = env.sudo()
    sol = env.db.table("sale.order.line")[line]
    order = env.db.table("sale.order")[sol["order_id"]]
    products = su["product.product"]
    service_type = products._get(sol["product_id"], "service_type")
    hours = Decimal(0)
    if service_type not in ("milestones", "manual"):
        hours = money.dec(sol.get("product_uom_qty"))
        day = env.server.xmlid_lookup("uom.product_uom_day")
        if day is not None and sol.get(env.spec.sol_uom_field) == day[1]:
            hours *= 8
    parts = (sol.get("name") or "").split("\n")
    title = parts[0]
    project_row = env.db.table("project.project")[project]
    [task] = su["project.task"]._create(
        [
            {
                "name": title if project_row.get("sale_line_id") else f"{order['name']} - {title}",
                "allocated_hours": float(hours),
                "partner_id": order["partner_id"],
                "description": "<br/>".join(parts[1:]),
                "project_id": project,
                "sale_line_id": line,
                "sale_order_id": sol["order_id"],
                "company_id": project_row.get("company_id"),
                "user_ids": False,
            }
        ]
    )
    env.db.set("sale.order.line", line, {"task_id": task})
    return int(task)


def _handle_milestones(env: Env, line: int, project: int) -> None:
    if not env.spec.auto_milestone:
        return
    su = env.sudo()
    sol = env.db.table("sale.order.line")[line]
    if su["product.product"]._get(sol["product_id"], "service_policy") != "delivered_milestones":
        return
    projects = env.db.table("project.project")
    if not projects[project].get("allow_milestones"):
        env.db.set("project.project", project, {"allow_milestones": True})
    milestones = env.db.table("project.milestone")
    free = [
        m
        for m, row in milestones.items()
        if row.get("project_id") == project and not row.get("sale_line_id")
    ]
    if any(row.get("sale_line_id") == line for row in milestones.values()):
        return
    qty = money.dec(sol.get("product_uom_qty"))
    if free:
        share = float(qty / len(free)) if free else 0.0
        su["project.milestone"]._write(free, {"sale_line_id": line, "product_uom_qty": share})
        return
    [milestone] = su["project.milestone"]._create(
        [
            {
                "name": sol.get("name") or "",
                "project_id": project,
                "sale_line_id": line,
                "quantity_percentage": 1,
            }
        ]
    )
    task = env.db.table("sale.order.line")[line].get("task_id")
    if (
        task
        and su["product.product"]._get(sol["product_id"], "service_tracking") == "task_in_project"
    ):
        env.db.set("project.task", task, {"milestone_id": milestone})
