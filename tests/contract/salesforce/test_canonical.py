"""A Salesforce opportunity read as canonical objects (``connectors/salesforce/canonical.py``):
one SOQL query for the opportunity, its account, contact roles and line items; the won flag;
custom fields; multi-currency; missing and malformed ids."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.salesforce.canonical import opportunity_bundle
from lead2cash.emulators.faults import FaultRule
from lead2cash.emulators.salesforce.ids import make_id
from lead2cash.model import Address, Money, SourceRef

T_SEED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def org_document(*, multi_currency: bool = True) -> dict[str, Any]:
    """``o1``: Acme's opportunity in GBP (a won "Contract Approved" stage) with two line items
    and three contact roles (Lea first, Kim primary, Kim again in another role). ``o2``: no
    account. ``o3``: lost."""
    doc: dict[str, Any] = {
        "fields": {
            "Opportunity": [{"name": "Contract_Type__c", "type": "picklist"}],
            "Account": [{"name": "VAT_Number__c", "type": "string"}],
        },
        "records": {
            "Account": [
                {
                    "ref": "acme",
                    "Name": "Acme SAS",
                    "Website": "https://www.Acme.example/contact",
                    "Phone": "+33 4 72 00 00 00",
                    "BillingStreet": "12 rue de la Paix\nBâtiment B",
                    "BillingCity": "Lyon",
                    "BillingPostalCode": "69001",
                    "BillingState": "Rhône",
                    "BillingCountry": "FR",
                    "VAT_Number__c": "FR12345678901",
                }
            ],
            "Contact": [
                {
                    "ref": "lea",
                    "AccountId": "@acme",
                    "LastName": "Dubois",
                    "Email": "lea at acme",
                    "MobilePhone": "+33 6 00 00 00 00",
                },
                {
                    "ref": "kim",
                    "AccountId": "@acme",
                    "FirstName": "Kim",
                    "LastName": "Allen",
                    "Email": "kim@acme.example",
                    "Phone": "+33 4 72 00 00 01",
                    "Title": "CFO",
                },
            ],
            "Product2": [
                {"ref": "cons", "Name": "Consulting day", "ProductCode": "CONS-D"},
                {"ref": "travel", "Name": "Travel"},
            ],
            "Opportunity": [
                {
                    "ref": "o1",
                    "Name": "Acme rollout",
                    "AccountId": "@acme",
                    "StageName": "Contract Approved",
                    "CloseDate": "2026-02-27",
                    "Contract_Type__c": "time_and_materials",
                },
                {
                    "ref": "o2",
                    "Name": "Orphan deal",
                    "StageName": "Prospecting",
                    "CloseDate": "2026-04-30",
                    "Amount": "500",
                },
                {
                    "ref": "o3",
                    "Name": "Lost deal",
                    "AccountId": "@acme",
                    "StageName": "Closed Lost",
                    "CloseDate": "2026-01-31",
                },
            ],
            "OpportunityLineItem": [
                {
                    "OpportunityId": "@o1",
                    "Product2Id": "@travel",
                    "Quantity": 1,
                    "UnitPrice": "99.90",
                    "SortOrder": 2,
                },
                {
                    "OpportunityId": "@o1",
                    "Product2Id": "@cons",
                    "Quantity": 10,
                    "UnitPrice": "1250.50",
                    "ServiceDate": "2026-03-01",
                    "SortOrder": 1,
                },
            ],
            "OpportunityContactRole": [
                {"OpportunityId": "@o1", "ContactId": "@lea", "Role": "Technical Buyer"},
                {
                    "OpportunityId": "@o1",
                    "ContactId": "@kim",
                    "Role": "Decision Maker",
                    "IsPrimary": True,
                },
                {"OpportunityId": "@o1", "ContactId": "@kim", "Role": "Economic Buyer"},
                {"OpportunityId": "@o2", "ContactId": "@kim", "Role": "Influencer"},
            ],
        },
    }
    if multi_currency:
        doc["multi_currency"] = {"corporate_currency": "EUR"}
        doc["records"]["Opportunity"][0]["CurrencyIsoCode"] = "GBP"
    return doc


def _queries(target: Any) -> list[Any]:
    return [c for c in target.calls() if c.path.endswith("/query")]


def test_full_opportunity_in_one_query(target: Any) -> None:
    refs = target.seed(org_document(), at=T_SEED)["refs"]
    client = target.client(multi_currency=True, currency="EUR")
    bundle = opportunity_bundle(
        client, refs["o1"], fields=["Contract_Type__c"], vat_field="VAT_Number__c"
    )
    assert len(_queries(target)) == 1

    deal = bundle.deal
    assert deal.source == SourceRef(
        system="salesforce", object_type="opportunity", external_id=refs["o1"], modified_at=T_SEED
    )
    assert (deal.name, deal.stage, deal.pipeline, deal.is_won) == (
        "Acme rollout",
        "Contract Approved",
        None,
        True,
    )
    # Amount rolls up from the line items, in the opportunity's currency
    assert deal.amount == Money.of("12604.90", "GBP")
    assert deal.close_date == date(2026, 2, 27)
    assert deal.owner is not None and deal.owner.startswith("005")
    assert deal.customer == SourceRef(
        system="salesforce", object_type="account", external_id=refs["acme"]
    )
    assert [c.external_id for c in deal.contacts] == [refs["kim"], refs["lea"]]

    props = deal.properties
    assert props["Contract_Type__c"] == "time_and_materials"
    assert props["CurrencyIsoCode"] == "GBP"
    assert props["IsWon"] is True
    assert props["Id"] == refs["o1"]
    assert Decimal(props["Amount"]) == Decimal("12604.90")
    assert not {"attributes", "Account", "OpportunityLineItems", "OpportunityContactRoles"} & set(
        props
    )

    consulting, travel = deal.line_items  # by SortOrder
    assert consulting.source.object_type == "line_item"
    assert consulting.source.external_id.startswith("00k")
    assert consulting.source.modified_at == T_SEED
    assert (consulting.name, consulting.sku, consulting.quantity) == (
        "Consulting day",
        "CONS-D",
        Decimal(10),
    )
    assert consulting.unit_price == Money.of("1250.50", "GBP")
    assert consulting.properties["ServiceDate"] == "2026-03-01"
    assert Decimal(consulting.properties["TotalPrice"]) == Decimal("12505.00")
    assert "Product2" not in consulting.properties
    assert (travel.name, travel.sku, travel.unit_price) == (
        "Travel",
        None,
        Money.of("99.90", "GBP"),
    )
    assert travel.properties["ServiceDate"] is None

    customer = bundle.customer
    assert customer is not None
    assert customer.source == SourceRef(
        system="salesforce", object_type="account", external_id=refs["acme"], modified_at=T_SEED
    )
    assert (customer.name, customer.domain, customer.vat, customer.phone) == (
        "Acme SAS",
        "acme.example",
        "FR12345678901",
        "+33 4 72 00 00 00",
    )
    assert customer.address == Address(
        street="12 rue de la Paix",
        street2="Bâtiment B",
        city="Lyon",
        zip="69001",
        state="Rhône",
        country="FR",
    )

    kim, lea = bundle.contacts  # the primary first, each contact once
    assert kim.source == SourceRef(
        system="salesforce", object_type="contact", external_id=refs["kim"], modified_at=T_SEED
    )
    assert (kim.name, kim.email, kim.phone, kim.job_title) == (
        "Kim Allen",
        "kim@acme.example",
        "+33 4 72 00 00 01",
        "CFO",
    )
    assert (lea.name, lea.email, lea.phone) == ("Dubois", None, "+33 6 00 00 00 00")
    assert kim.customer == lea.customer == deal.customer


def test_opportunity_without_account(target: Any) -> None:
    refs = target.seed(org_document())["refs"]
    bundle = opportunity_bundle(target.client(multi_currency=True), refs["o2"])
    assert bundle.customer is None
    assert bundle.deal.customer is None
    assert bundle.deal.amount == Money.of("500", "EUR")  # the corporate currency
    assert bundle.deal.line_items == []
    assert [c.source.external_id for c in bundle.contacts] == [refs["kim"]]
    assert bundle.contacts[0].customer is None
    assert "Account" not in bundle.deal.properties
    assert bundle.deal.properties["AccountId"] is None


def test_single_currency_org_uses_the_default_currency(target: Any) -> None:
    refs = target.seed(org_document(multi_currency=False))["refs"]
    client = target.client(currency="USD")
    assert opportunity_bundle(client, refs["o2"]).deal.amount == Money.of("500", "USD")
    bundle = opportunity_bundle(client, refs["o1"], default_currency="CHF")
    assert bundle.deal.amount == Money.of("12604.90", "CHF")
    assert bundle.deal.line_items[0].unit_price == Money.of("1250.50", "CHF")
    assert "CurrencyIsoCode" not in bundle.deal.properties
    # the org has no CurrencyIsoCode: a connector that says multi-currency is refused
    with pytest.raises(errors.RejectedError):
        opportunity_bundle(target.client(multi_currency=True), refs["o2"])


def test_won_flag_is_is_won(target: Any) -> None:
    refs = target.seed(org_document())["refs"]
    client = target.client(multi_currency=True)
    won = {ref: opportunity_bundle(client, refs[ref]).deal.is_won for ref in ("o1", "o2", "o3")}
    assert won == {"o1": True, "o2": False, "o3": False}
    state = target.emulator()
    state.move_stage(refs["o2"], "Closed Won")
    moved = opportunity_bundle(client, refs["o2"]).deal
    assert (moved.stage, moved.is_won) == ("Closed Won", True)


def test_unknown_custom_field_is_rejected(target: Any) -> None:
    refs = target.seed(org_document())["refs"]
    with pytest.raises(errors.RejectedError):
        opportunity_bundle(target.client(multi_currency=True), refs["o1"], fields=["Nope__c"])


def test_missing_deleted_and_malformed_ids(target: Any) -> None:
    refs = target.seed(org_document())["refs"]
    client = target.client(multi_currency=True)
    with pytest.raises(errors.NotFoundError):
        opportunity_bundle(client, make_id("006", 999_999))
    target.http.delete(
        f"{target.url}/_emulator/records/Opportunity/{refs['o3']}"
    ).raise_for_status()
    with pytest.raises(errors.NotFoundError):
        opportunity_bundle(client, refs["o3"])
    with pytest.raises(errors.ValidationError) as malformed:
        opportunity_bundle(client, "006' OR Name != '")
    assert malformed.value.details["field"] == "opportunity_id"
    with pytest.raises(errors.ValidationError) as bad_field:
        opportunity_bundle(client, refs["o1"], fields=["Name FROM Account --"])
    assert bad_field.value.details["field"] == "fields"


def test_repeated_reads_give_equal_bundles(target: Any) -> None:
    refs = target.seed(org_document())["refs"]
    client = target.client(multi_currency=True)
    first = opportunity_bundle(client, refs["o1"], fields=["contract_type__c"])
    second = opportunity_bundle(client, refs["o1"], fields=["Contract_Type__c"])
    assert first == second
    assert first.model_dump(mode="json") == second.model_dump(mode="json")
    # the field keeps Salesforce's spelling whatever the query's
    assert first.deal.properties["Contract_Type__c"] == "time_and_materials"


def test_a_record_that_does_not_fit_is_a_validation_error(target: Any) -> None:
    refs = target.seed(org_document())["refs"]
    state = target.emulator()
    body = (
        '{"totalSize": 1, "done": true, "records": [{"attributes": {"type": "Opportunity"}, '
        f'"Id": "{refs["o1"]}", "Name": "x", "StageName": "Closed Won", "Amount": "lots"}}]}}'
    )
    state.plan.add(
        FaultRule("status", status=200, method="GET", path_prefix="/services/data/", body=body)
    )
    client = target.client(multi_currency=True)
    client.authenticate()
    with pytest.raises(errors.ValidationError) as raised:
        opportunity_bundle(client, refs["o1"])
    assert not isinstance(raised.value, errors.ConnectorError)
    assert raised.value.details["field"] == "Opportunity.Amount"
