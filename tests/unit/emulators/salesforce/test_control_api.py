"""The emulator's control API: reset, seed, stage moves, clock, keys, sessions, config, faults,
the call log, record edits and purges."""

from __future__ import annotations

import httpx

V = "/services/data/v62.0"


def test_seed_is_all_or_nothing(control, state) -> None:
    bad = control.post(
        "/seed",
        json={
            "records": {"Account": [{"ref": "a", "Name": "A"}], "Contact": [{"AccountId": "@b"}]}
        },
    )
    assert bad.status_code == 422
    assert "unknown reference" in bad.json()["message"]
    assert control.get("/records/Account").json() == {"records": []}
    missing = control.post("/seed", json={"records": {"Contact": [{"FirstName": "x"}]}})
    assert "Required fields are missing: [LastName]" in missing.json()["message"]
    assert control.post("/seed", json={"accounts": []}).status_code == 422


def test_seed_answers_ids_and_refs(control, creds) -> None:
    answer = control.post(
        "/seed",
        json={
            "records": {
                "Account": [{"ref": "a", "Name": "A", "Region__c": "EMEA", "Tier__c": 2}],
                "Opportunity": [
                    {
                        "Name": "O",
                        "AccountId": "@a",
                        "StageName": "Closed Won",
                        "CloseDate": "2026-01-01",
                        "SystemModstamp": "2026-01-02T03:04:05Z",
                    }
                ],
                "Widget__c": [{"Name": "w1"}],
            }
        },
    ).json()
    assert answer["refs"]["a"] == answer["created"]["Account"][0]
    assert answer["created"]["Widget__c"][0].startswith("a00")
    opp = control.get(f"/records/Opportunity/{answer['created']['Opportunity'][0]}").json()
    assert opp["record"]["SystemModstamp"] == "2026-01-02T03:04:05.000+0000"
    assert opp["record"]["LastModifiedDate"] == "2026-01-02T03:04:05.000+0000"
    account = control.get(f"/records/Account/{answer['refs']['a']}").json()["record"]
    assert (account["Region__c"], account["Tier__c"]) == ("EMEA", 2)


def test_stage_moves_change_is_won_and_the_stamps(control, state, seeded) -> None:
    before = control.get(f"/records/Opportunity/{seeded['open']}").json()["record"]
    control.post("/clock", json={"advance_seconds": 30})
    moved = control.post(
        f"/opportunities/{seeded['open']}/stage", json={"stage": "Contract Approved"}
    )
    record = moved.json()["record"]
    assert (record["StageName"], record["IsWon"], record["IsClosed"]) == (
        "Contract Approved",
        True,
        True,
    )
    assert record["SystemModstamp"] > before["SystemModstamp"]
    bad = control.post(f"/opportunities/{seeded['open']}/stage", json={"stage": "Nope"})
    assert bad.status_code == 422


def test_custom_stages_replace_the_default_ones(control, api, state) -> None:
    control.post(
        "/seed",
        json={
            "stages": [
                {"ApiName": "Open"},
                {
                    "ApiName": "Signed",
                    "IsClosed": True,
                    "IsWon": True,
                    "DefaultProbability": 100,
                    "ForecastCategory": "Closed",
                },
            ]
        },
    )
    rows = api.get("/query", params={"q": "SELECT ApiName, IsWon FROM OpportunityStage"}).json()
    assert [(r["ApiName"], r["IsWon"]) for r in rows["records"]] == [
        ("Open", False),
        ("Signed", True),
    ]


def test_clock(control) -> None:
    assert control.post("/clock", json={"set": "2026-03-01T12:00:00Z"}).json() == {
        "now": "2026-03-01T12:00:00.000+0000",
        "frozen": True,
    }
    assert control.post("/clock", json={"advance_seconds": 90}).json()["now"] == (
        "2026-03-01T12:01:30.000+0000"
    )
    assert control.post("/clock", json={"unfreeze": True}).json()["frozen"] is False


def test_sessions_can_be_expired(control, api, creds) -> None:
    assert api.get("/limits").status_code == 200
    assert control.post("/sessions/expire", json={}).json() == {"expired": 1}
    assert api.get("/limits").status_code == 401
    control.post("/reset")
    assert api.get("/limits").status_code == 200


def test_config(control, api) -> None:
    answer = control.post(
        "/config", json={"page_size": 5, "daily_limit": 10, "api_usage": 4}
    ).json()
    assert answer["page_size"] == 5
    assert answer["api_usage"] == 4
    assert api.get("/limits").json()["DailyApiRequests"] == {"Max": 10, "Remaining": 5}
    assert control.post("/config", json={"page_size": 0}).status_code == 422
    assert control.post("/config", json={"nope": 1}).status_code == 422
    control.post("/config", json={"latest_version": "64.0"})
    assert api.get("/limits").status_code == 200
    assert (
        httpx.get(
            str(api.base_url).replace("62.0", "65.0") + "/limits", headers=dict(api.headers)
        ).status_code
        == 404
    )


def test_status_faults_get_salesforce_bodies_and_are_logged(control, api) -> None:
    control.post("/faults", json={"kind": "status", "status": 503, "path_prefix": V})
    control.post(
        "/faults",
        json={
            "kind": "status",
            "status": 400,
            "error_code": "UNABLE_TO_LOCK_ROW",
            "message": "unable to obtain exclusive access to this record",
            "path_prefix": V,
        },
    )
    assert len(control.get("/faults").json()["faults"]) == 2
    first = api.get("/limits")
    assert first.status_code == 503
    assert first.json() == [
        {"message": "emulator fault: HTTP 503", "errorCode": "SERVER_UNAVAILABLE"}
    ]
    second = api.get("/limits")
    assert second.json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert api.get("/limits").status_code == 200
    calls = control.get("/calls", params={"path_prefix": V}).json()["calls"]
    assert [(c["status"], c["fault"]) for c in calls] == [
        (503, "status"),
        (400, "status"),
        (200, None),
    ]
    assert "authorization" not in calls[0]["headers"]
    assert control.delete("/calls").json() == {"calls": []}
    storm = control.post(
        "/faults", json={"kind": "status", "status": 429, "retry_after": 1, "count": 2}
    )
    assert storm.json()["faults"][0]["retry_after"] == 1.0
    answer = api.get("/limits")
    assert (answer.status_code, answer.headers["retry-after"]) == (429, "1")
    assert control.delete("/faults").json() == {"faults": []}
    assert control.post("/faults", json={"kind": "status", "bogus": 1}).status_code == 422


def test_record_edits_purge_and_query(control, seeded, state) -> None:
    before = control.get(f"/records/Account/{seeded['acme']}").json()["record"]
    control.post("/clock", json={"advance_seconds": 10})
    touched = control.patch(
        f"/records/Account/{seeded['acme']}", params={"system_only": "true"}, json={}
    ).json()["record"]
    assert touched["SystemModstamp"] > before["SystemModstamp"]
    assert touched["LastModifiedDate"] == before["LastModifiedDate"]
    control.delete(f"/records/Opportunity/{seeded['open']}")
    everything = control.get("/records/Opportunity").json()["records"]
    assert sum(r["IsDeleted"] for r in everything) == 1
    purged = control.post("/purge", json={"before": "2100-01-01T00:00:00Z"}).json()
    assert purged == {"purged": 1}
    assert len(control.get("/records/Opportunity").json()["records"]) == 2
    rows = control.get("/query", params={"q": "SELECT Name FROM Account ORDER BY Name"}).json()
    assert [r["Name"] for r in rows["records"]] == ["Acme", "Globex"]
    assert control.get("/query", params={"q": "SELECT"}).status_code == 400
    assert control.get("/records/Nope").status_code == 404
