"""Objects on both path families: list paging, reads, writes with HubSpot's validation errors,
archiving, batch endpoints and property definitions."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize(
    "root", ["/crm/v3/objects", "/crm/objects/2026-03", "/crm/objects/2026-09"]
)
def test_list_pages_by_after_and_omits_paging_on_the_last_page(api, seeded, root) -> None:
    first = api.get(f"{root}/deals", params={"limit": 2, "properties": "dealname,amount"})
    assert first.status_code == 200
    body = first.json()
    assert [d["id"] for d in body["results"]] == ["401", "402"]
    assert body["results"][0]["properties"] == {
        "dealname": "Website",
        "amount": "1500.50",
        "createdate": "2026-03-02T09:00:00.000Z",
        "hs_lastmodifieddate": "2026-03-02T09:00:00.000Z",
        "hs_object_id": "401",
    }
    after = body["paging"]["next"]["after"]
    assert "after=403" in body["paging"]["next"]["link"]
    last = api.get(f"{root}/0-3", params={"limit": 2, "after": after}).json()
    assert [d["id"] for d in last["results"]] == ["403"]
    assert "paging" not in last


def test_list_defaults(api, seeded) -> None:
    body = api.get("/crm/v3/objects/deals", params={"limit": 500}).json()
    assert len(body["results"]) == 3
    props = body["results"][0]["properties"]
    assert set(props) == {
        "dealname",
        "amount",
        "closedate",
        "pipeline",
        "dealstage",
        "createdate",
        "hs_lastmodifieddate",
        "hs_object_id",
    }
    assert props["pipeline"] == "default" and props["dealstage"] == "appointmentscheduled"
    contact = api.get("/crm/v3/objects/contacts").json()["results"][0]["properties"]
    assert set(contact) == {
        "firstname",
        "lastname",
        "email",
        "createdate",
        "lastmodifieddate",
        "hs_object_id",
    }
    assert contact["lastname"] is None


def test_read_with_unknown_and_computed_properties(api, seeded) -> None:
    params = [("properties", "dealname"), ("properties", "nope,hs_is_closed_won,hs_is_closed")]
    won = api.get("/crm/v3/objects/deals/402", params=params).json()
    assert "nope" not in won["properties"]
    assert won["properties"]["hs_is_closed_won"] == "true"
    assert won["properties"]["hs_is_closed"] == "true"
    assert won["archived"] is False and won["createdAt"] == "2026-03-02T09:00:00.000Z"


def test_a_missing_record_answers_hubspots_404(api, seeded) -> None:
    answer = api.get("/crm/v3/objects/deals/999")
    assert answer.status_code == 404
    body = answer.json()
    assert body["status"] == "error" and body["category"] == "OBJECT_NOT_FOUND"
    assert body["message"] == "Object not found.  objectId are usually numeric."
    assert body["context"] == {"id": ["999"]}
    assert answer.headers["x-hubspot-correlation-id"] == body["correlationId"]
    assert api.get("/crm/v3/objects/deals/abc").status_code == 404
    unknown = api.get("/crm/v3/objects/widgets")
    assert unknown.status_code == 400 and "Unable to infer object type" in unknown.json()["message"]


def test_create_with_associations(api, seeded) -> None:
    answer = api.post(
        "/crm/v3/objects/deals",
        json={
            "properties": {"dealname": "New", "amount": "10", "closedate": "1772442000000"},
            "associations": [
                {
                    "to": {"id": "101"},
                    "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
                }
            ],
        },
    )
    assert answer.status_code == 201
    deal = answer.json()
    assert deal["properties"]["closedate"] == "2026-03-02T09:00:00.000Z"
    linked = api.get(f"/crm/v4/objects/deals/{deal['id']}/associations/companies").json()
    assert linked["results"][0]["toObjectId"] == 101
    assert {t["typeId"] for t in linked["results"][0]["associationTypes"]} == {5, 341}
    bad = api.post(
        "/crm/v3/objects/deals",
        json={
            "properties": {"dealname": "x"},
            "associations": [{"to": {"id": "101"}, "types": [{"associationTypeId": 279}]}],
        },
    )
    assert bad.status_code == 400


def test_patch_stamps_the_change_and_keeps_history(api, seeded) -> None:
    seeded.clock.advance(5)
    answer = api.patch("/crm/v3/objects/deals/403", json={"properties": {"amount": "42"}})
    assert answer.status_code == 200
    assert answer.json()["properties"]["hs_lastmodifieddate"] == "2026-03-02T09:01:05.000Z"
    assert answer.json()["updatedAt"] == "2026-03-02T09:01:05.000Z"
    history = api.get(
        "/crm/v3/objects/deals/403", params={"propertiesWithHistory": "amount"}
    ).json()["propertiesWithHistory"]["amount"]
    assert history == [
        {"value": "42", "timestamp": "2026-03-02T09:01:05.000Z", "sourceType": "API"}
    ]
    cleared = api.patch("/crm/v3/objects/deals/403", json={"properties": {"amount": ""}})
    assert cleared.json()["properties"]["amount"] is None


@pytest.mark.parametrize(
    ("props", "code"),
    [
        ({"nope": "1"}, "PROPERTY_DOESNT_EXIST"),
        ({"hs_lastmodifieddate": "1"}, "READ_ONLY_VALUE"),
        ({"hs_is_closed_won": "true"}, "READ_ONLY_VALUE"),
        ({"amount": "lots"}, "INVALID_FLOAT"),
        ({"closedate": "tomorrow"}, "INVALID_DATE"),
        ({"dealstage": "nowhere"}, "INVALID_OPTION"),
        ({"pipeline": "nowhere"}, "INVALID_OPTION"),
        ({"odoo_status": "lost"}, "INVALID_OPTION"),
    ],
)
def test_invalid_writes_answer_hubspots_validation_error(api, seeded, props, code) -> None:
    answer = api.patch("/crm/v3/objects/deals/401", json={"properties": props})
    assert answer.status_code == 400
    body = answer.json()
    assert body["category"] == "VALIDATION_ERROR"
    prefix = "Property values were not valid: "
    assert body["message"].startswith(prefix)
    [detail] = json.loads(body["message"][len(prefix) :])
    assert detail["error"] == code and detail["name"] == next(iter(props))
    assert detail["isValid"] is False


def test_unique_properties_conflict_and_address_records(api, seeded) -> None:
    assert api.patch(
        "/crm/v3/objects/deals/401", json={"properties": {"odoo_ref": "S1"}}
    ).is_success
    taken = api.patch("/crm/v3/objects/deals/402", json={"properties": {"odoo_ref": "S1"}})
    assert taken.status_code == 409 and taken.json()["category"] == "CONFLICT"
    by_ref = api.get("/crm/v3/objects/deals/S1", params={"idProperty": "odoo_ref"})
    assert by_ref.json()["id"] == "401"
    patched = api.patch(
        "/crm/v3/objects/deals/S1",
        params={"idProperty": "odoo_ref"},
        json={"properties": {"odoo_status": "paid"}},
    )
    assert patched.json()["id"] == "401"
    assert api.get("/crm/v3/objects/deals/x", params={"idProperty": "dealname"}).status_code == 400


def test_archiving(api, seeded) -> None:
    assert api.delete("/crm/v3/objects/deals/402").status_code == 204
    assert api.delete("/crm/v3/objects/deals/402").status_code == 204
    assert api.get("/crm/v3/objects/deals/402").status_code == 404
    archived = api.get("/crm/v3/objects/deals/402", params={"archived": "true"}).json()
    assert archived["archived"] is True and archived["archivedAt"] == "2026-03-02T09:01:00.000Z"
    listed = api.get("/crm/v3/objects/deals", params={"archived": "true"}).json()
    assert [d["id"] for d in listed["results"]] == ["402"]
    live = api.get("/crm/v3/objects/deals").json()
    assert [d["id"] for d in live["results"]] == ["401", "403"]


def test_batch_endpoints(api, seeded) -> None:
    read = api.post(
        "/crm/v3/objects/deals/batch/read",
        json={"inputs": [{"id": "401"}, {"id": "999"}], "properties": ["dealname"]},
    )
    assert read.status_code == 207
    body = read.json()
    assert [d["id"] for d in body["results"]] == ["401"]
    assert body["numErrors"] == 1 and body["errors"][0]["context"] == {"ids": ["999"]}
    assert body["status"] == "COMPLETE"
    created = api.post(
        "/crm/objects/2026-03/deals/batch/create",
        json={"inputs": [{"properties": {"dealname": "B1"}}, {"properties": {"dealname": "B2"}}]},
    )
    assert created.status_code == 201 and len(created.json()["results"]) == 2
    updated = api.post(
        "/crm/v3/objects/deals/batch/update",
        json={"inputs": [{"id": "401", "properties": {"amount": "1"}}]},
    )
    assert (
        updated.status_code == 200 and updated.json()["results"][0]["properties"]["amount"] == "1"
    )
    upsert = api.post(
        "/crm/v3/objects/deals/batch/upsert",
        json={"inputs": [{"id": "R9", "idProperty": "odoo_ref", "properties": {"dealname": "U"}}]},
    )
    assert upsert.json()["results"][0]["new"] is True
    again = api.post(
        "/crm/v3/objects/deals/batch/upsert",
        json={"inputs": [{"id": "R9", "idProperty": "odoo_ref", "properties": {"dealname": "V"}}]},
    )
    assert again.json()["results"][0]["new"] is False
    archived = api.post("/crm/v3/objects/deals/batch/archive", json={"inputs": [{"id": "403"}]})
    assert archived.status_code == 204
    too_many = api.post(
        "/crm/v3/objects/deals/batch/read", json={"inputs": [{"id": str(i)} for i in range(101)]}
    )
    assert too_many.status_code == 400
    assert api.post("/crm/v3/objects/deals/batch/read", json={"inputs": "x"}).status_code == 400
    assert api.post("/crm/v3/objects/deals/batch/explode", json={"inputs": []}).status_code == 404


def test_property_definitions(api, seeded) -> None:
    listed = api.get("/crm/v3/properties/deals").json()["results"]
    names = {p["name"]: p for p in listed}
    assert names["hs_lastmodifieddate"]["modificationMetadata"]["readOnlyValue"] is True
    assert names["odoo_ref"]["hasUniqueValue"] is True
    new = {
        "name": "odoo_invoice_status",
        "label": "Invoice",
        "type": "enumeration",
        "fieldType": "select",
        "groupName": "dealinformation",
        "options": [{"label": "Paid", "value": "paid", "displayOrder": 0}],
    }
    created = api.post("/crm/properties/2026-03/deals", json=new)
    assert created.status_code == 201 and created.json()["options"][0]["value"] == "paid"
    assert api.post("/crm/v3/properties/deals", json=new).status_code == 409
    assert api.get("/crm/v3/properties/deals/odoo_invoice_status").json()["type"] == "enumeration"
    assert api.get("/crm/v3/properties/deals/nope").status_code == 404
    assert api.post("/crm/v3/properties/deals", json={"name": "Bad Name"}).status_code == 400
    ok = api.patch(
        "/crm/v3/objects/deals/401", json={"properties": {"odoo_invoice_status": "paid"}}
    )
    assert ok.status_code == 200


def test_a_body_that_is_not_json(api, seeded) -> None:
    answer = api.patch(
        "/crm/v3/objects/deals/401", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400 and answer.json()["category"] == "VALIDATION_ERROR"


def test_createdate_may_be_written(api, seeded) -> None:
    created = api.post(
        "/crm/v3/objects/companies",
        json={"properties": {"name": "Old Co", "createdate": "2020-01-01T00:00:00Z"}},
    ).json()
    assert created["createdAt"] == "2020-01-01T00:00:00.000Z"
    assert created["properties"]["createdate"] == "2020-01-01T00:00:00.000Z"
    assert created["updatedAt"] == "2026-03-02T09:01:00.000Z"
    moved = api.patch(
        f"/crm/v3/objects/companies/{created['id']}",
        json={"properties": {"createdate": "1577923200000"}},
    ).json()
    assert moved["createdAt"] == "2020-01-02T00:00:00.000Z"
