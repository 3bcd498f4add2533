"""Invoices of a sale order: drafted by Odoo's own invoicing wizard, and their status read back
for the CRM.

Drafting uses ``sale.advance.payment.inv`` (``sale.order._create_invoices`` is private): the
wizard is created with ``active_model``/``active_ids`` in its context, ``create_invoices`` runs
it, and the new drafts are the order's ``invoice_ids`` that were not there before. Odoo answers
"There is no invoiceable line" when nothing is delivered and not yet invoiced; that is
reported as ``nothing_to_invoice``, not as a failure (19 says "No items are available to
invoice"). ``create_invoices`` is not idempotent: a
timeout raises :class:`~lead2cash.errors.AmbiguousWriteError` and the caller reads the status
back before trying again.

Status amounts are exact :class:`~lead2cash.model.money.Money` in the order's currency (Odoo's
floats go through ``Decimal(str(x))`` and are rounded to the currency): invoiced to date = the
posted invoices' ``amount_total`` minus posted credit notes'; paid to date = the same totals
minus ``amount_residual``; overdue = a posted invoice past its due date with a residual.
Invoices in another currency than the order's are listed apart and left out of the sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import Resolver, Scope, to_money
from lead2cash.model.base import SourceRef
from lead2cash.model.invoice import Invoice, InvoiceState, PaymentState
from lead2cash.model.money import Money

#: Odoo's "nothing to invoice" refusal: 17/18 "There is no invoiceable line ...", 19 "Cannot
#: create an invoice. No items are available to invoice. ..."
_NOTHING = re.compile(r"no invoiceable line|no items are available to invoice", re.IGNORECASE)
_MOVE = [
    "name",
    "move_type",
    "state",
    "payment_state",
    "amount_untaxed",
    "amount_total",
    "amount_residual",
    "currency_id",
    "invoice_date",
    "invoice_date_due",
]

AdvanceMethod = Literal["delivered", "percentage", "fixed"]


@dataclass(frozen=True)
class DraftResult:
    order_id: int
    invoice_ids: tuple[int, ...]
    nothing_to_invoice: bool = False


@dataclass(frozen=True)
class InvoiceStatus:
    """Invoice and payment status of one sale order, for the CRM."""

    order_id: int
    order_name: str
    currency: str
    invoiced: Money
    paid: Money
    outstanding: Money
    last_invoice_state: InvoiceState | None
    last_payment_state: PaymentState | None
    overdue: bool
    invoices: tuple[Invoice, ...]
    other_currency_invoice_ids: tuple[int, ...] = ()


class InvoiceGateway:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver

    def draft_invoices(
        self,
        scope: Scope,
        order_id: int,
        *,
        method: AdvanceMethod = "delivered",
        amount: Decimal | None = None,
        timesheets_from: date | None = None,
        timesheets_to: date | None = None,
    ) -> DraftResult:
        """Draft the order's invoice(s) with Odoo's wizard; ``method`` ``delivered`` (regular
        invoice), or a down payment as a ``percentage`` / ``fixed`` ``amount``.
        ``timesheets_from``/``_to``: only the timesheets of those days are invoiced (the
        wizard's timesheet period, ``sale_timesheet``)."""
        client = self.resolver.client
        before = set(self._invoice_ids(scope, order_id))
        ctx = {"active_model": "sale.order", "active_ids": [order_id], "active_id": order_id}
        values: dict[str, Any] = {
            "advance_payment_method": method,
            "sale_order_ids": [(6, 0, [order_id])],
        }
        if timesheets_from is not None:
            values["date_start_invoice_timesheet"] = timesheets_from.isoformat()
        if timesheets_to is not None:
            values["date_end_invoice_timesheet"] = timesheets_to.isoformat()
        if method == "percentage":
            values["amount"] = amount
        elif method == "fixed":
            values["fixed_amount"] = amount
        wizard = client.create(
            "sale.advance.payment.inv", [values], context=ctx, company_ids=scope.company_ids
        )
        try:
            client.execute_kw(
                "sale.advance.payment.inv",
                "create_invoices",
                [wizard],
                context=ctx,
                company_ids=scope.company_ids,
                confirm=lambda: set(self._invoice_ids(scope, order_id)) != before,
            )
        except errors.RejectedError as exc:
            if _NOTHING.search(exc.message):
                return DraftResult(order_id, (), nothing_to_invoice=True)
            raise
        new = sorted(set(self._invoice_ids(scope, order_id)) - before)
        drafts = (
            [
                int(r["id"])
                for r in client.read("account.move", new, ["state"], company_ids=scope.company_ids)
                if r["state"] == "draft"
            ]
            if new
            else []
        )
        return DraftResult(order_id, tuple(drafts), nothing_to_invoice=not drafts)

    def status(
        self,
        scope: Scope,
        order_id: int,
        *,
        contract: SourceRef | None = None,
        today: date | None = None,
    ) -> InvoiceStatus:
        today = today or datetime.now(UTC).date()
        resolver = self.resolver
        order = resolver.read_one(
            "sale.order", order_id, ["name", "currency_id", "invoice_ids"], scope
        )
        currency = str(order["currency_id"][1]) if order["currency_id"] else scope.currency
        moves = (
            resolver.client.read(
                "account.move", list(order["invoice_ids"]), _MOVE, company_ids=scope.company_ids
            )
            if order["invoice_ids"]
            else []
        )
        invoices: list[Invoice] = []
        other: list[int] = []
        for move in sorted(moves, key=lambda m: int(m["id"])):
            if move["move_type"] not in ("out_invoice", "out_refund"):
                continue
            move_currency = str(move["currency_id"][1]) if move["currency_id"] else currency
            if move_currency != currency:
                other.append(int(move["id"]))
                continue
            invoices.append(_invoice(move, currency, contract))
        zero = Money.zero(currency)
        invoiced, paid, outstanding = zero, zero, zero
        for inv in invoices:
            if inv.state != InvoiceState.POSTED:
                continue
            sign = -1 if inv.is_credit_note else 1
            invoiced = invoiced + inv.amount_total * sign
            outstanding = outstanding + inv.amount_residual * sign
            paid = paid + (inv.amount_total - inv.amount_residual) * sign
        last = invoices[-1] if invoices else None
        return InvoiceStatus(
            order_id=order_id,
            order_name=str(order["name"]),
            currency=currency,
            invoiced=invoiced,
            paid=paid,
            outstanding=outstanding,
            last_invoice_state=last.state if last else None,
            last_payment_state=last.payment_state if last else None,
            overdue=any(inv.overdue(today) for inv in invoices if not inv.is_credit_note),
            invoices=tuple(invoices),
            other_currency_invoice_ids=tuple(other),
        )

    def _invoice_ids(self, scope: Scope, order_id: int) -> list[int]:
        row = self.resolver.read_one("sale.order", order_id, ["invoice_ids"], scope)
        return [int(i) for i in row["invoice_ids"]]


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _invoice(move: dict[str, Any], currency: str, contract: SourceRef | None) -> Invoice:
    try:
        state = InvoiceState(move["state"])
        payment = PaymentState(move["payment_state"] or "not_paid")
    except ValueError as exc:
        raise errors.RejectedError(
            f"invoice {move['id']} has a state the hub does not know: {exc}",
            system="odoo",
            operation="account.move.read",
        ) from exc
    return Invoice(
        source=SourceRef(system="odoo", object_type="invoice", external_id=str(move["id"])),
        number=move["name"] if move["name"] and move["name"] != "/" else None,
        contract=contract,
        state=state,
        payment_state=payment,
        amount_untaxed=to_money(move["amount_untaxed"], currency),
        amount_total=to_money(move["amount_total"], currency),
        amount_residual=to_money(move["amount_residual"], currency),
        invoice_date=_date(move["invoice_date"]),
        due_date=_date(move["invoice_date_due"]),
        is_credit_note=move["move_type"] == "out_refund",
    )
