"""Access rights: groups, model access (``ir.model.access``) and the multi-company record rules.

The ACL table follows the ``security/ir.model.access.csv`` files of Odoo 19 (base, product,
uom, analytic, account, sale, project, hr, hr_timesheet, hr_expense) for the models the emulator
has, reduced to ``(group, "rwcu")`` pairs. A user's groups are closed over ``implied_ids`` as
in Odoo. The superuser (uid 1) and ``sudo()`` bypass everything; the admin user (uid 2) is
an ordinary user with many groups, so it is subject to record rules like in Odoo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lead2cash.emulators.odoo import errors

if TYPE_CHECKING:
    from lead2cash.emulators.odoo.orm.env import Env

# (xmlid, name, implied xmlids)
GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("base.group_public", "Public", ()),
    ("base.group_portal", "Portal", ()),
    ("base.group_user", "Internal User", ()),
    ("base.group_partner_manager", "Contact Creation", ()),
    ("base.group_multi_company", "Multi Companies", ()),
    ("base.group_multi_currency", "Multi Currencies", ()),
    ("base.group_no_one", "Technical Features", ()),
    ("base.group_erp_manager", "Access Rights", ("base.group_user",)),
    ("base.group_system", "Settings", ("base.group_erp_manager",)),
    ("uom.group_uom", "Manage Multiple Units of Measure", ()),
    ("product.group_product_manager", "Product Manager", ()),
    ("analytic.group_analytic_accounting", "Analytic Accounting", ()),
    ("sales_team.group_sale_salesman", "User: Own Documents Only", ("base.group_user",)),
    (
        "sales_team.group_sale_salesman_all_leads",
        "User: All Documents",
        ("sales_team.group_sale_salesman",),
    ),
    (
        "sales_team.group_sale_manager",
        "Administrator",
        ("sales_team.group_sale_salesman_all_leads",),
    ),
    ("project.group_project_user", "User", ("base.group_user",)),
    ("project.group_project_manager", "Administrator", ("project.group_project_user",)),
    ("project.group_project_milestone", "Milestones", ()),
    ("hr.group_hr_user", "Officer: Manage all employees", ("base.group_user",)),
    ("hr.group_hr_manager", "Administrator", ("hr.group_hr_user",)),
    ("hr_timesheet.group_hr_timesheet_user", "User: own timesheets only", ("base.group_user",)),
    (
        "hr_timesheet.group_hr_timesheet_approver",
        "User: all timesheets",
        ("hr_timesheet.group_hr_timesheet_user",),
    ),
    (
        "hr_timesheet.group_timesheet_manager",
        "Administrator",
        ("hr_timesheet.group_hr_timesheet_approver",),
    ),
    ("hr_expense.group_hr_expense_user", "Officer", ("base.group_user",)),
    (
        "hr_expense.group_hr_expense_team_approver",
        "Team Approver",
        ("hr_expense.group_hr_expense_user",),
    ),
    (
        "hr_expense.group_hr_expense_manager",
        "Administrator",
        ("hr_expense.group_hr_expense_team_approver",),
    ),
    ("account.group_account_readonly", "Read-only", ("base.group_user",)),
    ("account.group_account_invoice", "Billing", ("base.group_user",)),
    ("account.group_account_user", "Bookkeeper", ("account.group_account_invoice",)),
    (
        "account.group_account_manager",
        "Billing Administrator",
        ("account.group_account_user", "account.group_account_readonly"),
    ),
]

#: Groups of the admin user in a fresh database with the lead-to-cash apps installed.
ADMIN_GROUPS = (
    "base.group_user",
    "base.group_system",
    "base.group_partner_manager",
    "base.group_multi_company",
    "base.group_multi_currency",
    "product.group_product_manager",
    "analytic.group_analytic_accounting",
    "sales_team.group_sale_manager",
    "project.group_project_manager",
    "project.group_project_milestone",
    "hr.group_hr_manager",
    "hr_timesheet.group_timesheet_manager",
    "hr_expense.group_hr_expense_manager",
    "account.group_account_manager",
)

R, W, C, U = "r", "w", "c", "u"
ALL = "rwcu"
_U = "base.group_user"

#: model -> [(group xmlid, permissions)], from the modules' ir.model.access.csv.
ACL: dict[str, list[tuple[str, str]]] = {
    "res.partner": [
        (_U, R),
        ("base.group_partner_manager", ALL),
        ("sales_team.group_sale_manager", "rwc"),
        ("project.group_project_user", R),
        ("account.group_account_invoice", "rwc"),
    ],
    "res.company": [(_U, R), ("base.group_erp_manager", ALL)],
    "res.currency": [(_U, R), ("base.group_system", ALL), ("account.group_account_manager", "rw")],
    "res.currency.rate": [(_U, R), ("base.group_system", ALL)],
    "res.users": [(_U, R), ("base.group_erp_manager", ALL)],
    "res.groups": [(_U, R), ("base.group_erp_manager", ALL)],
    "res.country": [(_U, R), ("base.group_system", ALL)],
    "ir.model.data": [("base.group_erp_manager", ALL)],
    "ir.module.module": [("base.group_system", ALL)],
    "ir.model": [(_U, R), ("base.group_erp_manager", ALL)],
    "uom.uom": [(_U, R), ("base.group_system", ALL), ("product.group_product_manager", ALL)],
    "product.category": [(_U, R), ("product.group_product_manager", ALL)],
    "product.template": [(_U, R), ("product.group_product_manager", ALL)],
    "product.product": [(_U, R), ("product.group_product_manager", ALL)],
    "product.pricelist": [
        (_U, R),
        ("sales_team.group_sale_manager", ALL),
        ("product.group_product_manager", ALL),
    ],
    "sale.order": [
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", "rw"),
        ("sales_team.group_sale_salesman", "rwc"),
        ("sales_team.group_sale_manager", ALL),
        ("project.group_project_user", R),
    ],
    "sale.order.line": [
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", "rw"),
        ("sales_team.group_sale_salesman", ALL),
        ("project.group_project_user", R),
    ],
    "sale.advance.payment.inv": [("sales_team.group_sale_salesman", "rwc")],
    "project.project": [
        (_U, R),
        ("project.group_project_manager", ALL),
        ("hr_timesheet.group_hr_timesheet_user", R),
    ],
    "project.project.stage": [(_U, R), ("project.group_project_manager", ALL)],
    "project.task.type": [(_U, R), ("project.group_project_user", ALL)],
    "project.task": [(_U, R), ("project.group_project_user", ALL)],
    "project.milestone": [(_U, R), ("project.group_project_user", ALL)],
    "project.sale.line.employee.map": [(_U, R), ("project.group_project_manager", ALL)],
    "account.analytic.plan": [
        (_U, R),
        ("analytic.group_analytic_accounting", ALL),
        ("account.group_account_user", ALL),
    ],
    "account.analytic.account": [
        (_U, R),
        ("analytic.group_analytic_accounting", ALL),
        ("sales_team.group_sale_salesman", "rwc"),
        ("project.group_project_manager", ALL),
        ("hr_timesheet.group_hr_timesheet_user", "rw"),
        ("account.group_account_user", ALL),
    ],
    "account.analytic.line": [
        ("analytic.group_analytic_accounting", ALL),
        ("project.group_project_manager", ALL),
        ("hr_timesheet.group_hr_timesheet_user", ALL),
        ("hr_expense.group_hr_expense_team_approver", ALL),
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", ALL),
    ],
    "hr.employee": [("hr.group_hr_user", ALL), ("base.group_system", R)],
    "hr.employee.public": [(_U, R)],
    "hr.department": [(_U, "rw"), ("hr.group_hr_user", ALL)],
    "hr.expense": [
        (_U, ALL),
        ("hr_expense.group_hr_expense_team_approver", ALL),
        ("account.group_account_invoice", "rwc"),
    ],
    "hr.expense.sheet": [
        (_U, ALL),
        ("hr_expense.group_hr_expense_team_approver", ALL),
        ("account.group_account_invoice", "rwc"),
    ],
    "account.account": [(_U, R), ("account.group_account_manager", ALL)],
    "account.journal": [
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", R),
        ("sales_team.group_sale_salesman", R),
        ("hr_expense.group_hr_expense_team_approver", R),
        ("account.group_account_manager", ALL),
    ],
    "account.tax": [(_U, R), ("account.group_account_manager", ALL)],
    "account.fiscal.position": [(_U, R), ("account.group_account_manager", ALL)],
    "account.payment.term": [(_U, R), ("account.group_account_manager", ALL)],
    "account.move": [
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", ALL),
        ("sales_team.group_sale_salesman", R),
        ("hr_expense.group_hr_expense_team_approver", R),
    ],
    "account.move.line": [
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", ALL),
        ("sales_team.group_sale_salesman", R),
        ("hr_expense.group_hr_expense_team_approver", R),
    ],
    "account.payment": [
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", ALL),
    ],
    "account.payment.register": [("account.group_account_invoice", "rwc")],
    "account.partial.reconcile": [
        ("account.group_account_readonly", R),
        ("account.group_account_invoice", ALL),
    ],
    "hr.expense.post.wizard": [(_U, "rwc")],
}

_OPS = {"read": R, "write": W, "create": C, "unlink": U}

ACCESS_HEADER = {
    "read": "You are not allowed to access '{kind}' ({model}) records.",
    "write": "You are not allowed to modify '{kind}' ({model}) records.",
    "create": "You are not allowed to create '{kind}' ({model}) records.",
    "unlink": "You are not allowed to delete '{kind}' ({model}) records.",
}


class AccessControl:
    """Group membership and model access checks for one server."""

    def __init__(self) -> None:
        self.acl: dict[str, list[tuple[str, str]]] = {m: list(v) for m, v in ACL.items()}
        self.implied: dict[str, tuple[str, ...]] = {x: imp for x, _, imp in GROUPS}
        self.names: dict[str, str] = {x: name for x, name, _ in GROUPS}

    def add_rule(self, model: str, group: str, perms: str) -> None:
        self.acl.setdefault(model, []).append((group, perms))

    def closure(self, groups: set[str]) -> set[str]:
        seen: set[str] = set()
        todo = list(groups)
        while todo:
            g = todo.pop()
            if g in seen:
                continue
            seen.add(g)
            todo.extend(self.implied.get(g, ()))
        return seen

    def user_groups(self, env: Env, uid: int) -> set[str]:
        row = env.server.db.table("res.users").get(uid)
        if row is None:
            return set()
        direct = {env.server.group_xmlid(gid) for gid in row.get(env.spec.user_groups_field) or ()}
        return self.closure({g for g in direct if g})

    def user_has_group(self, env: Env, uid: int, xmlid: str) -> bool:
        return xmlid in self.user_groups(env, uid)

    def allowed(self, env: Env, model: str, operation: str) -> bool:
        if env.su:
            return True
        flag = _OPS[operation]
        groups = self.user_groups(env, env.uid)
        return any(g in groups and flag in perms for g, perms in self.acl.get(model, ()))

    def check(self, env: Env, model: str, operation: str, description: str) -> None:
        if self.allowed(env, model, operation):
            return
        header = ACCESS_HEADER[operation].format(kind=description or model, model=model)
        flag = _OPS[operation]
        names = sorted(
            {self._group_label(g) for g, perms in self.acl.get(model, ()) if flag in perms}
        )
        if names:
            groups = "This operation is allowed for the following groups:\n" + "\n".join(
                f"\t- {n}" for n in names
            )
        else:
            groups = "No group currently allows this operation."
        raise errors.AccessError(
            f"{header}\n\n{groups}\n\nContact your administrator to request access if necessary."
        )

    def _group_label(self, xmlid: str) -> str:
        return self.names.get(xmlid, xmlid)
