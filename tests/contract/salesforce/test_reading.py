"""Reading: SOQL paging by nextRecordsUrl, won deals with account, lines and contact roles,
single records, describe, and the Sforce-Limit-Info usage the client keeps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.connectors.salesforce import new_cursor, sync_won_deals


def test_query_follows_next_records_url(target, deals) -> None:
    state = target.emulator()
    target.seed(deals(won=5, open_=2))
    state.configure({"page_size": 2})
    client = target.client()
    pages = list(client.query_pages("SELECT Id, Name FROM Opportunity ORDER BY Name"))
    assert [len(p.records) for p in pages] == [2, 2, 2, 1]
    assert [p.done for p in pages] == [False, False, False, True]
    assert all(p.totalSize == 7 for p in pages)
    assert pages[0].nextRecordsUrl.startswith("/services/data/v62.0/query/01g")
    names = [r["Name"] for p in pages for r in p.records]
    assert names == [f"Deal {i}" for i in range(7)]


def test_the_batch_size_header_lowers_the_batch(target) -> None:
    state = target.emulator()
    target.seed({"records": {"Account": [{"Name": f"A{i:03d}"} for i in range(450)]}})
    client = target.client(query_batch_size=200)
    pages = list(client.query_pages("SELECT Id FROM Account WHERE Name LIKE 'A%'"))
    assert [len(p.records) for p in pages] == [200, 200, 50]
    sent = [r for r in target.requests if r.url.path.endswith("/query")]
    assert sent[0].headers["sforce-query-options"] == "batchSize=200"
    assert state.config.page_size == 2000


def test_won_deals_come_with_account_lines_and_contacts(target, deals) -> None:
    target.seed(deals(won=3, open_=2, lines=2))
    result = sync_won_deals(
        target.client(currency="EUR"), new_cursor(target.client()), now=target.now
    )
    assert [d.opportunity.Name for d in result.records] == ["Deal 0", "Deal 1", "Deal 2"]
    stages = {d.opportunity.StageName for d in result.records}
    assert stages == {"Closed Won", "Contract Approved"}  # IsWon, not a stage name
    deal = result.records[0]
    assert deal.opportunity.IsWon is True
    assert deal.account is not None
    assert deal.account.Name == "Acme SAS"
    assert deal.account.BillingCountry == "France"
    assert [(li.Quantity, li.UnitPrice, li.TotalPrice) for li in deal.line_items] == [
        (Decimal(2), Decimal("650.25"), Decimal("1300.50")),
        (Decimal(3), Decimal("650.25"), Decimal("1950.75")),
    ]
    assert deal.line_items[0].ProductName == "Consulting day"
    assert deal.line_items[0].ProductCode == "CONS-D"
    # Amount rolls up from the line items.
    assert deal.opportunity.Amount == Decimal("3251.25")
    assert deal.currency == "EUR"
    contact = deal.primary_contact
    assert contact is not None
    assert (contact.FirstName, contact.LastName, contact.Email) == (
        "Kim",
        "Allen",
        "kim@acme.example",
    )
    assert deal.contact_roles[0].Role == "Decision Maker"


def test_custom_fields_are_read_when_configured(target, deals) -> None:
    target.seed(deals(won=1))
    client = target.client(
        opportunity_fields=("Ext_Id__c",), account_fields=("Odoo_Partner_Id__c",)
    )
    deal = sync_won_deals(client, new_cursor(client), now=target.now).records[0]
    assert deal.raw["Ext_Id__c"] == "EXT-0"
    assert deal.raw["Account"]["Odoo_Partner_Id__c"] is None


def test_an_unknown_custom_field_is_rejected(target, deals) -> None:
    target.seed(deals(won=1))
    client = target.client(opportunity_fields=("Nope__c",))
    with pytest.raises(errors.RejectedError) as caught:
        sync_won_deals(client, new_cursor(client), now=target.now)
    assert caught.value.details["remote_type"] == "INVALID_FIELD"
    assert caught.value.details["status"] == 400


def test_get_describe_and_external_id_lookup(target, deals) -> None:
    created = target.seed(deals(won=1))
    client = target.client()
    opp_id = created["refs"]["o0"]
    record = client.get("Opportunity", opp_id, ["Name", "StageName"])
    assert record["attributes"]["type"] == "Opportunity"
    assert (record["Id"], record["Name"], record["StageName"]) == (opp_id, "Deal 0", "Closed Won")
    fields = {f["name"]: f for f in client.describe("Opportunity")["fields"]}
    assert fields["Ext_Id__c"]["externalId"] is True
    assert fields["IsWon"]["updateable"] is False
    with pytest.raises(errors.NotFoundError):
        client.get("Opportunity", "006000000000000AAA")


def test_query_all_sees_deleted_rows(target, deals) -> None:
    created = target.seed(deals(won=2))
    client = target.client()
    client.delete("Opportunity", created["refs"]["o1"])
    live = list(client.query("SELECT Id FROM Opportunity"))
    everything = list(client.query_all("SELECT Id, IsDeleted FROM Opportunity"))
    assert len(live) == 1
    assert sorted(r["IsDeleted"] for r in everything) == [False, True]


def test_the_client_keeps_the_api_usage(target) -> None:
    state = target.emulator()
    state.configure({"daily_limit": 5000, "api_usage": 17})
    client = target.client()
    client.limits()
    assert client.api_usage is not None
    assert (client.api_usage.used, client.api_usage.limit) == (18, 5000)
    client.versions()  # /services/data/ is free and carries no header
    assert client.api_usage.used == 18
    list(client.query("SELECT Id FROM Account"))
    assert client.api_usage.used == 19
