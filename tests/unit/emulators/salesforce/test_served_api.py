"""The emulator's REST API: versions, CRUD, upsert, queries, replication windows, limits and
the error bodies, as the wire shows them."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from lead2cash.emulators.salesforce.state import version_label

V = "/services/data/v62.0"


def test_versions_need_no_session_and_are_not_counted(base_url, state) -> None:
    answer = httpx.get(f"{base_url}/services/data/")
    assert answer.status_code == 200
    versions = answer.json()
    assert versions[0] == {"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"}
    assert versions[-1]["version"] == "67.0"
    assert {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"} in versions
    assert "sforce-limit-info" not in answer.headers
    assert state.api_usage() == 0
    assert version_label(68) == "Winter '27"


def test_every_answer_carries_the_limit_header(api, state) -> None:
    state.configure({"daily_limit": 1000})
    first = api.get("/")
    assert first.json()["query"] == f"{V}/query"
    assert first.headers["sforce-limit-info"] == "api-usage=1/1000"
    missing = api.get("/sobjects/Nope")
    assert missing.status_code == 404
    assert missing.headers["sforce-limit-info"] == "api-usage=2/1000"
    assert missing.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    ]


def test_a_spent_allocation_answers_403_request_limit_exceeded(api, state) -> None:
    state.configure({"daily_limit": 2, "api_usage": 2})
    answer = api.get("/limits")
    assert answer.status_code == 403
    assert answer.json() == [
        {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    ]
    assert answer.headers["sforce-limit-info"] == "api-usage=2/2"
    assert "retry-after" not in answer.headers
    state.clock.advance(24 * 3600 + 1)
    assert api.get("/limits").json()["DailyApiRequests"] == {"Max": 2, "Remaining": 1}


def test_sessions(base_url, state) -> None:
    for header in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        answer = httpx.get(f"{base_url}{V}/limits", headers=header)
        assert answer.status_code == 401
        assert answer.json() == [
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ]
    token = next(iter(state.sessions))
    oauth = httpx.get(f"{base_url}{V}/limits", headers={"Authorization": f"OAuth {token}"})
    assert oauth.status_code == 200
    assert state.api_usage() == 1  # refused calls are not counted


def test_unknown_versions_and_methods(api, base_url) -> None:
    answer = httpx.get(f"{base_url}/services/data/v10.0/limits")
    assert answer.status_code == 404
    put = api.put("/sobjects/Account", json={})
    assert put.status_code == 405
    assert put.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"


def test_create_read_update_delete(api, state) -> None:
    created = api.post("/sobjects/Account", json={"Name": "Initech", "NumberOfEmployees": 12})
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True
    assert body["errors"] == []
    account_id = body["id"]
    assert len(account_id) == 18
    assert account_id.startswith("001")
    record = api.get(f"/sobjects/Account/{account_id}").json()
    assert record["attributes"] == {"type": "Account", "url": f"{V}/sobjects/Account/{account_id}"}
    assert record["Name"] == "Initech"
    assert record["IsDeleted"] is False
    assert record["SystemModstamp"].endswith(".000+0000")
    some = api.get(f"/sobjects/Account/{account_id[:15]}", params={"fields": "Name"}).json()
    assert set(some) == {"attributes", "Id", "Name"}
    state.clock.advance(5)
    assert api.patch(f"/sobjects/Account/{account_id}", json={"Phone": "555"}).status_code == 204
    after = api.get(f"/sobjects/Account/{account_id}").json()
    assert after["Phone"] == "555"
    assert after["SystemModstamp"] > record["SystemModstamp"]
    assert after["LastModifiedDate"] == after["SystemModstamp"]
    assert api.delete(f"/sobjects/Account/{account_id}").status_code == 204
    gone = api.get(f"/sobjects/Account/{account_id}")
    assert gone.status_code == 404
    again = api.patch(f"/sobjects/Account/{account_id}", json={"Phone": "1"})
    assert again.json()[0]["errorCode"] == "ENTITY_IS_DELETED"


@pytest.mark.parametrize(
    ("body", "code", "fields"),
    [
        ({}, "REQUIRED_FIELD_MISSING", ["Name"]),
        ({"Name": "x", "Nope__c": 1}, "INVALID_FIELD", ["Nope__c"]),
        ({"Name": "x", "IsDeleted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["IsDeleted"]),
        ({"Name": "x", "NumberOfEmployees": "many"}, "JSON_PARSER_ERROR", None),
        ({"Name": "x" * 300}, "STRING_TOO_LONG", ["Name"]),
        ({"Name": "x", "ParentId": "001000000000000"}, "INVALID_CROSS_REFERENCE_KEY", ["ParentId"]),
        ({"Name": "x", "ParentId": "nope"}, "MALFORMED_ID", ["ParentId"]),
    ],
)
def test_create_errors(api, body, code, fields) -> None:
    answer = api.post("/sobjects/Account", json=body)
    assert answer.status_code == 400
    item = answer.json()[0]
    assert item["errorCode"] == code
    if fields is not None:
        assert item["fields"] == fields


def test_opportunity_rules(api, seeded, state) -> None:
    bad = api.patch(f"/sobjects/Opportunity/{seeded['open']}", json={"StageName": "Nope"})
    assert bad.json()[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    readonly = api.patch(f"/sobjects/Opportunity/{seeded['open']}", json={"IsWon": True})
    assert readonly.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    api.patch(f"/sobjects/Opportunity/{seeded['open']}", json={"StageName": "closed won"})
    record = api.get(f"/sobjects/Opportunity/{seeded['open']}").json()
    assert (record["StageName"], record["IsWon"], record["IsClosed"]) == ("Closed Won", True, True)
    assert record["Probability"] == 100
    assert record["ForecastCategoryName"] == "Closed"
    won = api.get(f"/sobjects/Opportunity/{seeded['won']}").json()
    assert won["Amount"] == 300  # rolled up from the line item
    assert won["HasOpportunityLineItem"] is True


def test_line_items_roll_up_and_move_the_opportunity(api, seeded, state) -> None:
    before = api.get(f"/sobjects/Opportunity/{seeded['won']}").json()
    state.clock.advance(30)
    answer = api.post(
        "/sobjects/OpportunityLineItem",
        json={
            "OpportunityId": seeded["won"],
            "Product2Id": seeded["p"],
            "Quantity": 1,
            "TotalPrice": 50.5,
        },
    )
    assert answer.status_code == 201
    after = api.get(f"/sobjects/Opportunity/{seeded['won']}").json()
    assert after["Amount"] == 350.5
    assert after["SystemModstamp"] > before["SystemModstamp"]
    both = api.post(
        "/sobjects/OpportunityLineItem",
        json={"OpportunityId": seeded["won"], "Quantity": 1, "TotalPrice": 1, "UnitPrice": 1},
    )
    assert both.json()[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_upsert_by_external_id(api, seeded, state) -> None:
    path = "/sobjects/Opportunity/Ext_Id__c/B-9"
    new = {"Name": "Upserted", "StageName": "Prospecting", "CloseDate": "2026-05-01"}
    created = api.patch(path, json=new)
    assert created.status_code == 201
    assert created.json()["created"] is True
    updated = api.patch(path, json={"Amount": 12})
    assert updated.status_code == 200
    assert updated.json() == {
        "id": created.json()["id"],
        "success": True,
        "errors": [],
        "created": False,
    }
    old = httpx.patch(
        f"{api.base_url}".replace("v62.0", "v45.0") + path,
        json={"Amount": 13},
        headers=dict(api.headers),
    )
    assert old.status_code == 204
    fetched = api.get(path).json()
    assert (fetched["Id"], fetched["Amount"]) == (created.json()["id"], 13)
    not_ext = api.patch("/sobjects/Opportunity/Name/Upserted", json={"Amount": 1})
    assert not_ext.status_code == 404
    assert "external ID field" in not_ext.json()[0]["message"]
    with_id = api.patch(path, json={"Id": created.json()["id"]})
    assert with_id.status_code == 400


def test_upsert_with_several_matches_answers_300(api, seeded, state) -> None:
    state.data.update("Opportunity", seeded["open"], {"Ext_Id__c": "A-1"}, system=True)
    answer = api.patch("/sobjects/Opportunity/Ext_Id__c/A-1", json={"Amount": 1})
    assert answer.status_code == 300
    assert sorted(answer.json()) == sorted(
        f"{V}/sobjects/Opportunity/{seeded[r]}" for r in ("won", "open")
    )
    assert api.get("/sobjects/Opportunity/Ext_Id__c/A-1").status_code == 300


def test_query_batches_and_locators(api, seeded, state) -> None:
    state.configure({"page_size": 2})
    first = api.get("/query", params={"q": "SELECT Id, Name FROM Opportunity ORDER BY Name"}).json()
    assert first["totalSize"] == 3
    assert first["done"] is False
    assert list(first) == ["totalSize", "done", "nextRecordsUrl", "records"]
    nxt = first["nextRecordsUrl"]
    assert nxt.startswith(f"{V}/query/01g")
    assert nxt.endswith("-2")
    second = api.get(nxt.removeprefix(V)).json()
    assert (second["done"], len(second["records"])) == (True, 1)
    assert "nextRecordsUrl" not in second
    bad = api.get("/query/01gXXXXXXXXXXXXXXX-2")
    assert bad.json()[0]["errorCode"] == "INVALID_QUERY_LOCATOR"
    missing = api.get("/query")
    assert missing.json()[0]["errorCode"] == "MALFORMED_QUERY"


def test_query_errors_are_arrays(api, seeded) -> None:
    answer = api.get("/query", params={"q": "SELECT Id FROM Opportunity WHERE Nope__c = 1"})
    assert answer.status_code == 400
    [item] = answer.json()
    assert item["errorCode"] == "INVALID_FIELD"
    assert item["message"].startswith("\nSELECT Id FROM Opportunity WHERE Nope__c = 1\n")


def test_describe(api, seeded) -> None:
    everything = api.get("/sobjects").json()
    names = {o["name"] for o in everything["sobjects"]}
    assert {"Account", "Opportunity", "OpportunityLineItem", "OpportunityStage"} <= names
    info = api.get("/sobjects/Opportunity").json()["objectDescribe"]
    assert info["keyPrefix"] == "006"
    described = api.get("/sobjects/Opportunity/describe").json()
    fields = {f["name"]: f for f in described["fields"]}
    assert fields["Ext_Id__c"]["externalId"] is True
    assert fields["Ext_Id__c"]["custom"] is True
    assert fields["AccountId"]["relationshipName"] == "Account"
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    rels = {r["relationshipName"] for r in described["childRelationships"]}
    assert {"OpportunityLineItems", "OpportunityContactRoles"} <= rels


def test_deleted_and_updated_windows(api, seeded, state) -> None:
    now = state.clock.now()
    state.clock.advance(90)
    api.delete(f"/sobjects/Opportunity/{seeded['open']}")
    deleted_at = state.clock.now()
    state.clock.advance(120)
    start = (now - timedelta(minutes=5)).isoformat()
    end = state.clock.now().isoformat()
    answer = api.get("/sobjects/Opportunity/deleted/", params={"start": start, "end": end}).json()
    assert answer["deletedRecords"] == [
        {"id": seeded["open"], "deletedDate": deleted_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")}
    ]
    assert answer["latestDateCovered"] == state.clock.now().replace(second=0).strftime(
        "%Y-%m-%dT%H:%M:%S.000+0000"
    )
    assert answer["earliestDateAvailable"] == "2020-01-01T00:00:00.000+0000"
    updated = api.get(
        "/sobjects/Opportunity/updated/",
        params={"start": (now - timedelta(minutes=5)).isoformat(), "end": end},
    ).json()
    assert sorted(updated["ids"]) == sorted([seeded["won"], seeded["orphan"]])
    same_minute = api.get(
        "/sobjects/Opportunity/deleted/",
        params={"start": end, "end": (state.clock.now() + timedelta(seconds=20)).isoformat()},
    )
    assert same_minute.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    too_old = api.get(
        "/sobjects/Opportunity/deleted/",
        params={"start": (now - timedelta(days=31)).isoformat(), "end": end},
    )
    assert too_old.status_code == 400
    assert too_old.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    # Fifteen days later the recycle bin is emptied and the log starts after the deletion.
    state.clock.advance(16 * 24 * 3600)
    later = api.get(
        "/sobjects/Opportunity/deleted/",
        params={
            "start": (state.clock.now() - timedelta(days=20)).isoformat(),
            "end": state.clock.now().isoformat(),
        },
    ).json()
    assert later["deletedRecords"] == []
    assert later["earliestDateAvailable"] == deleted_at.replace(second=0).strftime(
        "%Y-%m-%dT%H:%M:%S.000+0000"
    )


def test_query_all_and_cascading_deletes(api, seeded) -> None:
    api.delete(f"/sobjects/Account/{seeded['acme']}")
    live = api.get("/query", params={"q": "SELECT Id FROM Opportunity"}).json()
    assert live["totalSize"] == 2
    everything = api.get(
        "/queryAll", params={"q": "SELECT Id FROM OpportunityLineItem WHERE IsDeleted = true"}
    ).json()
    assert everything["totalSize"] == 1
