"""Invoices drafted by Odoo's wizard, and status read back as exact amounts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from lead2cash.connectors.odoo.gateway import OdooGateway
from lead2cash.model import InvoiceState, Money, PaymentState


@pytest.fixture
def delivered(target: Any, gateway: OdooGateway, make: Any, bindings: dict[str, int]) -> Any:
    """A T&M order at 150/h with 5.5 approved hours on it."""
    customer = make.customer()
    gateway.partners.upsert_customer(target.scope, customer)
    contract = make.tm_contract(customer.source)
    order = gateway.sales.upsert_contract(target.scope, contract)
    harvest_project = customer.source.model_copy(
        update={"system": "harvest", "object_type": "project", "external_id": target.uid()}
    )
    assert order.project_id is not None
    bindings[harvest_project.key] = order.project_id
    uid = target.uid()
    gateway.timesheets.sync(
        target.scope,
        [
            make.time_entry(harvest_project, "u1", "3", entry_id=f"{uid}-1"),
            make.time_entry(harvest_project, "u2", "2.5", entry_id=f"{uid}-2"),
        ],
    )
    return contract, order


def _tax_rate(target: Any, order_line: int) -> Decimal:
    line = target.bot.read("sale.order.line", [order_line], ["price_tax", "price_subtotal"])[0]
    if not line["price_subtotal"]:
        return Decimal(0)
    return Decimal(str(line["price_tax"])) / Decimal(str(line["price_subtotal"]))


def test_invoice_is_drafted_and_status_read_back_exactly(
    target: Any, gateway: OdooGateway, delivered: Any
) -> None:
    contract, order = delivered
    scope = target.scope
    before = gateway.invoices.status(scope, order.order_id, contract=contract.source)
    assert before.invoiced == Money.zero("USD")
    assert before.last_invoice_state is None
    assert not before.overdue

    drafted = gateway.invoices.draft_invoices(scope, order.order_id)
    assert len(drafted.invoice_ids) == 1 and not drafted.nothing_to_invoice
    (invoice_id,) = drafted.invoice_ids
    draft = gateway.invoices.status(scope, order.order_id, contract=contract.source)
    assert draft.last_invoice_state == InvoiceState.DRAFT
    assert draft.invoiced == Money.zero("USD")  # drafts are not invoiced yet
    (inv,) = draft.invoices
    assert inv.amount_untaxed == Money.of("825.00", "USD")  # 5.5 h x 150
    assert inv.contract == contract.source
    # nothing more is delivered: the wizard has nothing to invoice
    assert gateway.invoices.draft_invoices(scope, order.order_id).nothing_to_invoice

    target.bot.execute_kw("account.move", "action_post", [[invoice_id]])
    posted = gateway.invoices.status(scope, order.order_id)
    total = posted.invoices[0].amount_total
    expected = (Decimal("825.00") * (1 + _tax_rate(target, order.line_ids["tm"]))).quantize(
        Decimal("0.01")
    )
    assert total == Money.of(expected, "USD")
    assert isinstance(total.amount, Decimal)
    assert posted.invoiced == total
    assert posted.paid == Money.zero("USD")
    assert posted.outstanding == total
    assert posted.last_invoice_state == InvoiceState.POSTED
    assert posted.last_payment_state == PaymentState.NOT_PAID
    due = posted.invoices[0].due_date
    assert due is not None
    assert not posted.overdue
    late = gateway.invoices.status(scope, order.order_id, today=due + timedelta(days=1))
    assert late.overdue

    ctx = {"active_model": "account.move", "active_ids": [invoice_id]}
    wizard = target.bot.create("account.payment.register", [{"amount": 100.0}], context=ctx)[0]
    target.bot.execute_kw(
        "account.payment.register", "action_create_payments", [[wizard]], context=ctx
    )
    partly = gateway.invoices.status(scope, order.order_id, today=due + timedelta(days=1))
    assert partly.paid == Money.of("100.00", "USD")
    assert partly.outstanding == total - Money.of("100.00", "USD")
    assert partly.last_payment_state in (PaymentState.PARTIAL, PaymentState.IN_PAYMENT)
    assert partly.overdue
