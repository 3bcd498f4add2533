"""Webhooks signed exactly as HubSpot signs them: the emulator moves a deal to a stage and
POSTs a ``deal.propertyChange`` delivery to a real receiver; ``verify_v3`` accepts it as
received, and refuses it with one byte changed, a stale timestamp, or no signature. The official
SDK's signature helper agrees. (The emulator's signer and the connector's verifier are written
independently, so each checks the other.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hubspot.utils.signature import Signature
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from lead2cash import errors
from lead2cash.connectors.hubspot import HubSpotWebhookVerifier, parse_events, verify_v3
from lead2cash.emulators.server import serving

SECRET = "contract-client-secret-0123456789"


@dataclass
class Received:
    method: str
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    box = Receiver("")

    async def hook(request: Request) -> Response:
        box.requests.append(
            Received(request.method, str(request.url), await request.body(), dict(request.headers))
        )
        return Response(status_code=204)

    app = Starlette(routes=[Route("/hooks/{rest:path}", hook, methods=["POST"])])
    with serving(app) as running:
        box.url = running.url
        yield box


def _move(target, receiver: Receiver, path: str, stage: str = "closedwon") -> Received:
    state = target.emulator()
    target.seed_portal(deals=1)
    state.configure({"webhook_url": f"{receiver.url}{path}"})
    receiver.requests.clear()
    with httpx.Client(base_url=f"{target.url}/_emulator", timeout=10) as control:
        answer = control.post("/deals/401/stage", json={"stage": stage})
    assert answer.status_code == 200, answer.text
    assert answer.json()["delivery"]["status"] == 204
    assert len(receiver.requests) == 1
    return receiver.requests[0]


def test_a_stage_change_is_delivered_signed_and_verified(target, receiver) -> None:
    got = _move(target, receiver, "/hooks/hubspot")
    assert got.headers["content-type"] == "application/json"
    assert got.headers["x-hubspot-signature-version"] == "v1"
    now = datetime.now(UTC)
    verify_v3(got.method, got.url, got.body, got.headers, SECRET, now)
    verify_v3(got.method, got.url, got.body, got.headers, SecretStr(SECRET), now)
    assert Signature.is_valid(
        signature=got.headers["x-hubspot-signature-v3"],
        client_secret=SECRET,
        request_body=got.body.decode(),
        http_uri=got.url,
        http_method="POST",
        signature_version="v3",
        timestamp=got.headers["x-hubspot-request-timestamp"],
    )
    [event] = parse_events(got.body)
    assert event.subscription_type == "deal.propertyChange"
    assert (event.object_id, event.property_name, event.property_value) == (
        401,
        "dealstage",
        "closedwon",
    )
    assert event.attempt_number == 0 and event.portal_id and event.app_id
    deal = target.client().get_object("deals", "401", properties=["dealstage", "closedate"])
    assert deal.properties["dealstage"] == "closedwon"
    assert deal.prop("closedate") is not None
    assert deal.modified("hs_lastmodifieddate") == event.occurred_at


def test_tampering_staleness_and_missing_signatures_are_refused(target, receiver) -> None:
    got = _move(target, receiver, "/hooks/hubspot")
    now = datetime.now(UTC)
    changed = bytearray(got.body)
    changed[changed.index(b"closedwon")] ^= 0x01
    with pytest.raises(errors.AuthError, match="does not match"):
        verify_v3(got.method, got.url, bytes(changed), got.headers, SECRET, now)
    with pytest.raises(errors.AuthError, match="5 minutes"):
        verify_v3(got.method, got.url, got.body, got.headers, SECRET, now + timedelta(minutes=6))
    unsigned = {k: v for k, v in got.headers.items() if k != "x-hubspot-signature-v3"}
    with pytest.raises(errors.AuthError, match="no X-HubSpot-Signature-v3"):
        verify_v3(got.method, got.url, got.body, unsigned, SECRET, now)
    with pytest.raises(errors.AuthError):
        verify_v3(got.method, got.url, got.body, got.headers, "another-secret", now)
    with pytest.raises(errors.AuthError):
        verify_v3(got.method, got.url + "?x=1", got.body, got.headers, SECRET, now)


def test_escapes_in_the_target_url_are_decoded_before_checking(target, receiver) -> None:
    got = _move(target, receiver, "/hooks/hubspot?portal=eu%3A1&tags=a%2Cb&next=%2Fdone")
    assert "%3A" in got.url and "%2C" in got.url  # the receiver sees the escapes
    verify_v3(got.method, got.url, got.body, got.headers, SECRET, datetime.now(UTC))


def test_the_verifier_behind_a_proxy_and_its_inbox_events(target, receiver) -> None:
    got = _move(target, receiver, "/hooks/hubspot")
    verifier = HubSpotWebhookVerifier(client_secret=SecretStr(SECRET))
    proxied = got.url.replace("http://127.0.0.1", "http://10.0.0.7")
    with pytest.raises(errors.AuthError):
        verifier.verify(
            method="POST", url=proxied, body=got.body, headers=got.headers, now=datetime.now(UTC)
        )
    origin = got.url.split("/hooks/")[0]
    behind = HubSpotWebhookVerifier(client_secret=SecretStr(SECRET), public_origin=origin)
    behind.verify(
        method="POST", url=proxied, body=got.body, headers=got.headers, now=datetime.now(UTC)
    )
    [event] = behind.events(got.body)
    assert event.job_kind == "hubspot.deal.import"
    assert event.payload["propertyValue"] == "closedwon"
    assert event.event_key == str(parse_events(got.body)[0].event_id)
    assert "client_secret=***" in repr(behind) and SECRET not in repr(behind)


def test_batched_retried_deliveries(target, receiver) -> None:
    state = target.emulator()
    target.seed_portal(deals=2)
    state.configure({"webhook_url": f"{receiver.url}/hooks/batch"})
    receiver.requests.clear()
    events = [
        {
            "subscriptionType": "deal.propertyChange",
            "objectId": 402,
            "propertyName": "amount",
            "propertyValue": "10",
        },
        {"subscriptionType": "deal.creation", "objectId": 401, "changeFlag": "CREATED"},
        {"subscriptionType": "company.deletion", "objectId": 101},
        {"subscriptionType": "ticket.creation", "objectId": 9},
        {
            "subscriptionType": "deal.propertyChange",
            "objectId": 401,
            "eventId": 7,
            "attemptNumber": 2,
            "propertyName": "dealname",
            "propertyValue": "x",
        },
    ]
    with httpx.Client(base_url=f"{target.url}/_emulator", timeout=10) as control:
        assert control.post("/webhooks/deliver", json={"events": events}).status_code == 200
        deliveries = control.get("/webhooks").json()["deliveries"]
    assert len(deliveries) == 1 and deliveries[0]["status"] == 204
    got = receiver.requests[0]
    verifier = HubSpotWebhookVerifier(client_secret=SecretStr(SECRET))
    verifier.verify(
        method="POST", url=got.url, body=got.body, headers=got.headers, now=datetime.now(UTC)
    )
    kinds = [(e.job_kind, e.extra["object_id"]) for e in verifier.events(got.body)]
    assert kinds == [
        ("hubspot.deal.import", "402"),
        ("hubspot.deal.import", "401"),
        ("hubspot.company.archived", "101"),
        ("hubspot.deal.import", "401"),
    ]
    parsed = parse_events(got.body)
    assert parsed[-1].event_id == 7 and parsed[-1].attempt_number == 2
