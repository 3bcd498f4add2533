"""``sale``, ``sale_project``, ``sale_timesheet``: sale orders and their lines.

Quantities follow Odoo: ``qty_delivered`` by ``qty_delivered_method`` (``timesheet``: hours of
the line's timesheets; ``milestones``: reached milestones' share of the ordered quantity;
``manual``: written by hand; ``analytic``: re-invoiced expenses), ``qty_invoiced`` from the
linked invoice lines of invoices not cancelled (drafts included), ``qty_to_invoice`` by the
product's invoice policy (ordered or delivered), ``invoice_status`` per line and per order.
Confirming (``action_confirm``) generates projects, tasks and (18+) milestones by each
product's ``service_tracking`` (see ``services.py``).
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

ZERO = Decimal(0)
ORDER_STATES = [
    ("draft", "Quotation"),
    ("sent", "Quotation Sent"),
    ("sale", "Sales Order"),
    ("cancel", "Cancelled"),
]
INVOICE_STATUS = [
    ("upselling", "Upselling Opportunity"),
    ("invoiced", "Fully Invoiced"),
    ("to invoice", "To Invoice"),
    ("no", "Nothing to Invoice"),
]
HOURS_PER_DAY = Decimal(8)


def default_pricelist(env: Env, company: int) -> int | None:
    """The first active pricelist of the company (or shared) in the company currency."""
    currency = env.db.table("res.company")[company]["currency_id"]
    candidates = [
        (row.get("sequence") or 0, pid)
        for pid, row in env.db.table("product.pricelist").items()
        if row.get("active")
        and row.get("company_id") in (None, company)
        and row.get("currency_id") == currency
    ]
    return min(candidates)[1] if candidates else None


class SaleOrder(Model):
    _name = "sale.order"
    _description = "Sales Order"
    _order = "date_order desc, id desc"
    _company_checked = ("partner_id", "pricelist_id", "fiscal_position_id", "project_id")

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Order Reference", required=True, default="New", copy=False, index=True),
            "state": f.SelectionField(ORDER_STATES, "Status", default="draft", copy=False),
            "locked": f.Boolean("Locked", default=False, copy=False),
            "date_order": f.Datetime("Order Date", required=True, default=lambda e: e.now_text()),
            "validity_date": f.Date("Expiration"),
            "client_order_ref": f.Char("Customer Reference", copy=False),
            "origin": f.Char("Source Document"),
            "note": f.Html("Terms and conditions"),
            "partner_id": f.Many2one("res.partner", "Customer", required=True, index=True),
            "partner_invoice_id": f.Many2one("res.partner", "Invoice Address"),
            "partner_shipping_id": f.Many2one("res.partner", "Delivery Address"),
            "pricelist_id": f.Many2one("product.pricelist", "Pricelist"),
            "currency_id": f.Many2one("res.currency", "Currency", readonly=True),
            "company_id": f.Many2one(
                "res.company", "Company", required=True, index=True, default=lambda e: e.company_id
            ),
            "user_id": f.Many2one("res.users", "Salesperson", default=lambda e: e.uid),
            "payment_term_id": f.Many2one("account.payment.term", "Payment Terms"),
            "fiscal_position_id": f.Many2one("account.fiscal.position", "Fiscal Position"),
            "order_line": f.One2many("sale.order.line", "order_id", "Order Lines"),
            "amount_untaxed": f.Monetary("Untaxed Amount", readonly=True, compute="_totals"),
            "amount_tax": f.Monetary("Taxes", readonly=True, compute="_totals"),
            "amount_total": f.Monetary("Total", readonly=True, compute="_totals"),
            "invoice_status": f.SelectionField(
                INVOICE_STATUS, "Invoice Status", readonly=True, default="no", compute="_status"
            ),
            "invoice_ids": f.Many2many(
                "account.move", "Invoices", store=False, compute="_compute_invoice_ids"
            ),
            "invoice_count": f.Integer("Invoice Count", store=False, compute="_compute_count"),
            "project_id": f.Many2one("project.project", "Project"),
            "project_ids": f.Many2many(
                "project.project", "Projects", store=False, compute="_compute_projects"
            ),
            "tasks_ids": f.Many2many(
                "project.task", "Tasks associated", store=False, compute="_compute_tasks"
            ),
            "tasks_count": f.Integer("Tasks", store=False, compute="_compute_tasks_count"),
            "timesheet_ids": f.Many2many(
                "account.analytic.line", "Timesheets", store=False, compute="_compute_timesheets"
            ),
        }
        if spec.so_analytic_account:
            fields["analytic_account_id"] = f.Many2one(
                "account.analytic.account", "Analytic Account", copy=False
            )
        return fields

    # -- create / write ----------------------------------------------------------------------

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        db = self.env.db
        partners = db.table("res.partner")
        for vals in vals_list:
            if vals.get("name", "New") in ("New", False, None, "/"):
                vals["name"] = f"S{db.next_sequence('sale.order'):05d}"
            partner = vals.get("partner_id")
            if partner in partners:
                vals.setdefault("partner_invoice_id", partner)
                vals.setdefault("partner_shipping_id", partner)
                prow = partners[partner]
                if prow.get("property_payment_term_id") and "payment_term_id" not in vals:
                    vals["payment_term_id"] = prow["property_payment_term_id"]
                if prow.get("property_account_position_id") and "fiscal_position_id" not in vals:
                    vals["fiscal_position_id"] = prow["property_account_position_id"]
                if prow.get("property_product_pricelist") and "pricelist_id" not in vals:
                    vals["pricelist_id"] = prow["property_product_pricelist"]
            if "pricelist_id" not in vals:
                vals["pricelist_id"] = default_pricelist(
                    self.env, vals.get("company_id") or self.env.company_id
                )

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._set_currency(ids)
        self._mark_partner_rank(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if {"pricelist_id", "company_id"} & set(vals):
            self._set_currency(ids)
        if "state" in vals or "order_line" in vals:
            lines = [line for i in ids for line in self._children("sale.order.line", "order_id", i)]
            self.env.server.mark("sale.order.line", "_recompute_qty", lines)
        self.env.server.mark("sale.order", "_recompute_status", ids)

    def _set_currency(self, ids: list[int]) -> None:
        db = self.env.db
        for i in ids:
            row = self._row(i)
            pricelist = db.table("product.pricelist").get(row.get("pricelist_id"))
            currency = (pricelist or {}).get("currency_id") or db.table("res.company")[
                row["company_id"]
            ]["currency_id"]
            if row.get("currency_id") != currency:
                db.set(self._name, i, {"currency_id": currency})
                lines = self._children("sale.order.line", "order_id", i)
                self.env.server.mark("sale.order.line", "_recompute_amounts", lines)

    def _mark_partner_rank(self, ids: list[int]) -> None:
        partners = self.env.db.table("res.partner")
        for i in ids:
            pid = self._row(i).get("partner_id")
            if pid and pid in partners and not partners[pid].get("customer_rank"):
                self.env.db.set("res.partner", pid, {"customer_rank": 1})

    def _before_unlink(self, ids: list[int]) -> None:
        for i in ids:
            if self._row(i).get("state") not in ("draft", "cancel"):
                raise errors.UserError(
                    "You can not delete a sent quotation or a confirmed sales order. "
                    "You must first cancel it."
                )

    # -- computed ----------------------------------------------------------------------------

    def _recompute_totals(self, ids: list[int]) -> None:
        lines = self.env.db.table("sale.order.line")
        for i in ids:
            untaxed = tax = ZERO
            for lid in self._children("sale.order.line", "order_id", i):
                line = lines[lid]
                if line.get("display_type"):
                    continue
                untaxed += line.get("price_subtotal") or ZERO
                tax += line.get("price_tax") or ZERO
            self._store(
                [i], {"amount_untaxed": untaxed, "amount_tax": tax, "amount_total": untaxed + tax}
            )

    def _recompute_status(self, ids: list[int]) -> None:
        lines = self.env.db.table("sale.order.line")
        for i in ids:
            row = self._row(i)
            statuses = [
                lines[lid].get("invoice_status")
                for lid in self._children("sale.order.line", "order_id", i)
                if not lines[lid].get("display_type") and not lines[lid].get("is_downpayment")
            ]
            if row.get("state") != "sale":
                status = "no"
            elif "to invoice" in statuses:
                status = "to invoice"
            elif statuses and all(s == "invoiced" for s in statuses):
                status = "invoiced"
            elif statuses and all(s in ("invoiced", "upselling") for s in statuses):
                status = "upselling"
            else:
                status = "no"
            self._store([i], {"invoice_status": status})

    def _compute_invoice_ids(self, ids: list[int]) -> dict[int, Any]:
        sol = self.env.db.table("sale.order.line")
        aml = self.env.db.table("account.move.line")
        out: dict[int, Any] = {}
        for i in ids:
            moves: set[int] = set()
            for lid in self._children("sale.order.line", "order_id", i):
                for ml in sol[lid].get("invoice_lines") or ():
                    if ml in aml:
                        moves.add(aml[ml]["move_id"])
            out[i] = tuple(sorted(moves))
        return out

    def _compute_count(self, ids: list[int]) -> dict[int, Any]:
        return {i: len(v) for i, v in self._compute_invoice_ids(ids).items()}

    def _compute_projects(self, ids: list[int]) -> dict[int, Any]:
        sol = self.env.db.table("sale.order.line")
        out: dict[int, Any] = {}
        for i in ids:
            found = {
                sol[lid].get("project_id")
                for lid in self._children("sale.order.line", "order_id", i)
            }
            project = self._row(i).get("project_id")
            found.add(project)
            for pid, prow in self.env.db.table("project.project").items():
                if prow.get("sale_line_id") in self._children("sale.order.line", "order_id", i):
                    found.add(pid)
            out[i] = tuple(sorted(p for p in found if p))
        return out

    def _compute_tasks(self, ids: list[int]) -> dict[int, Any]:
        tasks = self.env.db.table("project.task")
        return {
            i: tuple(sorted(t for t, row in tasks.items() if row.get("sale_order_id") == i))
            for i in ids
        }

    def _compute_tasks_count(self, ids: list[int]) -> dict[int, Any]:
        return {i: len(v) for i, v in self._compute_tasks(ids).items()}

    def _compute_timesheets(self, ids: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for i in ids:
            found: list[int] = []
            for lid in self._children("sale.order.line", "order_id", i):
                found += self._children("account.analytic.line", "so_line", lid)
            out[i] = tuple(sorted(found))
        return out

    # -- actions -----------------------------------------------------------------------------

    @public
    def action_confirm(self, ids: Sequence[int]) -> bool:
        from lead2cash.emulators.odoo.models import services

        order_ids = ids_of(ids)
        self._check_model_access("write")
        self._check_rules(order_ids, "write")
        lines = self.env.db.table("sale.order.line")
        for i in order_ids:
            row = self._row(i)
            if row.get("state") not in ("draft", "sent"):
                raise errors.UserError("Some orders are not in a state requiring confirmation.")
            for lid in self._children("sale.order.line", "order_id", i):
                line = lines[lid]
                if (
                    not line.get("display_type")
                    and not line.get("is_downpayment")
                    and not line.get("product_id")
                ):
                    raise errors.UserError(
                        "Some order lines are missing a product, you need to correct them "
                        "before going further."
                    )
        self._write(order_ids, {"state": "sale", "date_order": self.env.now_text()})
        services.generate(self.env, order_ids)
        return True

    @public
    def action_cancel(self, ids: Sequence[int]) -> bool:
        order_ids = ids_of(ids)
        self._check_model_access("write")
        moves = self.env.db.table("account.move")
        for i in order_ids:
            for move in self._compute_invoice_ids([i])[i]:
                if moves[move].get("state") == "draft":
                    self.env.sudo()["account.move"]._write([move], {"state": "cancel"})
        self._write(order_ids, {"state": "cancel"})
        return True

    @public
    def action_draft(self, ids: Sequence[int]) -> bool:
        order_ids = ids_of(ids)
        self._check_model_access("write")
        self._write(order_ids, {"state": "draft"})
        return True

    @public
    def action_lock(self, ids: Sequence[int]) -> bool:
        self._check_model_access("write")
        self._write(ids_of(ids), {"locked": True})
        return True

    @public
    def action_unlock(self, ids: Sequence[int]) -> bool:
        self._check_model_access("write")
        self._write(ids_of(ids), {"locked": False})
        return True


class SaleOrderLine(Model):
    _name = "sale.order.line"
    _description = "Sales Order Line"
    _order = "order_id, sequence, id"
    _company_checked = ("product_id",)

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        display = [("line_section", "Section"), ("line_note", "Note")]
        if spec.major >= 19:
            display.insert(1, ("line_subsection", "Subsection"))
        return {
            "order_id": f.Many2one(
                "sale.order", "Order Reference", required=True, index=True, ondelete="cascade"
            ),
            "sequence": f.Integer("Sequence", default=10),
            "name": f.Text("Description"),
            "display_type": f.SelectionField(display, "Display Type"),
            "product_id": f.Many2one("product.product", "Product", index=True),
            "product_template_id": f.Many2one(
                "product.template", "Product Template", related="product_id.product_tmpl_id"
            ),
            "product_uom_qty": f.Float("Quantity", default=Decimal(1), digits=2),
            spec.sol_uom_field: f.Many2one("uom.uom", "Unit"),
            "price_unit": f.Float("Unit Price", digits=2),
            "discount": f.Float("Discount (%)", default=Decimal(0), digits=2),
            spec.sol_tax_field: f.Many2many("account.tax", "Taxes"),
            "price_subtotal": f.Monetary("Subtotal", readonly=True, compute="_amounts"),
            "price_tax": f.Monetary("Total Tax", readonly=True, compute="_amounts"),
            "price_total": f.Monetary("Total", readonly=True, compute="_amounts"),
            "currency_id": f.Many2one("res.currency", "Currency", related="order_id.currency_id"),
            "company_id": f.Many2one("res.company", "Company", index=True),
            "order_partner_id": f.Many2one(
                "res.partner", "Customer", related="order_id.partner_id"
            ),
            "salesman_id": f.Many2one("res.users", "Salesperson", related="order_id.user_id"),
            "state": f.SelectionField(ORDER_STATES, "Order Status", related="order_id.state"),
            "is_downpayment": f.Boolean("Is a down payment", default=False),
            "is_expense": f.Boolean("Is expense", default=False),
            "is_service": f.Boolean("Is a Service", store=False, compute="_compute_is_service"),
            "qty_delivered_method": f.SelectionField(
                [
                    ("manual", "Manual"),
                    ("analytic", "Analytic From Expenses"),
                    ("timesheet", "Timesheets"),
                    ("milestones", "Milestones"),
                ],
                "Method to update delivered qty",
                readonly=True,
                compute="_qty",
            ),
            "qty_delivered": f.Float("Delivery Quantity", default=Decimal(0), digits=2),
            "qty_invoiced": f.Float("Invoiced Quantity", readonly=True, digits=2, compute="_qty"),
            "qty_to_invoice": f.Float(
                "Quantity To Invoice", readonly=True, digits=2, compute="_qty"
            ),
            "invoice_lines": f.Many2many("account.move.line", "Invoice Lines", copy=False),
            "invoice_status": f.SelectionField(
                INVOICE_STATUS, "Invoice Status", readonly=True, default="no", compute="_qty"
            ),
            "untaxed_amount_invoiced": f.Monetary(
                "Untaxed Invoiced Amount", store=False, compute="_compute_invoiced_amount"
            ),
            "untaxed_amount_to_invoice": f.Monetary(
                "Untaxed Amount To Invoice", store=False, compute="_compute_amount_to_invoice"
            ),
            "analytic_distribution": f.Json("Analytic Distribution"),
            "project_id": f.Many2one("project.project", "Generated Project", index=True),
            "task_id": f.Many2one("project.task", "Generated Task", index=True),
        }

    # -- create / write ----------------------------------------------------------------------

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        env = self.env
        spec = env.spec
        orders = env.db.table("sale.order")
        for vals in vals_list:
            order = orders.get(vals.get("order_id"))
            if order is not None:
                vals.setdefault("company_id", order.get("company_id"))
            product = vals.get("product_id")
            if not product or vals.get("display_type"):
                continue
            products = env.sudo()["product.product"]
            if product not in products._table():
                continue
            if not vals.get("name"):
                vals["name"] = products._display_names([product])[product]
                extra = products._get(product, "description_sale")
                if extra:
                    vals["name"] += f"\n{extra}"
            vals.setdefault(spec.sol_uom_field, products._get(product, "uom_id"))
            if "price_unit" not in vals:
                vals["price_unit"] = float(self._list_price(product, order))
            if spec.sol_tax_field not in vals:
                taxes = list(products._get(product, "taxes_id") or ())
                company = vals.get("company_id") or env.company_id
                tax_table = env.db.table("account.tax")
                taxes = [t for t in taxes if tax_table[t].get("company_id") in (None, company)]
                taxes = self._map_taxes(taxes, order)
                vals[spec.sol_tax_field] = [(6, 0, taxes)]

    def _list_price(self, product: int, order: dict[str, Any] | None) -> Decimal:
        env = self.env
        price = money.dec(env.sudo()["product.product"]._get(product, "list_price"))
        if order is None:
            return price
        company = order["company_id"]
        company_currency = env.db.table("res.company")[company]["currency_id"]
        pricelist = env.db.table("product.pricelist").get(order.get("pricelist_id"))
        currency = (pricelist or {}).get("currency_id") or company_currency
        if currency == company_currency:
            return price
        return money.convert(
            env, price, company_currency, currency, company, str(order["date_order"])[:10]
        )

    def _map_taxes(self, taxes: list[int], order: dict[str, Any] | None) -> list[int]:
        if order is None or not order.get("fiscal_position_id"):
            return taxes
        positions = self.env.sudo()["account.fiscal.position"]
        return list(positions._map_taxes(order["fiscal_position_id"], taxes))

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        server = self.env.server
        server.mark(self._name, "_recompute_amounts", ids)
        server.mark(self._name, "_recompute_qty", ids)
        self._check_order_locked(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        server = self.env.server
        spec = self.env.spec
        if "product_uom_qty" in vals and "price_unit" not in vals:
            self._reset_price_unit(ids)
        if {"price_unit", "product_uom_qty", "discount", spec.sol_tax_field, "product_id"} & set(
            vals
        ):
            server.mark(self._name, "_recompute_amounts", ids)
        server.mark(self._name, "_recompute_qty", ids)
        if "product_uom_qty" in vals:
            self._update_milestone_quantities(ids)

    def _reset_price_unit(self, ids: list[int]) -> None:
        """A new quantity re-prices a line from its product (``_compute_price_unit``), unless
        something of it is invoiced or it is a re-invoiced expense: a price the hub set is lost
        when it writes the quantity alone, as on a real Odoo."""
        table = self._table()
        orders = self.env.db.table("sale.order")
        for i in ids:
            row = table[i]
            if not row.get("product_id") or row.get("display_type") or row.get("is_expense"):
                continue
            if money.dec(row.get("qty_invoiced")) > 0:
                continue
            price = self._list_price(row["product_id"], orders.get(row.get("order_id")))
            row["price_unit"] = float(price)

    def _check_order_locked(self, ids: list[int]) -> None:
        orders = self.env.db.table("sale.order")
        for i in ids:
            order = orders.get(self._table()[i].get("order_id"))
            if order and order.get("locked"):
                raise errors.UserError("You cannot modify the lines of a locked sales order.")

    def _before_unlink(self, ids: list[int]) -> None:
        table = self._table()
        orders = self.env.db.table("sale.order")
        for i in ids:
            row = table[i]
            order = orders.get(row.get("order_id"))
            if (
                order
                and order.get("state") == "sale"
                and not row.get("display_type")
                and (row.get("qty_invoiced") or row.get("qty_delivered"))
                and not self.env.context.get("_unlink_order")
            ):
                raise errors.UserError(
                    "Once a sales order is confirmed, you can't remove one of its lines (we "
                    "need to track if something gets invoiced or delivered).\n"
                    "Set the quantity to 0 instead."
                )
        order_ids = {table[i].get("order_id") for i in ids}
        self.env.server.mark("sale.order", "_recompute_totals", [o for o in order_ids if o])
        self.env.server.mark("sale.order", "_recompute_status", [o for o in order_ids if o])

    def _update_milestone_quantities(self, ids: list[int]) -> None:
        milestones = self.env.db.table("project.milestone")
        for mid, row in milestones.items():
            if row.get("sale_line_id") in ids:
                self.env.server.mark("project.milestone", "_recompute_quantity", [mid])

    # -- computed ----------------------------------------------------------------------------

    def _compute_is_service(self, ids: list[int]) -> dict[int, Any]:
        products = self.env.sudo()["product.product"]
        out = {}
        for i in ids:
            product = self._table()[i].get("product_id")
            out[i] = bool(product) and products._get(product, "type") == "service"
        return out

    def _recompute_amounts(self, ids: list[int]) -> None:
        env = self.env
        tax_field = env.spec.sol_tax_field
        orders = env.db.table("sale.order")
        for i in ids:
            row = self._row(i)
            currency = orders.get(row.get("order_id"), {}).get("currency_id")
            amounts = money.line_amounts(
                env,
                row.get(tax_field) or (),
                money.dec(row.get("price_unit")),
                money.dec(row.get("product_uom_qty")),
                money.dec(row.get("discount")),
                currency,
            )
            self._store(
                [i],
                {
                    "price_subtotal": amounts.untaxed,
                    "price_tax": amounts.tax,
                    "price_total": amounts.total,
                },
            )
        order_ids = {self._row(i).get("order_id") for i in ids}
        env.server.mark("sale.order", "_recompute_totals", [o for o in order_ids if o])

    def _delivered_method(self, row: dict[str, Any]) -> str:
        if row.get("is_expense"):
            return "analytic"
        product = row.get("product_id")
        if not product or row.get("is_downpayment"):
            return "manual"
        products = self.env.sudo()["product.product"]
        if products._get(product, "type") != "service":
            return "manual"
        service_type = products._get(product, "service_type")
        if service_type == "timesheet":
            return "timesheet"
        if service_type == "milestones":
            return "milestones"
        return "manual"

    def _recompute_qty(self, ids: list[int]) -> None:
        env = self.env
        products = env.sudo()["product.product"]
        orders = env.db.table("sale.order")
        moves = env.db.table("account.move")
        move_lines = env.db.table("account.move.line")
        timesheets = env.db.table("account.analytic.line")
        milestones = env.db.table("project.milestone")
        uom_field = env.spec.sol_uom_field
        day = env.server.xmlid_lookup("uom.product_uom_day")
        order_ids: set[int] = set()
        for i in ids:
            row = self._row(i)
            order_ids.add(row["order_id"])
            method = self._delivered_method(row)
            delivered = money.dec(row.get("qty_delivered"))
            if method == "timesheet":
                hours = sum(
                    (
                        money.dec(timesheets[t].get("unit_amount"))
                        for t in self._children("account.analytic.line", "so_line", i)
                        if timesheets[t].get("project_id")
                    ),
                    ZERO,
                )
                if day is not None and row.get(uom_field) == day[1]:
                    hours = hours / HOURS_PER_DAY
                delivered = hours.quantize(Decimal("0.01"))
            elif method == "milestones":
                share = sum(
                    (
                        money.dec(m.get("quantity_percentage"))
                        for m in milestones.values()
                        if m.get("sale_line_id") == i and m.get("is_reached")
                    ),
                    ZERO,
                )
                delivered = (share * money.dec(row.get("product_uom_qty"))).quantize(
                    Decimal("0.01")
                )
            invoiced = ZERO
            for ml in row.get("invoice_lines") or ():
                line = move_lines.get(ml)
                if line is None:
                    continue
                move = moves.get(line["move_id"], {})
                if move.get("state") == "cancel":
                    continue
                qty = money.dec(line.get("quantity"))
                invoiced += -qty if move.get("move_type") == "out_refund" else qty
            order = orders.get(row["order_id"], {})
            policy = (
                products._get(row["product_id"], "invoice_policy")
                if row.get("product_id")
                else "order"
            )
            if row.get("is_downpayment"):
                policy = "order"
            ordered = money.dec(row.get("product_uom_qty"))
            if order.get("state") != "sale" or row.get("display_type"):
                to_invoice = ZERO
            elif policy == "order":
                to_invoice = ordered - invoiced
            else:
                to_invoice = delivered - invoiced
            if order.get("state") != "sale":
                status = "no"
            elif row.get("is_downpayment") and to_invoice == 0:
                status = "invoiced"
            elif to_invoice != 0:
                status = "to invoice"
            elif policy == "order" and ordered >= 0 and delivered > ordered:
                status = "upselling"
            elif invoiced >= ordered:
                status = "invoiced"
            else:
                status = "no"
            self._store(
                [i],
                {
                    "qty_delivered_method": method,
                    "qty_delivered": delivered,
                    "qty_invoiced": invoiced,
                    "qty_to_invoice": to_invoice,
                    "invoice_status": status,
                },
            )
        env.server.mark("sale.order", "_recompute_status", sorted(order_ids))

    def _compute_invoiced_amount(self, ids: list[int]) -> dict[int, Any]:
        move_lines = self.env.db.table("account.move.line")
        moves = self.env.db.table("account.move")
        out: dict[int, Any] = {}
        for i in ids:
            total = ZERO
            for ml in self._row(i).get("invoice_lines") or ():
                line = move_lines.get(ml)
                if line is None or moves[line["move_id"]].get("state") != "posted":
                    continue
                sign = -1 if moves[line["move_id"]].get("move_type") == "out_refund" else 1
                total += sign * money.dec(line.get("price_subtotal"))
            out[i] = total
        return out

    def _compute_amount_to_invoice(self, ids: list[int]) -> dict[int, Any]:
        out: dict[int, Any] = {}
        for i in ids:
            row = self._row(i)
            unit = money.dec(row.get("price_unit")) * (1 - money.dec(row.get("discount")) / 100)
            out[i] = (unit * money.dec(row.get("qty_to_invoice"))).quantize(Decimal("0.01"))
        return out


MODELS: list[type[Model]] = [SaleOrder, SaleOrderLine]
