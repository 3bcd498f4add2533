"""Accounting of expenses: receipts for employee-paid expenses, payments for company-paid ones,
and re-invoicing to the customer's sale order (``sale_expense``)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.models import money
from lead2cash.emulators.odoo.models.account import journal_of
from lead2cash.emulators.odoo.orm.env import Env


def _line(env: Env, expense: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": expense.get("name") or "",
        "product_id": expense.get("product_id") or False,
        "quantity": 1,
        "price_unit": float(
            money.dec(
                expense.get("untaxed_amount_currency") or expense.get("total_amount_currency")
            )
        ),
        "tax_ids": [(6, 0, list(expense.get("tax_ids") or ()))],
        "analytic_distribution": expense.get("analytic_distribution") or False,
    }


def receipts(
    env: Env,
    expense_ids: Sequence[int],
    date: str | None,
    *,
    post: bool = True,
    grouped: bool = False,
) -> list[int]:
    """Employee-paid expenses: purchase receipts to the employee (one per expense, or one for
    all when ``grouped``), posted unless ``post`` is False."""
    su = env.sudo()
    expenses = env.db.table("hr.expense")
    employees = env.db.table("hr.employee")
    rows = [expenses[i] for i in expense_ids]
    groups = [rows] if grouped else [[r] for r in rows]
    created: list[int] = []
    for group in groups:
        first = group[0]
        employee = employees.get(first["employee_id"], {})
        [move] = su["account.move"]._create(
            [
                {
                    "move_type": "in_receipt",
                    "partner_id": employee.get("work_contact_id") or False,
                    "currency_id": first.get("currency_id"),
                    "company_id": first["company_id"],
                    "journal_id": journal_of(env, first["company_id"], "purchase"),
                    "invoice_date": date or env.today_text(),
                    "date": date or env.today_text(),
                    "ref": first.get("name")
                    if len(group) == 1
                    else f"{employee.get('name')} expenses",
                    "invoice_line_ids": [(0, 0, _line(env, r)) for r in group],
                }
            ]
        )
        if post:
            su["account.move"].action_post([move])
        created.append(move)
    return created


def pay_by_company(env: Env, expense_ids: Sequence[int]) -> int:
    """Company-paid expenses: a posted outbound payment; returns its journal entry."""
    su = env.sudo()
    expenses = env.db.table("hr.expense")
    rows = [expenses[i] for i in expense_ids]
    total = sum((money.dec(r.get("total_amount_currency")) for r in rows), Decimal(0))
    memo = "ref" if env.spec.major <= 17 else "memo"
    [payment] = su["account.payment"]._create(
        [
            {
                "payment_type": "outbound",
                "partner_type": "supplier",
                "amount": float(total),
                "currency_id": rows[0].get("currency_id"),
                "company_id": rows[0]["company_id"],
                memo: rows[0].get("name"),
            }
        ]
    )
    su["account.payment"]._post([payment])
    return int(env.db.table("account.payment")[payment]["move_id"])


def reinvoice(env: Env, expense_ids: Sequence[int]) -> None:
    """Expenses with a sale order and a re-invoicing product become delivered sale lines."""
    su = env.sudo()
    products = su["product.product"]
    expenses = env.db.table("hr.expense")
    orders = env.db.table("sale.order")
    tax_field = env.spec.sol_tax_field
    for eid in expense_ids:
        row = expenses[eid]
        order = orders.get(row.get("sale_order_id"))
        product = row.get("product_id")
        if order is None or not product:
            continue
        policy = products._get(product, "expense_policy")
        if policy not in ("cost", "sales_price"):
            continue
        if order.get("state") != "sale":
            raise errors.UserError(
                f"The Sales Order {order['name']} linked to the Analytic Account must be "
                "validated before registering expenses."
            )
        qty = money.dec(row.get("quantity")) or Decimal(1)
        if policy == "cost":
            price = money.convert(
                env,
                money.dec(row.get("untaxed_amount_currency") or row.get("total_amount_currency"))
                / qty,
                row["currency_id"],
                order["currency_id"],
                order["company_id"],
                env.today_text(),
            )
        else:
            price = money.dec(products._get(product, "list_price"))
        [line] = su["sale.order.line"]._create(
            [
                {
                    "order_id": row["sale_order_id"],
                    "name": row.get("name") or "",
                    "product_id": product,
                    "product_uom_qty": 0,
                    "price_unit": float(price),
                    tax_field: [(6, 0, list(products._get(product, "taxes_id") or ()))],
                    "is_expense": True,
                }
            ]
        )
        env.db.set("sale.order.line", line, {"qty_delivered": qty})
        env.server.mark("sale.order.line", "_recompute_qty", [line])
