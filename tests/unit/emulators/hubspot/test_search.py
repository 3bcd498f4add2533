"""Search: operators, filter groups (OR of ANDs), sorts, query, paging and the result cap."""

from __future__ import annotations

import pytest

from lead2cash.emulators.hubspot.seeding import generate


def _ids(api, body, obj: str = "deals") -> list[str]:
    answer = api.post(f"/crm/v3/objects/{obj}/search", json=body)
    assert answer.status_code == 200, answer.text
    return [r["id"] for r in answer.json()["results"]]


def _one(prop: str, op: str, **extra) -> dict:
    return {"filterGroups": [{"filters": [{"propertyName": prop, "operator": op, **extra}]}]}


@pytest.mark.parametrize(
    ("prop", "op", "extra", "expected"),
    [
        ("amount", "EQ", {"value": "900"}, ["402"]),
        ("amount", "NEQ", {"value": "900"}, ["401", "403"]),
        ("amount", "GT", {"value": "900"}, ["401"]),
        ("amount", "GTE", {"value": "900"}, ["401", "402"]),
        ("amount", "LT", {"value": "1000"}, ["402"]),
        ("amount", "LTE", {"value": "1500.5"}, ["401", "402"]),
        ("amount", "BETWEEN", {"value": "800", "highValue": "1000"}, ["402"]),
        ("dealname", "IN", {"values": ["Audit", "Retainer"]}, ["402", "403"]),
        ("dealname", "NOT_IN", {"values": ["audit"]}, ["401", "403"]),
        ("amount", "HAS_PROPERTY", {}, ["401", "402"]),
        ("amount", "NOT_HAS_PROPERTY", {}, ["403"]),
        ("dealname", "CONTAINS_TOKEN", {"value": "web*"}, ["401"]),
        ("dealname", "NOT_CONTAINS_TOKEN", {"value": "audit"}, ["401", "403"]),
        ("dealname", "EQ", {"value": "WEBSITE"}, ["401"]),
        ("closedate", "GTE", {"value": "2026-03-15T00:00:00Z"}, ["401"]),
        ("closedate", "LT", {"value": "1775001600000"}, []),
        ("hs_is_closed_won", "EQ", {"value": "true"}, ["402"]),
        ("hs_object_id", "GT", {"value": "401"}, ["402", "403"]),
        ("hs_lastmodifieddate", "LTE", {"value": "1772442000000"}, ["401", "402", "403"]),
        ("createdate", "GT", {"value": "2026-03-02T09:00:00Z"}, []),
    ],
)
def test_operators(api, seeded, prop, op, extra, expected) -> None:
    assert _ids(api, _one(prop, op, **extra)) == expected


def test_groups_are_ored_and_filters_anded(api, seeded) -> None:
    body = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "amount", "operator": "GT", "value": "100"},
                    {"propertyName": "dealstage", "operator": "EQ", "value": "closedwon"},
                ]
            },
            {"filters": [{"propertyName": "dealname", "operator": "EQ", "value": "Retainer"}]},
        ]
    }
    assert _ids(api, body) == ["402", "403"]


def test_sorts_put_missing_values_last(api, seeded) -> None:
    assert _ids(api, {"sorts": ["amount"]}) == ["402", "401", "403"]
    assert _ids(api, {"sorts": ["-amount"]}) == ["401", "402", "403"]
    desc = {"sorts": [{"propertyName": "amount", "direction": "DESCENDING"}]}
    assert _ids(api, desc) == ["401", "402", "403"]
    assert _ids(api, {"sorts": [{"propertyName": "dealname"}]}) == ["402", "403", "401"]


def test_query_searches_the_default_text_properties(api, seeded) -> None:
    assert _ids(api, {"query": "globex"}, "companies") == ["102"]
    assert _ids(api, {"query": "acme.test"}, "contacts") == ["201"]


def test_paging_totals_properties_and_archived(api, seeded) -> None:
    api.delete("/crm/v3/objects/deals/403")
    first = api.post(
        "/crm/objects/2026-03/deals/search", json={"limit": 1, "properties": ["dealname"]}
    ).json()
    assert first["total"] == 2 and first["paging"] == {"next": {"after": "1"}}
    assert set(first["results"][0]["properties"]) == {
        "dealname",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    second = api.post("/crm/v3/objects/deals/search", json={"limit": 1, "after": "1"}).json()
    assert [r["id"] for r in second["results"]] == ["402"] and "paging" not in second
    default = api.post("/crm/v3/objects/deals/search", json={}).json()
    assert default["total"] == 2


@pytest.mark.parametrize(
    "body",
    [
        {"limit": 201},
        {"limit": "many"},
        {"after": "x"},
        {
            "filterGroups": [
                {"filters": [{"propertyName": "amount", "operator": "EQ", "value": "1"}]}
            ]
            * 7
        },
        {
            "filterGroups": [
                {"filters": [{"propertyName": "amount", "operator": "HAS_PROPERTY"}] * 11}
            ]
        },
        {
            "filterGroups": [
                {"filters": [{"propertyName": "amount", "operator": "HAS_PROPERTY"}] * 9}
            ]
            * 3
        },
        {"filterGroups": [{"filters": []}]},
        {"filterGroups": [{"filters": [{"propertyName": "nope", "operator": "EQ", "value": "1"}]}]},
        {
            "filterGroups": [
                {"filters": [{"propertyName": "amount", "operator": "LIKE", "value": "1"}]}
            ]
        },
        {
            "filterGroups": [
                {"filters": [{"propertyName": "amount", "operator": "EQ", "value": "x"}]}
            ]
        },
        {
            "filterGroups": [
                {"filters": [{"propertyName": "amount", "operator": "BETWEEN", "value": "1"}]}
            ]
        },
        {
            "filterGroups": [
                {"filters": [{"propertyName": "amount", "operator": "IN", "value": "1"}]}
            ]
        },
        {"sorts": [{"propertyName": "amount", "direction": "UP"}]},
        {"sorts": [7]},
        {"query": "x" * 3001},
        [],
    ],
)
def test_invalid_searches_answer_400(api, seeded, body) -> None:
    answer = api.post("/crm/v3/objects/deals/search", json=body)
    assert answer.status_code == 400
    assert answer.json()["category"] == "VALIDATION_ERROR"


def test_no_page_reaches_past_the_10000th_result(api, state) -> None:
    generate(state, "deals", 10_050, {"dealname": "Deal {n}"}, step_ms=1)
    near = api.post("/crm/v3/objects/deals/search", json={"limit": 200, "after": "9900"}).json()
    assert near["total"] == 10_050
    assert len(near["results"]) == 100 and near["paging"]["next"]["after"] == "10000"
    past = api.post("/crm/v3/objects/deals/search", json={"limit": 10, "after": "10000"})
    assert past.status_code == 400
    body = past.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert body["subCategory"] == "crm.search.RESULT_WINDOW_EXCEEDED"
