"""Invoices and payments, as Odoo reports them back."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field

from lead2cash.model.base import Canonical, SourceRef
from lead2cash.model.money import Money


class InvoiceState(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    CANCEL = "cancel"


class PaymentState(StrEnum):
    """Odoo's ``account.move.payment_state`` values (17/18/19)."""

    NOT_PAID = "not_paid"
    IN_PAYMENT = "in_payment"
    PAID = "paid"
    PARTIAL = "partial"
    REVERSED = "reversed"
    BLOCKED = "blocked"
    INVOICING_LEGACY = "invoicing_legacy"


class Invoice(Canonical):
    kind = "invoice"

    number: str | None = None
    contract: SourceRef | None = None
    state: InvoiceState
    payment_state: PaymentState = PaymentState.NOT_PAID
    amount_untaxed: Money
    amount_total: Money
    amount_residual: Money
    invoice_date: date | None = None
    due_date: date | None = None
    is_credit_note: bool = False

    def overdue(self, today: date) -> bool:
        return (
            self.state == InvoiceState.POSTED
            and self.due_date is not None
            and self.due_date < today
            and self.amount_residual.amount > 0
        )


class Payment(Canonical):
    kind = "payment"

    invoice: SourceRef | None = None
    amount: Money
    day: date
    memo: str = Field(default="")
