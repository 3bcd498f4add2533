"""Invoicing sale orders: ``sale.order._create_invoices`` and the ``sale.advance.payment.inv``
wizard (``delivered``, ``percentage``, ``fixed``), with ``sale_timesheet``'s linking of the
invoiced timesheets (``timesheet_invoice_id``).

``create_invoices`` returns ``sale.order.action_view_invoice``: an act_window whose context
holds ``default_invoice_payment_term_id``, which is ``None`` when neither the order nor the
customer has payment terms, so over XML-RPC the call answers "cannot marshal None" after the
invoice was committed, as seen on Odoo 19.
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
from lead2cash.emulators.odoo.orm.model import Model, TransientModel
from lead2cash.emulators.odoo.orm.read import ids_of
from lead2cash.emulators.odoo.versions import VersionSpec

ZERO = Decimal(0)
NOTHING_TO_INVOICE = (
    "Cannot create an invoice. No items are available to invoice.\n\n"
    "To resolve this issue, please ensure that:\n"
    "   \u2022 The products have been delivered before attempting to invoice them.\n"
    "   \u2022 The invoicing policy of the product is configured correctly.\n\n"
    "If you want to invoice based on ordered quantities instead:\n"
    "   \u2022 For consumable or storable products, open the product, go to the 'General "
    "Information' tab and change the 'Invoicing Policy' from 'Delivered Quantities' to "
    "'Ordered Quantities'.\n"
    "   \u2022 For services (and other products), change the 'Invoicing Policy' to "
    "'Prepaid/Fixed Price'.\n"
)


def invoiceable_lines(env: Env, order: int, final: bool) -> list[int]:
    lines = env.db.table("sale.order.line")
    ids = env["sale.order.line"]._children("sale.order.line", "order_id", order)
    result = []
    for lid in ids:
        row = lines[lid]
        if row.get("display_type"):
            continue
        qty = money.dec(row.get("qty_to_invoice"))
        if qty == 0:
            continue
        if row.get("is_downpayment") and not final and qty < 0:
            continue
        result.append(lid)
    return result


def create_invoices(
    env: Env,
    order_ids: Sequence[int],
    *,
    final: bool = False,
    grouped: bool = False,
    timesheet_range: tuple[str | None, str | None] = (None, None),
) -> list[int]:
    """``sale.order._create_invoices``: draft customer invoices for what is to invoice."""
    env.server.flush()
    orders = env.db.table("sale.order")
    lines = env.db.table("sale.order.line")
    tax_field = env.spec.sol_tax_field
    uom_field = env.spec.sol_uom_field
    groups: dict[tuple[Any, ...], list[tuple[int, list[int]]]] = {}
    for oid in order_ids:
        chosen = invoiceable_lines(env, oid, final)
        if not chosen:
            continue
        order = orders[oid]
        key: tuple[Any, ...] = (
            (oid,)
            if grouped
            else (
                order["company_id"],
                order.get("partner_invoice_id") or order["partner_id"],
                order.get("partner_shipping_id"),
                order.get("currency_id"),
                order.get("fiscal_position_id"),
            )
        )
        groups.setdefault(key, []).append((oid, chosen))
    if not groups:
        raise errors.UserError(NOTHING_TO_INVOICE)
    moves = env.sudo()["account.move"]
    created: list[int] = []
    for members in groups.values():
        first = orders[members[0][0]]
        invoice_lines: list[Any] = []
        for _order, chosen in members:
            for lid in chosen:
                row = lines[lid]
                invoice_lines.append(
                    (
                        0,
                        0,
                        {
                            "name": row.get("name") or "",
                            "product_id": row.get("product_id") or False,
                            "product_uom_id": row.get(uom_field) or False,
                            "quantity": float(money.dec(row.get("qty_to_invoice"))),
                            "price_unit": float(money.dec(row.get("price_unit"))),
                            "discount": float(money.dec(row.get("discount"))),
                            "tax_ids": [(6, 0, list(row.get(tax_field) or ()))],
                            "analytic_distribution": row.get("analytic_distribution") or False,
                            "sequence": row.get("sequence") or 10,
                        },
                    )
                )
        refs = [
            orders[o].get("client_order_ref")
            for o, _ in members
            if orders[o].get("client_order_ref")
        ]
        values = {
            "move_type": "out_invoice",
            "partner_id": first.get("partner_invoice_id") or first["partner_id"],
            "currency_id": first.get("currency_id"),
            "company_id": first["company_id"],
            "invoice_origin": ", ".join(str(orders[o]["name"]) for o, _ in members),
            "ref": ", ".join(str(r) for r in refs) or False,
            "invoice_payment_term_id": first.get("payment_term_id") or False,
            "fiscal_position_id": first.get("fiscal_position_id") or False,
            "invoice_user_id": first.get("user_id") or False,
            "narration": first.get("note") or False,
            "invoice_line_ids": invoice_lines,
        }
        [move] = moves._create([values])
        created.append(move)
        created_lines = moves._children("account.move.line", "move_id", move)
        flat = [lid for _, chosen in members for lid in chosen]
        for sol, aml in zip(flat, created_lines, strict=True):
            current = tuple(lines[sol].get("invoice_lines") or ())
            env.db.set("sale.order.line", sol, {"invoice_lines": (*current, aml)})
        env.server.mark("sale.order.line", "_recompute_qty", flat)
        link_timesheets(env, move, flat, timesheet_range)
    env.server.flush()
    return created


def link_timesheets(
    env: Env, move: int, sale_lines: Sequence[int], period: tuple[str | None, str | None]
) -> None:
    """``_link_timesheets_to_invoice``: uninvoiced timesheets of delivered-timesheet lines."""
    products = env.sudo()["product.product"]
    lines = env.db.table("sale.order.line")
    timesheets = env.db.table("account.analytic.line")
    moves = env.db.table("account.move")
    start, end = period
    for sol in sale_lines:
        product = lines[sol].get("product_id")
        if not product:
            continue
        if (
            products._get(product, "invoice_policy") != "delivery"
            or products._get(product, "service_type") != "timesheet"
        ):
            continue
        for tid in env["account.analytic.line"]._children("account.analytic.line", "so_line", sol):
            row = timesheets[tid]
            if not row.get("project_id"):
                continue
            current = moves.get(row.get("timesheet_invoice_id"))
            if (
                current is not None
                and current.get("state") != "cancel"
                and current.get("payment_state") != "reversed"
            ):
                continue
            if start and (row.get("date") or "") < start:
                continue
            if end and (row.get("date") or "") > end:
                continue
            env.db.set("account.analytic.line", tid, {"timesheet_invoice_id": move})


def view_invoice_action(
    env: Env, order_ids: Sequence[int], invoices: Sequence[int]
) -> dict[str, Any]:
    """``sale.order.action_view_invoice(invoices=...)``."""
    action: dict[str, Any] = {
        "id": 0,
        "name": "Invoices",
        "type": "ir.actions.act_window",
        "res_model": "account.move",
        "view_mode": "list,kanban,form",
        "views": [[False, "list"], [False, "kanban"], [False, "form"]],
        "target": "current",
        "domain": [["move_type", "=", "out_invoice"]],
    }
    if len(invoices) > 1:
        action["domain"] = [["id", "in", list(invoices)]]
    elif len(invoices) == 1:
        action["views"] = [[False, "form"], [False, "list"], [False, "kanban"]]
        action["res_id"] = invoices[0]
    else:
        action = {"type": "ir.actions.act_window_close"}
    context: dict[str, Any] = {"default_move_type": "out_invoice"}
    if len(order_ids) == 1:
        order = env.db.table("sale.order")[order_ids[0]]
        partner = env.db.table("res.partner").get(order["partner_id"], {})
        term = order.get("payment_term_id") or partner.get("property_payment_term_id") or None
        context.update(
            default_partner_id=order["partner_id"],
            default_partner_shipping_id=order.get("partner_shipping_id") or False,
            default_invoice_payment_term_id=term,
            default_invoice_origin=order["name"],
        )
    action["context"] = context
    return action


class SaleAdvancePaymentInv(TransientModel):
    _name = "sale.advance.payment.inv"
    _description = "Sales Advance Payment Invoice"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "advance_payment_method": f.SelectionField(
                [
                    ("delivered", "Regular invoice"),
                    ("percentage", "Down payment (percentage)"),
                    ("fixed", "Down payment (fixed amount)"),
                ],
                "Create Invoice",
                default="delivered",
            ),
            "count": f.Integer("Order Count", store=False, compute="_compute_count"),
            "sale_order_ids": f.Many2many(
                "sale.order", "Sales Orders", default=lambda e: e.context.get("active_ids") or []
            ),
            "deduct_down_payments": f.Boolean("Deduct down payments", default=True),
            "consolidated_billing": f.Boolean("Consolidated Billing", default=True),
            "amount": f.Float("Down Payment", default=Decimal(0)),
            "fixed_amount": f.Monetary("Down Payment Amount (Fixed)", default=Decimal(0)),
            "currency_id": f.Many2one("res.currency", "Currency", store=False, compute="_currency"),
            "company_id": f.Many2one("res.company", "Company", store=False, compute="_company"),
            "date_start_invoice_timesheet": f.Date("Start Date"),
            "date_end_invoice_timesheet": f.Date("End Date"),
        }

    def _compute_count(self, ids: list[int]) -> dict[int, Any]:
        return {i: len(self._row(i).get("sale_order_ids") or ()) for i in ids}

    def _currency(self, ids: list[int]) -> dict[int, Any]:
        orders = self.env.db.table("sale.order")
        out: dict[int, Any] = {}
        for i in ids:
            chosen = list(self._row(i).get("sale_order_ids") or ())
            out[i] = orders[chosen[0]].get("currency_id") if len(chosen) == 1 else None
        return out

    def _company(self, ids: list[int]) -> dict[int, Any]:
        orders = self.env.db.table("sale.order")
        out: dict[int, Any] = {}
        for i in ids:
            chosen = list(self._row(i).get("sale_order_ids") or ())
            out[i] = orders[chosen[0]].get("company_id") if len(chosen) == 1 else None
        return out

    @public
    def create_invoices(self, ids: Sequence[int]) -> dict[str, Any]:
        env = self.env
        all_orders: list[int] = []
        all_invoices: list[int] = []
        for wid in ids_of(ids):
            wizard = self._row(wid)
            orders = list(wizard.get("sale_order_ids") or ())
            env["sale.order"]._check_rules(orders, "read")
            method = wizard.get("advance_payment_method") or "delivered"
            if method == "percentage" and money.dec(wizard.get("amount")) <= 0:
                raise errors.UserError("The value of the down payment amount must be positive.")
            if method == "fixed" and money.dec(wizard.get("fixed_amount")) <= 0:
                raise errors.UserError("The value of the down payment amount must be positive.")
            if method == "delivered":
                invoices = create_invoices(
                    env,
                    orders,
                    final=bool(wizard.get("deduct_down_payments")),
                    grouped=not wizard.get("consolidated_billing"),
                    timesheet_range=(
                        wizard.get("date_start_invoice_timesheet"),
                        wizard.get("date_end_invoice_timesheet"),
                    ),
                )
            else:
                invoices = [self._down_payment(wizard, orders)]
            all_orders += orders
            all_invoices += invoices
        return view_invoice_action(env, all_orders, all_invoices)

    def _down_payment(self, wizard: dict[str, Any], orders: list[int]) -> int:
        env = self.env
        if len(orders) != 1:
            raise errors.value_error(f"Expected singleton: sale.order({orders})")
        oid = orders[0]
        env.server.flush()
        order = env.db.table("sale.order")[oid]
        if order.get("state") != "sale":
            raise errors.UserError("You can only create a down payment for a confirmed order.")
        tax_field = env.spec.sol_tax_field
        lines = env.db.table("sale.order.line")
        real = [
            lines[lid]
            for lid in env["sale.order.line"]._children("sale.order.line", "order_id", oid)
            if not lines[lid].get("display_type") and not lines[lid].get("is_downpayment")
        ]
        tax_sets = {tuple(sorted(r.get(tax_field) or ())) for r in real}
        taxes = list(tax_sets.pop()) if len(tax_sets) == 1 else []
        rate = sum(
            (
                money.dec(t.get("amount"))
                for t in (env.db.table("account.tax")[x] for x in taxes)
                if t.get("amount_type", "percent") == "percent" and not t.get("price_include")
            ),
            ZERO,
        )
        if wizard.get("advance_payment_method") == "percentage":
            untaxed = money.dec(order.get("amount_untaxed")) * money.dec(wizard.get("amount")) / 100
        else:
            untaxed = money.dec(wizard.get("fixed_amount")) / (1 + rate / 100)
        untaxed = money.round_currency(env, order.get("currency_id"), untaxed)
        product = down_payment_product(env)
        [sol] = env.sudo()["sale.order.line"]._create(
            [
                {
                    "order_id": oid,
                    "name": f"Down Payment: {env.today_text()} (Draft)",
                    "product_id": product,
                    "product_uom_qty": 0,
                    "price_unit": float(untaxed),
                    tax_field: [(6, 0, taxes)],
                    "is_downpayment": True,
                    "sequence": 9999,
                }
            ]
        )
        env.server.flush()
        [move] = env.sudo()["account.move"]._create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": order.get("partner_invoice_id") or order["partner_id"],
                    "currency_id": order.get("currency_id"),
                    "company_id": order["company_id"],
                    "invoice_origin": order["name"],
                    "invoice_payment_term_id": order.get("payment_term_id") or False,
                    "invoice_line_ids": [
                        (
                            0,
                            0,
                            {
                                "name": f"Down Payment: {env.today_text()}",
                                "product_id": product,
                                "quantity": 1,
                                "price_unit": float(untaxed),
                                "tax_ids": [(6, 0, taxes)],
                            },
                        )
                    ],
                }
            ]
        )
        [aml] = env["account.move"]._children("account.move.line", "move_id", move)
        env.db.set("sale.order.line", sol, {"invoice_lines": (aml,)})
        env.server.mark("sale.order.line", "_recompute_qty", [sol])
        env.server.flush()
        return int(move)


def down_payment_product(env: Env) -> int:
    found = env.server.xmlid_lookup("sale.advance_product_0")
    if found is not None:
        return found[1]
    [product] = env.sudo()["product.product"]._create(
        [
            {
                "name": "Down payment",
                "type": "service",
                "invoice_policy": "order",
                "list_price": 0,
                "taxes_id": [(6, 0, [])],
                "sale_ok": False,
                "purchase_ok": False,
            }
        ]
    )
    env.server.set_xmlid("sale", "advance_product_0", "product.product", product)
    return int(product)


MODELS: list[type[Model]] = [SaleAdvancePaymentInv]
