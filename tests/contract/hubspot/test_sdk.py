"""The unchanged official client (``hubspot-api-client``) works against the emulator: deals
``basic_api.get_page`` (paging), ``search_api.do_search`` and ``basic_api.update``, and its
errors carry HubSpot's bodies. The client is pointed at the target by setting its api client's
``configuration.host`` (every ``crm.deals.*_api`` access builds a new api client)."""

from __future__ import annotations

import json

import pytest
from hubspot.crm.deals import (
    ApiException,
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectInput,
)


def _api(target, name: str):
    api = getattr(target.sdk().crm.deals, name)
    api.api_client.configuration.host = target.url
    return api


def test_get_page_follows_paging_to_the_last_page(target) -> None:
    target.seed_portal(deals=5)
    api = _api(target, "basic_api")
    names, after, pages = [], None, 0
    while True:
        page = api.get_page(limit=2, after=after, properties=["dealname", "amount"])
        pages += 1
        names += [d.properties["dealname"] for d in page.results]
        assert all(d.properties["hs_object_id"] == d.id for d in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    assert pages == 3
    assert names == [f"Deal {i}" for i in range(1, 6)]


def test_get_page_with_associations(target) -> None:
    target.seed_portal(deals=1)
    page = _api(target, "basic_api").get_page(associations=["companies", "line_items"])
    deal = page.results[0]
    companies = {a.id for a in deal.associations["companies"].results}
    assert companies == {"101", "102"}
    assert {a.id for a in deal.associations["line_items"].results} == {"301", "302"}


def test_do_search_with_filters_sorts_and_paging(target) -> None:
    target.seed_portal(deals=5)
    api = _api(target, "search_api")
    request = PublicObjectSearchRequest(
        filter_groups=[
            FilterGroup(filters=[Filter(property_name="amount", operator="GTE", value="1002")]),
            FilterGroup(filters=[Filter(property_name="dealname", operator="EQ", value="Deal 1")]),
        ],
        sorts=["-amount"],
        properties=["dealname", "amount"],
        limit=2,
    )
    first = api.do_search(public_object_search_request=request)
    assert first.total == 4
    assert [d.properties["amount"] for d in first.results] == ["1004.50", "1003.50"]
    request.after = first.paging.next.after
    second = api.do_search(public_object_search_request=request)
    assert [d.properties["dealname"] for d in second.results] == ["Deal 3", "Deal 1"]
    assert second.paging is None


def test_update_then_read_back(target) -> None:
    target.writable()
    created = target.seed_portal(deals=1)
    deal_id = created["deals"][0]
    api = _api(target, "basic_api")
    updated = api.update(
        deal_id,
        simple_public_object_input=SimplePublicObjectInput(
            properties={"odoo_invoice_status": "paid", "amount": "2000"}
        ),
    )
    assert updated.properties["odoo_invoice_status"] == "paid"
    read = api.get_by_id(deal_id, properties=["amount", "odoo_invoice_status"])
    assert read.properties["amount"] == "2000"
    assert read.updated_at > read.created_at


def test_errors_come_with_hubspot_bodies(target) -> None:
    target.writable()
    target.seed_portal(deals=1)
    api = _api(target, "basic_api")
    with pytest.raises(ApiException) as missing:
        api.get_by_id("999999999")
    assert missing.value.status == 404
    body = json.loads(missing.value.body)
    assert body["status"] == "error" and body["category"] == "OBJECT_NOT_FOUND"
    assert body["correlationId"]
    with pytest.raises(ApiException) as refused:
        api.update("401", simple_public_object_input=SimplePublicObjectInput(properties={"x": "1"}))
    assert refused.value.status == 400
    body = json.loads(refused.value.body)
    assert body["category"] == "VALIDATION_ERROR"
    assert body["message"].startswith("Property values were not valid")
    assert "PROPERTY_DOESNT_EXIST" in body["message"]


def test_a_wrong_token_is_refused(target) -> None:
    api = _api(target, "basic_api")
    api.api_client.configuration.access_token = "pat-na1-wrong"
    with pytest.raises(ApiException) as refused:
        api.get_page()
    assert refused.value.status == 401
    assert json.loads(refused.value.body)["category"] == "INVALID_AUTHENTICATION"
