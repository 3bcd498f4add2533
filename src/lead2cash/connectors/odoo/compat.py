"""Version compatibility of one Odoo database, found once per connection (reference §2, §4.3.7).

Field names the flows need moved between 17, 18 and 19:

=============================  ========================  ========================
what                           17                        18 / 19
=============================  ========================  ========================
project analytic account       ``analytic_account_id``   ``account_id``
sale line taxes                ``tax_id``                ``tax_id`` / ``tax_ids`` (19)
sale line unit of measure      ``product_uom``           ``product_uom`` / ``product_uom_id`` (19)
product type                   ``detailed_type``         ``type``
expense grouping               ``hr.expense.sheet``      sheets (18) / none (19)
milestone unit of measure      ``product_uom``           ``product_uom`` / ``product_uom_id`` (19)
user groups                    ``groups_id``             ``groups_id`` / ``group_ids`` (19)
invoice ``payment_state``      no ``blocked``            + ``blocked``
=============================  ========================  ========================

The truth comes from the database itself: the installed modules from ``ir.module.module`` and
the fields from ``fields_get`` (which needs no access right). A least-privilege user cannot
read ``ir.module.module``; modules are then inferred from the models and fields they add. The
version table above is only the fallback for a model the user cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from lead2cash import errors

if TYPE_CHECKING:
    from lead2cash.connectors.odoo.client import OdooClient

#: The modules the lead-to-cash flows need.
REQUIRED_MODULES = (
    "project",
    "hr_timesheet",
    "sale_timesheet",
    "sale_project",
    "hr_expense",
    "account",
)
#: Modules worth knowing about (checked, never required).
OPTIONAL_MODULES = ("sale", "hr", "sale_expense", "timesheet_grid", "sale_timesheet_enterprise")

ExpenseFlow = Literal["sheet_move_create", "sheet_move_post", "expense_post", "none"]

# model -> fields whose presence tells a module is installed (probing fallback)
_MODULE_PROBES: dict[str, tuple[str, str | None]] = {
    "project": ("project.project", None),
    "hr_timesheet": ("account.analytic.line", "project_id"),
    "sale_timesheet": ("account.analytic.line", "so_line"),
    "sale_project": ("project.project", "sale_line_id"),
    "hr_expense": ("hr.expense", None),
    "account": ("account.move", None),
    "sale": ("sale.order", None),
    "hr": ("hr.employee", None),
    "sale_expense": ("hr.expense", "sale_order_id"),
}

# model -> the fields compat looks at
_FIELDS: dict[str, tuple[str, ...]] = {
    "project.project": ("analytic_account_id", "account_id", "sale_line_id", "allow_billable"),
    "account.analytic.line": ("project_id", "so_line"),
    "sale.order.line": ("tax_id", "tax_ids", "product_uom", "product_uom_id"),
    "product.template": ("detailed_type", "type", "service_policy"),
    "project.milestone": ("product_uom", "product_uom_id", "quantity_percentage"),
    "account.move": ("payment_state",),
    "account.payment": ("state",),
    "res.users": ("groups_id", "group_ids"),
    "hr.expense": ("sheet_id", "state", "sale_order_id"),
    "hr.expense.sheet": ("state",),
    "hr.employee": ("name",),
    "sale.order": ("name",),
}


@dataclass(frozen=True)
class Compat:
    """What this database calls things, and which features it has."""

    major: int
    modules: frozenset[str]
    #: ``ir.module.module`` when it was readable, ``fields_get`` when inferred from models.
    modules_source: Literal["ir.module.module", "fields_get"]
    project_analytic_field: str
    sale_line_tax_field: str
    sale_line_uom_field: str
    product_type_field: str
    expense_sheets: bool
    expense_flow: ExpenseFlow
    #: Milestone invoicing is offered (``delivered_milestones`` in ``service_policy``).
    milestones: bool
    milestone_uom_field: str
    user_groups_field: str
    move_payment_states: tuple[str, ...]
    payment_states: tuple[str, ...]
    models: frozenset[str] = field(default_factory=frozenset)

    def has(self, module: str) -> bool:
        return module in self.modules

    def missing_modules(self, required: tuple[str, ...] = REQUIRED_MODULES) -> list[str]:
        return [m for m in required if m not in self.modules]


def _defaults(major: int) -> dict[str, Any]:
    """The version table: used only for what ``fields_get`` could not show."""
    return {
        "project_analytic_field": "analytic_account_id" if major <= 17 else "account_id",
        "sale_line_tax_field": "tax_ids" if major >= 19 else "tax_id",
        "sale_line_uom_field": "product_uom_id" if major >= 19 else "product_uom",
        "product_type_field": "detailed_type" if major <= 17 else "type",
        "milestone_uom_field": "product_uom_id" if major >= 19 else "product_uom",
        "user_groups_field": "group_ids" if major >= 19 else "groups_id",
        "move_payment_states": (
            ("not_paid", "in_payment", "paid", "partial", "reversed", "invoicing_legacy")
            + (("blocked",) if major >= 18 else ())
        ),
        "payment_states": (
            ("draft", "posted", "cancel")
            if major <= 17
            else ("draft", "in_process", "paid", "canceled", "rejected")
        ),
    }


def _pick(found: dict[str, Any] | None, *names: str) -> str | None:
    if found is None:
        return None
    return next((n for n in names if n in found), None)


def _selection(found: dict[str, Any] | None, name: str) -> tuple[str, ...] | None:
    if not found or name not in found:
        return None
    values = found[name].get("selection") or []
    return tuple(str(v[0]) for v in values if isinstance(v, list | tuple) and v)


def _fields(client: OdooClient, model: str) -> dict[str, Any] | None:
    """The model's interesting fields, or ``None`` if the model does not exist here."""
    try:
        return client.fields_get(model, _FIELDS[model], attributes=("type", "selection"))
    except (errors.NotFoundError, errors.RejectedError):
        return None


def _installed_modules(client: OdooClient) -> frozenset[str] | None:
    wanted = list(REQUIRED_MODULES + OPTIONAL_MODULES)
    try:
        rows = client.search_read(
            "ir.module.module",
            [("name", "in", wanted), ("state", "=", "installed")],
            ["name"],
        )
    except (errors.AuthError, errors.NotFoundError, errors.RejectedError):
        return None
    return frozenset(str(r["name"]) for r in rows)


def detect(client: OdooClient) -> Compat:
    """Ask the database once (one ``ir.module.module`` read and one ``fields_get`` per model)."""
    major = client.version.major
    found = {model: _fields(client, model) for model in _FIELDS}
    models = frozenset(m for m, f in found.items() if f is not None)
    modules = _installed_modules(client)
    source: Literal["ir.module.module", "fields_get"] = "ir.module.module"
    if modules is None:
        source = "fields_get"
        modules = frozenset(
            module
            for module, (model, probe) in _MODULE_PROBES.items()
            if (fields := found.get(model)) is not None and (probe is None or probe in fields)
        )
    d = _defaults(major)
    has_sheets = found["hr.expense.sheet"] is not None
    expense_flow: ExpenseFlow
    if "hr_expense" not in modules:
        expense_flow = "none"
    elif has_sheets:
        expense_flow = "sheet_move_create" if major <= 17 else "sheet_move_post"
    else:
        expense_flow = "expense_post"
    policies = _selection(found["product.template"], "service_policy") or ()
    return Compat(
        major=major,
        modules=modules,
        modules_source=source,
        project_analytic_field=_pick(found["project.project"], "analytic_account_id", "account_id")
        or d["project_analytic_field"],
        sale_line_tax_field=_pick(found["sale.order.line"], "tax_ids", "tax_id")
        or d["sale_line_tax_field"],
        sale_line_uom_field=_pick(found["sale.order.line"], "product_uom_id", "product_uom")
        or d["sale_line_uom_field"],
        product_type_field=_pick(found["product.template"], "detailed_type", "type")
        or d["product_type_field"],
        expense_sheets=has_sheets,
        expense_flow=expense_flow,
        milestones="delivered_milestones" in policies,
        milestone_uom_field=_pick(found["project.milestone"], "product_uom_id", "product_uom")
        or d["milestone_uom_field"],
        user_groups_field=_pick(found["res.users"], "group_ids", "groups_id")
        or d["user_groups_field"],
        move_payment_states=_selection(found["account.move"], "payment_state")
        or d["move_payment_states"],
        payment_states=_selection(found["account.payment"], "state") or d["payment_states"],
        models=models,
    )
