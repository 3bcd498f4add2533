"""Associations v4 (both path families) and pipelines."""

from __future__ import annotations

import pytest

from lead2cash.emulators.hubspot.seeding import generate


@pytest.mark.parametrize(
    ("objects", "associations"),
    [
        ("/crm/v4/objects", "/crm/v4/associations"),
        ("/crm/objects/2026-03", "/crm/associations/2026-03"),
    ],
)
def test_reads_in_both_families(api, seeded, objects, associations) -> None:
    body = api.get(f"{objects}/deals/401/associations/companies").json()
    assert body == {
        "results": [
            {
                "toObjectId": 101,
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"},
                    {"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None},
                ],
            },
            {
                "toObjectId": 102,
                "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 341, "label": None}],
            },
        ]
    }
    back = api.get(f"{objects}/line_items/301/associations/deals").json()["results"]
    assert back == [
        {
            "toObjectId": 401,
            "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 20, "label": None}],
        }
    ]
    batch = api.post(
        f"{associations}/deals/contacts/batch/read",
        json={"inputs": [{"id": "401"}, {"id": "402"}]},
    )
    assert batch.status_code == 207
    result = batch.json()
    assert result["results"][0]["from"] == {"id": "401"}
    assert result["results"][0]["to"][0]["toObjectId"] == 201
    [error] = result["errors"]
    assert error["subCategory"] == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert error["context"] == {"fromObjectId": ["402"]}
    labels = api.get(f"{associations}/deals/line_items/labels").json()["results"]
    assert labels == [{"category": "HUBSPOT_DEFINED", "typeId": 19, "label": None}]


def test_writing_associations(api, seeded) -> None:
    put = api.put("/crm/v4/objects/deals/402/associations/default/companies/102")
    assert put.status_code == 200
    spec = put.json()["results"][0]["associationSpec"]
    assert spec == {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 341}
    primary = api.put(
        "/crm/v4/objects/deals/401/associations/companies/102",
        json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}],
    )
    assert primary.status_code == 201 and primary.json()["labels"] == ["Primary"]
    types = {
        r["toObjectId"]: {t["typeId"] for t in r["associationTypes"]}
        for r in api.get("/crm/v4/objects/deals/401/associations/companies").json()["results"]
    }
    assert types == {101: {341}, 102: {341, 5}}  # one primary company per deal
    assert api.delete("/crm/v4/objects/deals/401/associations/companies/101").status_code == 204
    left = api.get("/crm/v4/objects/companies/101/associations/deals").json()["results"]
    assert left == []
    wrong = api.put(
        "/crm/v4/objects/deals/401/associations/companies/101",
        json=[{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 19}],
    )
    assert wrong.status_code == 400
    assert (
        api.put("/crm/v4/objects/deals/401/associations/default/companies/999").status_code == 404
    )


def test_association_reads_page_by_500(api, state) -> None:
    deal = generate(state, "deals", 1, {"dealname": "Big"})[0]
    contacts = generate(state, "contacts", 501, {"email": "c{n}@x.test"})
    for contact in contacts:
        state.associate("deals", int(deal), "contacts", int(contact))
    first = api.get(f"/crm/v4/objects/deals/{deal}/associations/contacts").json()
    assert len(first["results"]) == 500
    after = first["paging"]["next"]["after"]
    second = api.get(
        f"/crm/v4/objects/deals/{deal}/associations/contacts", params={"after": after}
    ).json()
    assert [r["toObjectId"] for r in second["results"]] == [int(contacts[-1])]
    batch = api.post(
        "/crm/v4/associations/deals/contacts/batch/read", json={"inputs": [{"id": deal}]}
    ).json()
    assert len(batch["results"][0]["to"]) == 500 and "paging" in batch["results"][0]


@pytest.mark.parametrize("root", ["/crm/v3/pipelines", "/crm/pipelines/2026-03"])
def test_pipelines(api, seeded, root) -> None:
    [pipeline] = api.get(f"{root}/deals").json()["results"]
    assert pipeline["id"] == "default"
    stages = {s["id"]: s["metadata"] for s in pipeline["stages"]}
    assert stages["closedwon"] == {"isClosed": "true", "probability": "1.0"}
    assert stages["closedlost"] == {"isClosed": "true", "probability": "0.0"}
    assert stages["appointmentscheduled"]["isClosed"] == "false"
    assert api.get(f"{root}/deals/default").json()["label"] == "Sales Pipeline"
    assert len(api.get(f"{root}/deals/default/stages").json()["results"]) == 7
    assert api.get(f"{root}/deals/nope").status_code == 404


def test_entering_a_closed_stage_sets_the_close_date(api, seeded) -> None:
    moved = api.patch("/crm/v3/objects/deals/403", json={"properties": {"dealstage": "closedlost"}})
    assert moved.status_code == 200
    read = api.get(
        "/crm/v3/objects/deals/403",
        params={"properties": "closedate,hs_is_closed,hs_is_closed_won"},
    ).json()["properties"]
    assert read["closedate"] == "2026-03-02T09:01:00.000Z"
    assert (read["hs_is_closed"], read["hs_is_closed_won"]) == ("true", "false")
    kept = api.patch("/crm/v3/objects/deals/401", json={"properties": {"dealstage": "closedwon"}})
    assert kept.status_code == 200
    assert (
        api.get("/crm/v3/objects/deals/401", params={"properties": "closedate"}).json()[
            "properties"
        ]["closedate"]
        == "2026-04-01T00:00:00.000Z"
    )
