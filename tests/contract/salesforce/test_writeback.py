"""Feedback: PATCH of the hub's fields, upsert by External ID (201 created, 200 updated, 300
ambiguous), and Salesforce's refusals mapped to the hub's errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.connectors.salesforce import (
    InvoiceFeedback,
    update_record,
    upsert_by_external_id,
    write_invoice_feedback,
)
from lead2cash.emulators.faults import FaultRule


def test_invoice_feedback_is_patched_onto_the_opportunity(target, deals) -> None:
    created = target.seed(deals(won=1))
    client = target.client()
    opp = created["refs"]["o0"]
    feedback = InvoiceFeedback(
        status="paid",
        invoice_number="INV/2026/0042",
        amount_invoiced=Decimal("3251.25"),
        amount_paid=Decimal("3251.25"),
    )
    write_invoice_feedback(
        target.client(feedback={"amount_invoiced": "Odoo_Amount_Invoiced__c"}), opp, feedback
    )
    record = client.get("Opportunity", opp)
    assert record["Odoo_Amount_Invoiced__c"] == Decimal("3251.25")
    assert record["Odoo_Invoice_Status__c"] == "paid"
    assert record["Odoo_Invoice_Number__c"] == "INV/2026/0042"
    assert record["Odoo_Amount_Paid__c"] == Decimal("3251.25")
    patch = [r for r in target.requests if r.method == "PATCH"][-1]
    assert b'"Odoo_Amount_Paid__c":3251.25' in patch.content  # a JSON number, exact


def test_upsert_by_external_id_creates_then_updates(target, deals) -> None:
    created = target.seed(deals(won=1))
    client = target.client()
    values = {"Name": "Acme Holding", "BillingCountry": "France"}
    first = upsert_by_external_id(client, "Account", "Odoo_Partner_Id__c", "res.partner 7", values)
    assert first.created is True
    assert first.id is not None
    second = upsert_by_external_id(
        client, "Account", "Odoo_Partner_Id__c", "res.partner 7", {"Phone": "+33 1 23"}
    )
    assert (second.id, second.created) == (first.id, False)
    assert client.get("Account", first.id)["Phone"] == "+33 1 23"
    statuses = [c.status for c in target.calls() if c.method == "PATCH"]
    assert statuses == [201, 200]
    assert created["refs"]["acme"] != first.id


def test_an_ambiguous_external_id_is_a_conflict(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=0))
    for ref in ("acme", "globex"):
        state.data.update(
            "Account", created["refs"][ref], {"Odoo_Partner_Id__c": "dup"}, system=True
        )
    with pytest.raises(errors.RemoteConflictError) as caught:
        target.client().upsert("Account", "Odoo_Partner_Id__c", "dup", {"Phone": "1"})
    assert caught.value.details["status"] == 300


def test_upsert_needs_an_external_id_field(target, deals) -> None:
    target.seed(deals(won=1))
    with pytest.raises(errors.NotFoundError):
        target.client().upsert("Account", "Name", "Acme SAS", {"Phone": "1"})


def test_required_fields_and_validation_rules_are_rejections(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=1))
    client = target.client()
    with pytest.raises(errors.RejectedError) as caught:
        update_record(client, "Contact", created["refs"]["kim"], {"LastName": None})
    assert caught.value.details["remote_type"] == "REQUIRED_FIELD_MISSING"
    assert caught.value.details["fields"] == "LastName"
    state.plan.add(
        FaultRule(
            "status",
            path_prefix="/services/data/v62.0/sobjects/Opportunity",
            method="PATCH",
            status=400,
            body='[{"message":"Amount paid cannot exceed the amount",'
            '"errorCode":"FIELD_CUSTOM_VALIDATION_EXCEPTION","fields":["Odoo_Amount_Paid__c"]}]',
        )
    )
    with pytest.raises(errors.RejectedError) as rule:
        write_invoice_feedback(client, created["refs"]["o0"], InvoiceFeedback(status="paid"))
    assert rule.value.details["remote_type"] == "FIELD_CUSTOM_VALIDATION_EXCEPTION"
    assert isinstance(rule.value, errors.ValidationError)


def test_writes_to_a_deleted_record_are_not_found(target, deals) -> None:
    created = target.seed(deals(won=1))
    client = target.client()
    client.delete("Opportunity", created["refs"]["o0"])
    with pytest.raises(errors.NotFoundError) as caught:
        write_invoice_feedback(client, created["refs"]["o0"], InvoiceFeedback(status="paid"))
    assert caught.value.details["remote_type"] == "ENTITY_IS_DELETED"
