"""Auth, the rate limits with HubSpot's 429 bodies and headers, storms and faults."""

from __future__ import annotations

import time

import httpx


def test_without_a_valid_bearer_token(server, state) -> None:
    url = f"{server[0].url}/crm/v3/objects/deals"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        answer = httpx.get(url, headers=headers)
        assert answer.status_code == 401
        body = answer.json()
        assert body["category"] == "INVALID_AUTHENTICATION"
        assert body["message"].startswith("Authentication credentials not found")
        assert answer.headers["x-hubspot-correlation-id"] == body["correlationId"]
    unknown = httpx.get(f"{server[0].url}/nowhere", headers={"Authorization": "Bearer wrong"})
    assert unknown.status_code == 401


def test_unknown_routes(api, state) -> None:
    answer = api.get("/crm/v2/things")
    assert answer.status_code == 404 and answer.json()["category"] == "OBJECT_NOT_FOUND"


def test_the_rolling_burst_limit(api, state) -> None:
    state.configure({"rate_limit": {"requests": 3, "window_seconds": 1}})
    answers = [api.get("/crm/v3/objects/deals") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["x-hubspot-ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert answers[0].headers["x-hubspot-ratelimit-max"] == "3"
    assert answers[0].headers["x-hubspot-ratelimit-interval-milliseconds"] == "1000"
    assert answers[0].headers["x-hubspot-ratelimit-daily"] == "250000"
    assert answers[2].headers["x-hubspot-ratelimit-daily-remaining"] == "249997"
    body = answers[3].json()
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["errorType"] == "RATE_LIMIT" and body["status"] == "error"
    assert body["correlationId"] and body["requestId"]
    assert "retry-after" not in answers[3].headers
    time.sleep(1.0)
    assert api.get("/crm/v3/objects/deals").status_code == 200


def test_retry_after_when_configured(api, state) -> None:
    state.configure(
        {"rate_limit": {"requests": 1, "window_seconds": 10, "retry_after_header": True}}
    )
    api.get("/crm/v3/objects/deals")
    limited = api.get("/crm/v3/objects/deals")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "10"


def test_search_has_its_own_limit_and_no_rate_headers(api, state) -> None:
    state.configure({"rate_limit": {"requests": 1, "search_per_second": 2}})
    answers = [api.post("/crm/v3/objects/deals/search", json={}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["policyName"] == "SECONDLY"
    assert answers[2].json()["message"] == "You have reached your secondly limit."
    assert not [h for h in answers[0].headers if h.startswith("x-hubspot-ratelimit")]
    assert api.get("/crm/v3/objects/deals").status_code == 200  # the burst window is untouched


def test_the_daily_limit_and_usage(api, state) -> None:
    state.configure({"rate_limit": {"daily": 2}})
    assert api.get("/crm/v3/objects/deals").status_code == 200
    usage = api.get("/account-info/v3/api-usage/daily/private-apps").json()["results"][0]
    assert usage["name"] == "private-apps-api-calls-daily"
    assert (usage["usageLimit"], usage["currentUsage"]) == (2, 2)  # this call counts too
    assert usage["resetsAt"].endswith("T00:00:00.000Z")
    daily = api.get("/crm/v3/objects/deals")
    assert daily.status_code == 429 and daily.json()["policyName"] == "DAILY"
    assert daily.headers["x-hubspot-ratelimit-daily-remaining"] == "0"
    state.configure({"rate_limit": {"enforce": False}})
    assert api.get("/crm/v3/objects/deals").status_code == 200


def test_a_storm_and_faults_through_the_control_api(api, control, state) -> None:
    assert control.post(
        "/faults", json={"kind": "rate_limit", "seconds": 0.3, "retry_after": 1}
    ).json() == {"storm_seconds": 0.3}
    stormy = api.post("/crm/v3/objects/deals/search", json={})
    assert stormy.status_code == 429 and stormy.headers["retry-after"] == "1"
    assert stormy.json()["policyName"] == "TEN_SECONDLY_ROLLING"
    time.sleep(0.35)
    assert api.get("/crm/v3/objects/deals").status_code == 200
    rules = [
        {"kind": "status", "status": 429, "retry_after": 2, "policy": "SECONDLY"},
        {"kind": "status", "status": 503, "path_prefix": "/crm/v3/pipelines"},
    ]
    for rule in rules:
        assert control.post("/faults", json=rule).status_code == 200
    assert len(control.get("/faults").json()["faults"]) == 2
    limited = api.get("/crm/v3/objects/deals")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert limited.json()["policyName"] == "SECONDLY"
    down = api.get("/crm/v3/pipelines/deals")
    assert down.status_code == 503 and down.json()["status"] == "error"
    assert api.get("/crm/v3/pipelines/deals").status_code == 200
    control.post("/faults", json={"kind": "rate_limit", "seconds": 30})
    assert control.delete("/faults").json() == {"faults": []}
    assert api.get("/crm/v3/objects/deals").status_code == 200
    assert control.post("/faults", json={"kind": "status", "oops": 1}).status_code == 422
