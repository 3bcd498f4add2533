"""A HubSpot deal read as canonical objects (``connectors/hubspot/canonical.py``): the deal with
its primary company, contacts and line items, the won flag from stage metadata, custom
properties, missing deals and wire problems."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.hubspot.canonical import deal_bundle
from lead2cash.emulators.faults import FaultRule
from lead2cash.model import Address, Money, SourceRef

T_SEED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _ref(kind: str, external_id: str) -> SourceRef:
    return SourceRef(system="hubspot", object_type=kind, external_id=external_id)


def firm_document() -> dict[str, Any]:
    """Deal 501: two companies (the *second* one listed first is primary, and HubSpot lists
    associations by id, so 102 comes after 101), two contacts, two line items, in GBP with a
    custom ``contract_type``. Deal 502: no company. Deal 503: no currency, no line items."""
    return {
        "properties": {
            "deals": [
                {
                    "name": "contract_type",
                    "type": "enumeration",
                    "fieldType": "select",
                    "options": ["time_and_materials", "fixed_fee"],
                },
                {"name": "billing_notes"},
            ],
            "companies": [{"name": "vat_number"}],
        },
        "companies": [
            {"id": "101", "properties": {"name": "Initech", "domain": "initech.test"}},
            {
                "id": "102",
                "properties": {
                    "name": "Globex Ltd",
                    "domain": "globex.test",
                    "vat_number": "GB123456789",
                    "phone": "+44 20 7946 0000",
                    "address": "1 Market Street",
                    "address2": "Floor 3",
                    "city": "London",
                    "zip": "EC1A 1AA",
                    "state": "Greater London",
                    "country": "gb",
                },
            },
        ],
        "contacts": [
            {
                "id": "201",
                "properties": {
                    "firstname": "Kim",
                    "lastname": "Allen",
                    "email": "kim@globex.test",
                    "phone": "+44 20 7946 0001",
                    "jobtitle": "CFO",
                },
            },
            {"id": "202", "properties": {"email": "lea@globex.test"}},
        ],
        "line_items": [
            {
                "id": "301",
                "properties": {
                    "name": "Consulting day",
                    "hs_sku": "CONS-D",
                    "quantity": "10",
                    "price": "1250.50",
                    "recurringbillingfrequency": "monthly",
                },
            },
            {"id": "302", "properties": {"name": "Travel", "quantity": "1", "price": "99.90"}},
        ],
        "deals": [
            {
                "id": "501",
                "properties": {
                    "dealname": "Globex rollout",
                    "dealstage": "closedwon",
                    "pipeline": "default",
                    "amount": "12604.90",
                    "deal_currency_code": "GBP",
                    "closedate": "2026-02-27",
                    "hubspot_owner_id": "77",
                    "contract_type": "time_and_materials",
                    "billing_notes": "monthly, in arrears",
                },
                # listed first = primary (label "Primary"), though HubSpot lists 101 first
                "associations": {
                    "companies": ["102", "101"],
                    "contacts": ["202", "201"],
                    "line_items": ["302", "301"],
                },
            },
            {
                "id": "502",
                "properties": {
                    "dealname": "Orphan deal",
                    "dealstage": "contractsent",
                    "amount": "500",
                    "deal_currency_code": "EUR",
                },
                "associations": {"contacts": ["201"]},
            },
            {
                "id": "503",
                "properties": {"dealname": "No currency", "dealstage": "qualifiedtobuy"},
                "associations": {"companies": ["101"]},
            },
        ],
    }


def test_full_deal_with_company_contacts_and_line_items(target: Any) -> None:
    target.seed(firm_document(), at=T_SEED)
    client = target.client()
    bundle = deal_bundle(
        client,
        "501",
        properties=["contract_type", "billing_notes"],
        default_currency="EUR",
        line_item_properties=["recurringbillingfrequency"],
    )
    deal = bundle.deal
    assert deal.source == SourceRef(
        system="hubspot", object_type="deal", external_id="501", modified_at=T_SEED
    )
    assert (deal.name, deal.stage, deal.pipeline, deal.is_won) == (
        "Globex rollout",
        "closedwon",
        "default",
        True,
    )
    assert deal.amount == Money.of("12604.90", "GBP")
    assert deal.close_date == date(2026, 2, 27)
    assert deal.owner == "77"
    assert deal.customer == _ref("company", "102")
    assert deal.contacts == [
        SourceRef(system="hubspot", object_type="contact", external_id="201", modified_at=T_SEED),
        SourceRef(system="hubspot", object_type="contact", external_id="202", modified_at=T_SEED),
    ]
    assert not deal.archived
    # every property read, as HubSpot's text
    assert deal.properties["contract_type"] == "time_and_materials"
    assert deal.properties["billing_notes"] == "monthly, in arrears"
    assert deal.properties["amount"] == "12604.90"
    assert deal.properties["hs_is_closed_won"] == "true"
    assert all(v is None or isinstance(v, str) for v in deal.properties.values())

    consulting, travel = deal.line_items
    assert consulting.source.key == "hubspot:line_item:301"
    assert consulting.source.modified_at == T_SEED
    assert (consulting.name, consulting.sku, consulting.quantity) == (
        "Consulting day",
        "CONS-D",
        Decimal(10),
    )
    assert consulting.unit_price == Money.of("1250.50", "GBP")
    assert consulting.properties["recurringbillingfrequency"] == "monthly"
    assert consulting.properties["price"] == "1250.50"
    assert (travel.name, travel.sku, travel.unit_price) == (
        "Travel",
        None,
        Money.of("99.90", "GBP"),
    )

    customer = bundle.customer
    assert customer is not None
    assert customer.source == SourceRef(
        system="hubspot", object_type="company", external_id="102", modified_at=T_SEED
    )
    assert (customer.name, customer.domain, customer.vat, customer.phone) == (
        "Globex Ltd",
        "globex.test",
        "GB123456789",
        "+44 20 7946 0000",
    )
    assert customer.address == Address(
        street="1 Market Street",
        street2="Floor 3",
        city="London",
        zip="EC1A 1AA",
        state="Greater London",
        country="GB",
    )

    kim, lea = bundle.contacts
    assert (kim.name, kim.email, kim.phone, kim.job_title) == (
        "Kim Allen",
        "kim@globex.test",
        "+44 20 7946 0001",
        "CFO",
    )
    assert kim.customer == _ref("company", "102")
    assert (lea.name, lea.email, lea.customer) == (
        "lea@globex.test",
        "lea@globex.test",
        _ref("company", "102"),
    )


def test_deal_without_company_has_no_customer(target: Any) -> None:
    target.seed(firm_document())
    bundle = deal_bundle(target.client(), "502")
    assert bundle.customer is None
    assert bundle.deal.customer is None
    assert bundle.deal.amount == Money.of("500", "EUR")
    assert [c.source.external_id for c in bundle.contacts] == ["201"]
    assert bundle.contacts[0].customer is None
    assert bundle.deal.line_items == []
    assert bundle.deal.is_won is False


def test_default_currency_and_missing_currency(target: Any) -> None:
    doc = firm_document()
    doc["deals"][2]["properties"]["amount"] = "800"
    target.seed(doc)
    client = target.client()
    bundle = deal_bundle(client, "503", default_currency="CHF")
    assert bundle.deal.amount == Money.of("800", "CHF")
    assert bundle.customer is not None and bundle.customer.name == "Initech"
    assert bundle.customer.address.country is None
    with pytest.raises(errors.ValidationError) as raised:
        deal_bundle(client, "503")
    assert raised.value.details["field"] == "deal_currency_code"
    with pytest.raises(errors.ValidationError) as bad:
        deal_bundle(client, "503", default_currency="XYZ")
    assert bad.value.details["field"] == "default_currency"


def test_won_flag_comes_from_stage_metadata(target: Any) -> None:
    doc = firm_document()
    doc["pipelines"] = {
        "deals": [
            {
                "id": "services",
                "label": "Services",
                "stages": [
                    {"id": "1001", "label": "Proposal", "probability": "0.5"},
                    {"id": "1002", "label": "Signed", "probability": "1.0", "isClosed": True},
                    {"id": "1003", "label": "Lost", "probability": "0.0", "isClosed": True},
                    # probability 1.0 but still open: not won
                    {"id": "1004", "label": "Verbal yes", "probability": "1.0"},
                ],
            }
        ]
    }
    for i, stage in enumerate(["1001", "1002", "1003", "1004"]):
        doc["deals"].append(
            {
                "id": str(601 + i),
                "properties": {
                    "dealname": f"Services {stage}",
                    "pipeline": "services",
                    "dealstage": stage,
                },
            }
        )
    target.seed(doc)
    client = target.client()
    won = {
        deal_id: deal_bundle(client, deal_id).deal.is_won
        for deal_id in ("601", "602", "603", "604", "501", "502")
    }
    assert won == {
        "601": False,
        "602": True,
        "603": False,
        "604": False,
        "501": True,
        "502": False,
    }
    assert deal_bundle(client, "602").deal.pipeline == "services"


def test_invalid_contact_email_is_dropped(target: Any) -> None:
    doc = firm_document()
    doc["contacts"].append(
        {"id": "203", "properties": {"firstname": "Bo", "email": "bo at globex"}}
    )
    doc["deals"][1]["associations"]["contacts"].append("203")
    target.seed(doc)
    bundle = deal_bundle(target.client(), "502")
    bo = bundle.contacts[-1]
    assert (bo.source.external_id, bo.name, bo.email) == ("203", "Bo", None)


def test_missing_deal_is_not_found(target: Any) -> None:
    target.seed(firm_document())
    with pytest.raises(errors.NotFoundError):
        deal_bundle(target.client(), "999999")


def test_archived_deal_is_read_as_archived(target: Any) -> None:
    target.emulator()
    target.seed(firm_document())
    client = target.client()
    target.http.delete(f"{target.url}/_emulator/objects/deals/502").raise_for_status()
    bundle = deal_bundle(client, "502")
    assert bundle.deal.archived is True
    assert bundle.deal.name == "Orphan deal"


def test_repeated_reads_give_equal_bundles(target: Any) -> None:
    target.seed(firm_document())
    client = target.client()
    first = deal_bundle(client, "501", properties=["contract_type"])
    second = deal_bundle(client, "501", properties=["contract_type"])
    assert first == second
    assert first.model_dump(mode="json") == second.model_dump(mode="json")


def test_deal_without_name_names_the_field(target: Any) -> None:
    doc = firm_document()
    doc["deals"].append({"id": "701", "properties": {"dealstage": "closedwon"}})
    target.seed(doc)
    with pytest.raises(errors.ValidationError) as raised:
        deal_bundle(target.client(), "701")
    assert raised.value.details["field"] == "dealname"


def test_malformed_answer_is_a_validation_error(target: Any) -> None:
    state = target.emulator()
    target.seed(firm_document())
    state.plan.add(
        FaultRule(
            "status",
            status=200,
            method="GET",
            path_prefix="/crm/v3/objects/deals/501",
            body='{"id": "501", "properties": {"dealname": "x"}}',
        )
    )
    with pytest.raises(errors.ValidationError) as raised:
        deal_bundle(target.client(), "501")
    assert not isinstance(raised.value, errors.ConnectorError)
    assert str(raised.value.details["field"]).startswith("deal.")
