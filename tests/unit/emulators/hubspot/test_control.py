"""The control API: seed, generate, records, clock, config, calls, stage moves and webhooks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hubspot.utils.signature import Signature
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lead2cash.emulators.server import serving

SECRET = "emulator-unit-secret"


@pytest.fixture(scope="module")
def inbox() -> Iterator[tuple[str, list[tuple[str, bytes, dict[str, str]]]]]:
    got: list[tuple[str, bytes, dict[str, str]]] = []

    async def hook(request: Request) -> Response:
        got.append((str(request.url), await request.body(), dict(request.headers)))
        return Response(status_code=200 if request.url.path != "/fail" else 500)

    app = Starlette(routes=[Route("/{path:path}", hook, methods=["POST"])])
    with serving(app) as running:
        yield running.url, got


def test_seed_is_all_or_nothing(api, control, state) -> None:
    bad = {
        "companies": [{"id": "101", "properties": {"name": "Acme"}}],
        "deals": [{"properties": {"dealname": "D"}, "associations": {"companies": ["999"]}}],
    }
    refused = control.post("/seed", json=bad)
    assert refused.status_code == 422 and "unknown companies" in refused.json()["message"]
    assert api.get("/crm/v3/objects/companies").json()["results"] == []
    for doc in (
        {"tickets": []},
        {"deals": ["x"]},
        {"deals": [{"properties": {"amount": "lots"}}]},
        {"line_items": [{"properties": {}, "associations": {"companies": ["1"]}}]},
        {"pipelines": {"deals": [{"id": "p", "stages": [{"id": "s", "probability": "2"}]}]}},
        {"properties": {"deals": [{"name": "x", "type": "money"}]}},
        [],
    ):
        assert control.post("/seed", json=doc).status_code == 422, doc
    good = control.post("/seed", json=bad | {"deals": [{"id": "7", "properties": {"x_new": "1"}}]})
    assert good.json() == {"created": {"companies": ["101"], "deals": ["7"]}}
    assert control.post("/seed", json={"deals": [{"id": "7", "properties": {}}]}).status_code == 422
    custom = api.get("/crm/v3/objects/deals/7", params={"properties": "x_new"}).json()
    assert custom["properties"]["x_new"] == "1"


def test_generate_records_and_edits(api, control, state) -> None:
    control.post("/clock", json={"set": "2026-03-02T09:00:00Z"})
    made = control.post(
        "/generate",
        json={"type": "companies", "count": 3, "properties": {"name": "Co {n}"}, "step_ms": 1000},
    ).json()
    assert made["created"] == 3
    listed = control.get("/objects/companies").json()["results"]
    assert [c["properties"]["name"] for c in listed] == ["Co 1", "Co 2", "Co 3"]
    assert listed[2]["updatedAt"] == "2026-03-02T09:00:02.000Z"
    edited = control.patch(
        f"/objects/companies/{made['first']}", json={"properties": {"name": "Renamed", "tag": "x"}}
    ).json()
    assert edited["properties"]["name"] == "Renamed" and edited["properties"]["tag"] == "x"
    assert edited["updatedAt"] == "2026-03-02T09:00:00.000Z"
    stamped = control.patch(
        f"/objects/companies/{made['last']}",
        json={"properties": {}, "updatedAt": "2026-03-01T00:00:00Z"},
    ).json()
    assert stamped["updatedAt"] == "2026-03-01T00:00:00.000Z"
    assert control.delete(f"/objects/companies/{made['last']}").status_code == 200
    assert control.get(f"/objects/companies/{made['last']}").json()["archived"] is True
    assert control.get("/objects/companies/1").status_code == 404
    assert control.get("/objects/widgets").status_code == 422
    assert control.post("/generate", json={"type": "deals", "count": 0}).status_code == 422


def test_clock(control, state) -> None:
    assert control.post("/clock", json={"set": "2026-03-02T09:00:00Z"}).json() == {
        "now": "2026-03-02T09:00:00.000Z",
        "frozen": True,
    }
    assert control.post("/clock", json={"advance_seconds": 1.5}).json()["now"] == (
        "2026-03-02T09:00:01.500Z"
    )
    running = control.post("/clock", json={"unfreeze": True}).json()
    assert running["frozen"] is False and running["now"] >= "2026-03-02T09:00:01.500Z"
    assert control.post("/clock", json={"set": "soon"}).status_code == 422
    control.post("/reset")
    assert control.get("/clock").json()["now"] > datetime.now(UTC).isoformat()[:4]


def test_config(control, state) -> None:
    config = control.get("/config").json()
    assert config["rate_limit"]["requests"] == 100 and config["search"]["result_cap"] == 10000
    changed = control.post(
        "/config",
        json={
            "rate_limit": {"requests": 190},
            "search": {"result_cap": 50},
            "portal_id": 7,
            "timezone": "Europe/Paris",
        },
    ).json()
    assert changed["rate_limit"]["requests"] == 190 and changed["portal_id"] == 7
    assert changed["search"]["result_cap"] == 50 and changed["timezone"] == "Europe/Paris"
    for bad in (
        {"nope": 1},
        {"rate_limit": {"nope": 1}},
        {"search": {"nope": 1}},
        {"timezone": "Mars/Base"},
    ):
        assert control.post("/config", json=bad).status_code == 422, bad


def test_the_call_log(api, control, state) -> None:
    api.get("/crm/v3/objects/deals", params={"limit": 1})
    api.get("/crm/v3/pipelines/deals")
    control.get("/config")
    calls = control.get("/calls", params={"path_prefix": "/crm/v3/objects"}).json()["calls"]
    assert [(c["method"], c["path"], c["query"], c["status"]) for c in calls] == [
        ("GET", "/crm/v3/objects/deals", "limit=1", 200)
    ]
    assert "authorization" not in calls[0]["headers"]
    assert len(control.get("/calls").json()["calls"]) == 2
    assert control.delete("/calls").json() == {"calls": []}


def test_a_stage_move_sends_a_signed_webhook(api, control, seeded, inbox) -> None:
    url, got = inbox
    got.clear()
    control.post("/config", json={"webhook_url": f"{url}/hooks/hubspot?x=a%3Ab"})
    moved = control.post("/deals/401/stage", json={"stage": "closedwon", "source_id": "userId:9"})
    assert moved.status_code == 200
    answer = moved.json()
    assert answer["deal"]["properties"]["dealstage"] == "closedwon"
    assert answer["deal"]["properties"]["hs_is_closed_won"] == "true"
    assert answer["delivery"]["status"] == 200
    event = answer["event"]
    assert event == {
        "eventId": 100001,
        "subscriptionId": 234567,
        "portalId": 12345678,
        "appId": 987654,
        "occurredAt": 1772442060000,
        "subscriptionType": "deal.propertyChange",
        "attemptNumber": 0,
        "objectId": 401,
        "propertyName": "dealstage",
        "propertyValue": "closedwon",
        "changeSource": "CRM_UI",
        "sourceId": "userId:9",
    }
    [(seen_url, body, headers)] = got
    assert body == (
        b'[{"eventId":100001,"subscriptionId":234567,"portalId":12345678,"appId":987654,'
        b'"occurredAt":1772442060000,"subscriptionType":"deal.propertyChange","attemptNumber":0,'
        b'"objectId":401,"propertyName":"dealstage","propertyValue":"closedwon",'
        b'"changeSource":"CRM_UI","sourceId":"userId:9"}]'
    )
    stamp = headers["x-hubspot-request-timestamp"]
    assert abs(int(stamp) - datetime.now(UTC).timestamp() * 1000) < 60_000
    expected = Signature.get_signature(
        SECRET, body.decode(), "v3", seen_url.replace("%3A", ":"), "POST", stamp
    )
    assert headers["x-hubspot-signature-v3"] == expected
    assert headers["x-hubspot-signature"] == Signature.get_signature(SECRET, body.decode(), "v1")
    assert headers["x-hubspot-signature-version"] == "v1"
    read = api.get(
        "/crm/v3/objects/deals/401", params={"properties": "dealstage,hs_lastmodifieddate"}
    ).json()
    assert read["properties"]["hs_lastmodifieddate"] == "2026-03-02T09:01:00.000Z"


def test_stage_moves_are_validated_and_need_no_receiver(control, seeded, inbox) -> None:
    url, got = inbox
    got.clear()
    refused = control.post("/deals/401/stage", json={"stage": "nowhere"})
    assert refused.status_code == 400 and refused.json()["category"] == "VALIDATION_ERROR"
    assert control.post("/deals/999/stage", json={"stage": "closedwon"}).status_code == 404
    quiet = control.post("/deals/401/stage", json={"stage": "closedlost"}).json()
    assert quiet["delivery"] is None and got == []
    control.post("/config", json={"webhook_url": f"{url}/fail"})
    failed = control.post("/deals/401/stage", json={"stage": "closedwon"}).json()
    assert failed["delivery"]["status"] == 500
    control.post("/config", json={"webhook_url": "http://127.0.0.1:9/closed"})
    unreachable = control.post("/deals/401/stage", json={"stage": "closedlost"}).json()
    assert (
        unreachable["delivery"]["status"] is None
        and "ConnectError" in unreachable["delivery"]["error"]
    )
    assert len(control.get("/webhooks").json()["deliveries"]) == 2


def test_deliver_arbitrary_events(control, seeded, inbox) -> None:
    url, got = inbox
    got.clear()
    assert control.post("/webhooks/deliver", json={"events": [{}]}).status_code == 422
    sent = control.post(
        "/webhooks/deliver",
        json={
            "url": f"{url}/h",
            "events": [
                {"subscriptionType": "deal.creation", "objectId": 402},
                {
                    "subscriptionType": "deal.creation",
                    "objectId": 401,
                    "eventId": 5,
                    "attemptNumber": 3,
                },
            ],
        },
    ).json()
    assert [e["eventId"] for e in sent["events"]] == [100001, 5]
    assert sent["events"][1]["attemptNumber"] == 3
    assert len(got) == 1
    assert control.post("/webhooks/deliver", json={"events": []}).status_code == 422
