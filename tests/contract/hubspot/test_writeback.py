"""Feedback to HubSpot: only the deal and company properties the hub is told it owns are
written, values converted to HubSpot's text; anything else is refused before a request."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.connectors.hubspot import HubSpotWriteback

OWNED = {
    "deals": {
        "odoo_invoice_status",
        "odoo_invoice_number",
        "odoo_amount_paid",
        "odoo_payment_date",
        "odoo_ref",
        "odoo_unknown_here",
    },
    "companies": {"odoo_partner_ref"},
}


def test_owned_deal_and_company_properties_are_written(target) -> None:
    target.writable()
    target.seed_portal(deals=2)
    feedback = HubSpotWriteback(target.client(), OWNED)
    deal = feedback.update_deal(
        "401",
        {
            "odoo_invoice_status": "paid",
            "odoo_invoice_number": "INV/2026/0001",
            "odoo_amount_paid": Decimal("1500.50"),
            "odoo_payment_date": date(2026, 3, 5),
        },
    )
    assert deal is not None
    assert deal.properties["odoo_amount_paid"] == "1500.50"
    read = target.client().get_object(
        "deals", "401", properties=["odoo_invoice_status", "odoo_payment_date"]
    )
    assert read.properties["odoo_invoice_status"] == "paid"
    assert read.properties["odoo_payment_date"] == "2026-03-05"
    company = feedback.update_company("101", {"odoo_partner_ref": "res.partner,42"})
    assert company is not None and company.properties["odoo_partner_ref"] == "res.partner,42"
    cleared = feedback.update_deal("401", {"odoo_invoice_number": None})
    assert cleared is not None and cleared.prop("odoo_invoice_number") is None


def test_many_deals_in_batches(target) -> None:
    target.writable()
    target.seed_portal(deals=5)
    client = target.client(batch_size=2)
    feedback = HubSpotWriteback(client, OWNED)
    updates = {str(401 + i): {"odoo_invoice_status": "posted"} for i in range(5)}
    written = feedback.update_many("deals", updates)
    assert sorted(d.id for d in written) == sorted(updates)
    paths = [c.path for c in target.calls() if c.method == "POST"]
    assert paths == ["/crm/v3/objects/deals/batch/update"] * 3


def test_properties_not_owned_are_refused_before_any_request(target) -> None:
    target.seed_portal(deals=1)
    feedback = HubSpotWriteback(target.client(), OWNED)
    target.clear_calls()
    with pytest.raises(errors.ValidationError) as refused:
        feedback.update_deal("401", {"odoo_invoice_status": "paid", "dealstage": "closedwon"})
    assert refused.value.details["rule"] == "not_owned"
    assert refused.value.details["field"] == "dealstage"
    with pytest.raises(errors.ValidationError):
        feedback.update_company("101", {"name": "Renamed"})
    with pytest.raises(errors.ValidationError):
        feedback.update_many("deals", {"401": {"amount": Decimal(1)}})
    assert target.calls() == []
    with pytest.raises(errors.ConfigError):
        HubSpotWriteback(target.client(), {"line_items": {"name"}})
    assert feedback.update_deal("401", {}) is None


def test_a_float_is_refused(target) -> None:
    feedback = HubSpotWriteback(target.client(), OWNED)
    with pytest.raises(errors.ValidationError):
        feedback.update_deal("401", {"odoo_amount_paid": 1.5})  # type: ignore[dict-item]


def test_hubspot_refuses_an_owned_property_it_does_not_define(target) -> None:
    target.writable()
    target.seed_portal(deals=1)
    feedback = HubSpotWriteback(target.client(), OWNED)
    with pytest.raises(errors.RejectedError):
        feedback.update_deal("401", {"odoo_unknown_here": datetime(2026, 3, 5, tzinfo=UTC)})
