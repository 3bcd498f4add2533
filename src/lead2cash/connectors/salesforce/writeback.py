"""Feedback to Salesforce: the fields the hub owns, written on records that Salesforce owns.

The hub writes invoice and payment status onto the won opportunity (custom fields named in
``settings.feedback``, reference §2.3) with a ``PATCH`` of those fields only, and keys records
it creates by an External ID field (``Odoo_Partner_Id__c`` ...) with an upsert, so a retried
write never duplicates: ``PATCH sobjects/<T>/<field>/<value>`` answers 201 when it inserted,
200 (204 before v46.0) when it updated, 300 when several records carry the value
(:class:`~lead2cash.errors.RemoteConflictError`, a person decides).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from lead2cash.connectors.salesforce.client import SalesforceClient, UpsertResult
from lead2cash.connectors.salesforce.settings import FeedbackFields


@dataclass(frozen=True)
class InvoiceFeedback:
    """What Odoo says about a deal's invoicing (money as Decimal in the deal's currency)."""

    status: str
    invoice_number: str | None = None
    amount_invoiced: Decimal | None = None
    amount_paid: Decimal | None = None
    payment_date: date | None = None


def feedback_values(fields: FeedbackFields, feedback: InvoiceFeedback) -> dict[str, Any]:
    """The field values to PATCH (fields not configured are left out)."""
    values: dict[str, Any] = {fields.invoice_status: feedback.status}
    if feedback.invoice_number is not None:
        values[fields.invoice_number] = feedback.invoice_number
    if feedback.amount_paid is not None:
        values[fields.amount_paid] = feedback.amount_paid
    if fields.amount_invoiced is not None and feedback.amount_invoiced is not None:
        values[fields.amount_invoiced] = feedback.amount_invoiced
    if fields.payment_date is not None and feedback.payment_date is not None:
        values[fields.payment_date] = feedback.payment_date
    return values


def write_invoice_feedback(
    client: SalesforceClient, opportunity_id: str, feedback: InvoiceFeedback
) -> None:
    """PATCH the opportunity's feedback fields (204)."""
    client.update(
        "Opportunity", opportunity_id, feedback_values(client.settings.feedback, feedback)
    )


def update_record(
    client: SalesforceClient, sobject: str, record_id: str, values: Mapping[str, Any]
) -> None:
    """PATCH some fields of one record."""
    client.update(sobject, record_id, values)


def upsert_by_external_id(
    client: SalesforceClient,
    sobject: str,
    field: str,
    value: str,
    values: Mapping[str, Any],
) -> UpsertResult:
    """Insert or update the record whose External ID ``field`` is ``value``."""
    return client.upsert(sobject, field, value, values)
