"""``product``, ``sale_project``/``sale_timesheet`` product fields: templates, variants,
categories, pricelists.

Type: 17 ``detailed_type`` (``consu``/``service``; ``type`` follows it), 18/19 ``type``
(``consu``/``service``/``combo``) plus ``is_storable``. ``service_policy`` is not stored: it
is computed from, and written into, ``invoice_policy`` + ``service_type``.
``delivered_milestones`` is offered only to users of ``project.group_project_milestone``
(17/18) or when milestones are enabled (19).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.versions import VersionSpec

SERVICE_POLICY_MAP = {
    "ordered_prepaid": ("order", "timesheet"),
    "delivered_timesheet": ("delivery", "timesheet"),
    "delivered_milestones": ("delivery", "milestones"),
    "delivered_manual": ("delivery", "manual"),
}
SERVICE_TRACKING = [
    ("no", "Nothing"),
    ("task_global_project", "Task"),
    ("task_in_project", "Project & Task"),
    ("project_only", "Project"),
]


def _milestones_enabled(env: Env) -> bool:
    if env.spec.major >= 19:
        return bool(env.server.settings.get("milestones", True))
    return env.su or env.has_group("project.group_project_milestone")


def service_policies(env: Env) -> f.Selection:
    options = [("ordered_prepaid", "Prepaid/Fixed Price")]
    if _milestones_enabled(env):
        options.append(("delivered_milestones", "Based on Milestones"))
    options += [
        ("delivered_timesheet", "Based on Timesheets"),
        ("delivered_manual", "Based on Delivered Quantity (Manual)"),
    ]
    return options


def service_types(env: Env) -> f.Selection:
    options = [
        ("manual", "Manually set quantities on order"),
        ("timesheet", "Timesheets on project"),
    ]
    if _milestones_enabled(env) or env.su:
        options.append(("milestones", "Project Milestones"))
    return options


def _default_uom(env: Env) -> int | None:
    found = env.server.xmlid_lookup("uom.product_uom_unit")
    return found[1] if found else None


def _default_categ(env: Env) -> int | None:
    found = env.server.xmlid_lookup("product.product_category_all")
    return found[1] if found else None


def _default_sale_taxes(env: Env) -> list[tuple[int, int, list[int]]]:
    tax = env.db.table("res.company")[env.company_id].get("account_sale_tax_id")
    return [(6, 0, [tax])] if tax else []


def _default_purchase_taxes(env: Env) -> list[tuple[int, int, list[int]]]:
    tax = env.db.table("res.company")[env.company_id].get("account_purchase_tax_id")
    return [(6, 0, [tax])] if tax else []


def template_fields(spec: VersionSpec) -> dict[str, f.Field]:
    """The product fields shared by templates and (as related fields) variants."""
    fields: dict[str, f.Field] = {
        "name": f.Char("Name", required=True, index=True),
        "default_code": f.Char("Internal Reference", index=True),
        "description_sale": f.Text("Sales Description"),
        "active": f.Boolean("Active", default=True),
        "sale_ok": f.Boolean("Can be Sold", default=True),
        "purchase_ok": f.Boolean("Can be Purchased", default=True),
        "list_price": f.Float("Sales Price", default=Decimal(1), digits=2),
        "standard_price": f.Float("Cost", default=Decimal(0), company_dependent=True),
        "categ_id": f.Many2one("product.category", "Product Category", default=_default_categ),
        "uom_id": f.Many2one("uom.uom", "Unit", default=_default_uom),
        "company_id": f.Many2one("res.company", "Company", index=True),
        "taxes_id": f.Many2many("account.tax", "Sales Taxes", default=_default_sale_taxes),
        "supplier_taxes_id": f.Many2many(
            "account.tax", "Purchase Taxes", default=_default_purchase_taxes
        ),
        "invoice_policy": f.SelectionField(
            [("order", "Ordered quantities"), ("delivery", "Delivered quantities")],
            "Invoicing Policy",
            default="order",
        ),
        "service_type": f.SelectionField(service_types, "Track Service", default="manual"),
        "service_policy": f.SelectionField(
            service_policies, "Service Invoicing Policy", store=False, compute="_compute_policy"
        ),
        "service_tracking": f.SelectionField(SERVICE_TRACKING, "Create on Order", default="no"),
        "project_id": f.Many2one("project.project", "Project", company_dependent=True),
        "project_template_id": f.Many2one(
            "project.project", "Project Template", company_dependent=True
        ),
        "expense_policy": f.SelectionField(
            [("no", "No"), ("cost", "At cost"), ("sales_price", "Sales price")],
            "Re-Invoice Costs",
            default="no",
        ),
        "can_be_expensed": f.Boolean("Can be Expensed", default=False),
        "service_upsell_threshold": f.Float("Threshold", default=Decimal(1)),
    }
    if spec.major <= 17:
        fields["detailed_type"] = f.SelectionField(
            [("consu", "Consumable"), ("service", "Service")], "Product Type", default="consu"
        )
        fields["type"] = f.SelectionField(
            [("consu", "Consumable"), ("service", "Service")], "Type", default="consu"
        )
        fields["uom_po_id"] = f.Many2one("uom.uom", "Purchase Unit", default=_default_uom)
    else:
        fields["type"] = f.SelectionField(
            [("consu", "Goods"), ("service", "Service"), ("combo", "Combo")],
            "Product Type",
            default="consu",
        )
        fields["is_storable"] = f.Boolean("Track Inventory", default=False)
        if spec.major == 18:
            fields["uom_po_id"] = f.Many2one("uom.uom", "Purchase Unit", default=_default_uom)
    if spec.major >= 19:
        fields["task_template_id"] = f.Many2one("project.task", "Task Template")
    return fields


class ProductCategory(Model):
    _name = "product.category"
    _description = "Product Category"
    _order = "complete_name"
    _parent_name = "parent_id"
    _rec_name = "complete_name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Name", required=True),
            "complete_name": f.Char("Complete Name", store=False, compute="_compute_complete"),
            "parent_id": f.Many2one("product.category", "Parent Category", index=True),
        }

    def _compute_complete(self, ids: list[int]) -> dict[int, Any]:
        table = self._table()
        out = {}
        for i in ids:
            names: list[str] = []
            current: int | None = i
            while current and current in table:
                names.append(table[current].get("name") or "")
                current = table[current].get("parent_id")
            out[i] = " / ".join(reversed(names))
        return out

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        return {i: str(v) for i, v in self._compute_complete(ids).items()}


class ProductPricelist(Model):
    _name = "product.pricelist"
    _description = "Pricelist"
    _order = "sequence, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Pricelist Name", required=True),
            "active": f.Boolean("Active", default=True),
            "sequence": f.Integer("Sequence", default=16),
            "currency_id": f.Many2one(
                "res.currency",
                "Currency",
                required=True,
                default=lambda env: env.db.table("res.company")[env.company_id]["currency_id"],
            ),
            "company_id": f.Many2one("res.company", "Company"),
        }

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        currencies = self.env.db.table("res.currency")
        out = {}
        for i in ids:
            row = table[i]
            code = currencies.get(row.get("currency_id"), {}).get("name", "")
            out[i] = f"{row.get('name') or ''} ({code})"
        return out


class _ProductMixin(Model):
    def _sync_type(self, vals: dict[str, Any]) -> None:
        if self.env.spec.major <= 17:
            if "detailed_type" in vals and "type" not in vals:
                vals["type"] = vals["detailed_type"]
            elif "type" in vals and "detailed_type" not in vals:
                vals["detailed_type"] = vals["type"]

    def _apply_policy(self, vals: dict[str, Any]) -> None:
        if vals.get("expense_policy") in ("cost", "sales_price") and "invoice_policy" not in vals:
            vals["invoice_policy"] = "delivery"  # sale_expense's onchange on expense_policy
        policy = vals.pop("service_policy", None)
        if not policy:
            return
        if policy not in {k for k, _ in service_policies(self.env)}:
            raise self._fields["service_policy"].wrong(policy)
        vals["invoice_policy"], vals["service_type"] = SERVICE_POLICY_MAP[policy]

    def _compute_policy(self, ids: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for i in ids:
            invoice = self._get(i, "invoice_policy")
            service = self._get(i, "service_type")
            if invoice == "order":
                out[i] = "ordered_prepaid"
            elif service == "timesheet":
                out[i] = "delivered_timesheet"
            elif service == "milestones":
                out[i] = "delivered_milestones"
            else:
                out[i] = "delivered_manual"
            kind = self._get(i, "type")
            if kind != "service":
                out[i] = None
        return out

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        for i in ids:
            if self._get(i, "service_tracking") == "task_global_project" and self._get(
                i, "project_template_id"
            ):
                raise errors.ValidationError(
                    "The product cannot have a project template when creating a task in a "
                    "global project."
                )


class ProductTemplate(_ProductMixin):
    _name = "product.template"
    _description = "Product"
    _order = "is_favorite desc, name, id"
    _company_checked = ("project_id",)

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields = template_fields(spec)
        fields["is_favorite"] = f.Boolean("Favorite", default=False)
        fields["product_variant_ids"] = f.One2many("product.product", "product_tmpl_id", "Variants")
        fields["product_variant_id"] = f.Many2one(
            "product.product", "Product", store=False, compute="_compute_variant"
        )
        return fields

    def _compute_variant(self, ids: list[int]) -> dict[int, Any]:
        out = {}
        for i in ids:
            variants = self._children("product.product", "product_tmpl_id", i)
            out[i] = variants[0] if variants else None
        return out

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        out = {}
        for i in ids:
            row = table[i]
            code = row.get("default_code")
            out[i] = f"[{code}] {row.get('name')}" if code else str(row.get("name") or "")
        return out

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        for vals in vals_list:
            self._sync_type(vals)
            self._apply_policy(vals)

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        self._sync_type(vals)
        self._apply_policy(vals)

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        if self.env.context.get("create_product_product") is False:
            return
        self.env.sudo()["product.product"].with_context(create_product_product=False)._create(
            [{"product_tmpl_id": i} for i in ids]
        )

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if "active" in vals:
            variants = [
                v for i in ids for v in self._children("product.product", "product_tmpl_id", i)
            ]
            for v in variants:
                self.env.db.set("product.product", v, {"active": bool(vals["active"])})


class ProductProduct(_ProductMixin):
    _name = "product.product"
    _description = "Product Variant"
    _order = "default_code, name, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "product_tmpl_id": f.Many2one(
                "product.template",
                "Product Template",
                required=True,
                index=True,
                ondelete="cascade",
            ),
            "active": f.Boolean("Active", default=True),
            "barcode": f.Char("Barcode"),
            "lst_price": f.Float("Sales Price", related="product_tmpl_id.list_price"),
        }
        for name, field in template_fields(spec).items():
            if name == "active":
                continue
            clone = _related_clone(field, f"product_tmpl_id.{name}")
            fields[name] = clone
        return fields

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        out = {}
        for i in ids:
            code = self._get(i, "default_code")
            name = self._get(i, "name") or ""
            out[i] = f"[{code}] {name}" if code else str(name)
        return out

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        templates = self.env["product.template"]
        own = {"product_tmpl_id", "active", "barcode"}
        for vals in vals_list:
            shared = {k: vals.pop(k) for k in list(vals) if k not in own}
            if "lst_price" in shared:
                price = shared.pop("lst_price")
                shared.setdefault("list_price", price)
            if vals.get("product_tmpl_id"):
                if shared:
                    templates._write([vals["product_tmpl_id"]], shared)
                continue
            [tmpl] = templates.with_context(create_product_product=False)._create([shared])
            vals["product_tmpl_id"] = tmpl

    def _compute_policy(self, ids: list[int]) -> dict[int, Any]:
        tmpl = self._value_map("product_tmpl_id", ids)
        policies = self.env["product.template"]._compute_policy([t for t in tmpl.values() if t])
        return {i: policies.get(t) for i, t in tmpl.items()}


def _related_clone(field: f.Field, path: str) -> f.Field:
    """A non-stored copy of a template field that reads and writes through the template."""
    import copy

    clone = copy.copy(field)
    clone.related = path
    clone.store = False
    clone.default = None
    clone.required = False
    clone.compute = None
    return clone


MODELS: list[type[Model]] = [ProductCategory, ProductPricelist, ProductTemplate, ProductProduct]
