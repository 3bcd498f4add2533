"""verify_v3 and the event parser, against HubSpot's documented rules and the official SDK."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hubspot.utils.signature import Signature
from pydantic import SecretStr

from lead2cash import errors
from lead2cash.connectors.hubspot.webhooks import (
    HubSpotWebhookVerifier,
    decode_uri,
    job_kind,
    parse_events,
    signature_v3,
    verify_v3,
)

SECRET = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAMP = str(int(NOW.timestamp() * 1000))
URL = "https://hub.example.com/webhooks/hubspot"
BODY = json.dumps(
    [
        {
            "eventId": 1,
            "subscriptionId": 2,
            "portalId": 3,
            "appId": 4,
            "occurredAt": int(NOW.timestamp() * 1000),
            "subscriptionType": "deal.propertyChange",
            "attemptNumber": 0,
            "objectId": 123,
            "propertyName": "dealstage",
            "propertyValue": "closedwon",
            "changeSource": "CRM_UI",
        }
    ],
    separators=(",", ":"),
).encode()


def _headers(body: bytes = BODY, url: str = URL, stamp: str = STAMP) -> dict[str, str]:
    return {
        "X-HubSpot-Signature-v3": signature_v3(SECRET, "POST", url, body, stamp),
        "X-HubSpot-Request-Timestamp": stamp,
    }


@pytest.mark.parametrize(
    "uri",
    [
        URL,
        "https://hub.example.com/hook?a=1&b=two",
        "https://hub.example.com/hook?redirect=https%3A%2F%2Fx.test%2Fp%3Fq%3D1",
        "https://hub.example.com/hook?list=a%2cb%3bc&at=%40me%21%24%27%28%29%2a",
        "https://hub.example.com/h%C3%A9?x=%20y",
    ],
)
def test_the_signature_is_the_one_the_official_sdk_computes(uri: str) -> None:
    ours = signature_v3(SECRET, "POST", uri, BODY, STAMP)
    sdk = Signature.get_signature(SECRET, BODY.decode(), "v3", decode_uri(uri), "POST", STAMP)
    assert ours == sdk


def test_decoding_covers_hubspots_list_and_nothing_else() -> None:
    encoded = "%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B"
    assert decode_uri(encoded) == ":/?@!$'()*,;"
    assert decode_uri(encoded.lower()) == ":/?@!$'()*,;"
    assert decode_uri("a%20b%26c%3Dd%253A") == "a%20b%26c%3Dd%253A"


def test_a_genuine_delivery_passes_with_headers_in_any_case() -> None:
    verify_v3("POST", URL, BODY, _headers(), SECRET, NOW)
    lowered = {k.lower(): v for k, v in _headers().items()}
    verify_v3("POST", URL, BODY, lowered, SecretStr(SECRET), NOW + timedelta(seconds=299))
    escaped = "https://hub.example.com/hook?next=%2Fa%3Ab"
    verify_v3(
        "POST", escaped, BODY, _headers(url="https://hub.example.com/hook?next=/a:b"), SECRET, NOW
    )


@pytest.mark.parametrize("skew_ms", [300_000, -300_000])
def test_five_minutes_either_way_is_still_fresh(skew_ms: int) -> None:
    now = NOW + timedelta(milliseconds=skew_ms)
    verify_v3("POST", URL, BODY, _headers(), SECRET, now)


@pytest.mark.parametrize("skew_ms", [300_001, -300_001, 86_400_000])
def test_older_or_newer_than_five_minutes_is_refused(skew_ms: int) -> None:
    with pytest.raises(errors.AuthError, match="5 minutes"):
        verify_v3("POST", URL, BODY, _headers(), SECRET, NOW + timedelta(milliseconds=skew_ms))


def test_every_changed_byte_is_refused() -> None:
    headers = _headers()
    for index in (0, len(BODY) // 2, len(BODY) - 1):
        changed = bytearray(BODY)
        changed[index] ^= 0x20
        with pytest.raises(errors.AuthError, match="does not match"):
            verify_v3("POST", URL, bytes(changed), headers, SECRET, NOW)
    with pytest.raises(errors.AuthError):
        verify_v3("PUT", URL, BODY, headers, SECRET, NOW)
    with pytest.raises(errors.AuthError):
        verify_v3("POST", URL.replace("https", "http"), BODY, headers, SECRET, NOW)
    later = str(int(STAMP) + 1)
    with pytest.raises(errors.AuthError):
        verify_v3("POST", URL, BODY, headers | {"X-HubSpot-Request-Timestamp": later}, SECRET, NOW)


@pytest.mark.parametrize(
    ("drop", "override", "reason"),
    [
        ("X-HubSpot-Signature-v3", {}, "no X-HubSpot-Signature-v3"),
        ("X-HubSpot-Request-Timestamp", {}, "X-HubSpot-Request-Timestamp"),
        (None, {"X-HubSpot-Request-Timestamp": "yesterday"}, "malformed"),
        (None, {"X-HubSpot-Signature-v3": "not-base64-at-all"}, "does not match"),
        (None, {"X-HubSpot-Signature-v3": "ü"}, "does not match"),
    ],
)
def test_missing_or_malformed_headers_are_refused(drop, override, reason) -> None:
    headers = {k: v for k, v in _headers().items() if k != drop} | override
    with pytest.raises(errors.AuthError, match=reason) as refused:
        verify_v3("POST", URL, BODY, headers, SECRET, NOW)
    assert SECRET not in str(refused.value)


def test_configuration_mistakes_are_not_auth_errors() -> None:
    with pytest.raises(errors.ConfigError):
        verify_v3("POST", URL, BODY, _headers(), "", NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        verify_v3("POST", URL, BODY, _headers(), SECRET, NOW.replace(tzinfo=None))


def test_events_are_parsed_and_typed() -> None:
    [event] = parse_events(BODY)
    assert event.event_id == 1 and event.object_id == 123
    assert event.occurred_at == NOW
    assert event.object_kind == "deal" and event.action == "propertyChange"
    assert job_kind(event) == "hubspot.deal.import"


@pytest.mark.parametrize(
    ("item", "kind", "record"),
    [
        ({"subscriptionType": "contact.creation", "objectId": 5}, "hubspot.contact.import", 5),
        ({"subscriptionType": "company.deletion", "objectId": 6}, "hubspot.company.archived", 6),
        (
            {
                "subscriptionType": "deal.merge",
                "objectId": 7,
                "primaryObjectId": 8,
                "mergedObjectIds": [7, 9],
            },
            "hubspot.deal.import",
            8,
        ),
        (
            {
                "subscriptionType": "deal.associationChange",
                "fromObjectId": 10,
                "toObjectId": 11,
                "associationType": "DEAL_TO_COMPANY",
                "associationRemoved": False,
            },
            "hubspot.deal.import",
            10,
        ),
        (
            {
                "subscriptionType": "object.propertyChange",
                "objectTypeId": "0-8",
                "objectId": 12,
                "propertyName": "price",
                "propertyValue": 10,
            },
            "hubspot.line_item.import",
            12,
        ),
        ({"subscriptionType": "ticket.creation", "objectId": 13}, None, 13),
        (
            {"subscriptionType": "object.creation", "objectTypeId": "2-999", "objectId": 14},
            None,
            14,
        ),
    ],
)
def test_job_kinds(item, kind, record) -> None:
    body = json.dumps([{"eventId": 1, "occurredAt": 1700000000000} | item]).encode()
    [event] = parse_events(body)
    assert job_kind(event) == kind
    assert event.record_id == record


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"{not json", "not JSON"),
        (b'{"eventId": 1}', "not an array"),
        (b'[{"subscriptionType": "deal.creation", "occurredAt": 1}]', "eventId"),
        (
            b'[{"eventId": 1, "subscriptionType": "deal.creation", "occurredAt": "soon"}]',
            "occurredAt",
        ),
    ],
)
def test_malformed_deliveries(body: bytes, match: str) -> None:
    with pytest.raises(errors.ValidationError, match=match):
        parse_events(body)


def test_the_verifier_skips_events_not_for_the_hub() -> None:
    body = json.dumps(
        [
            {"eventId": 1, "occurredAt": 1, "subscriptionType": "ticket.creation", "objectId": 1},
            {"eventId": 2, "occurredAt": 1, "subscriptionType": "deal.creation", "objectId": 2},
        ]
    ).encode()
    verifier = HubSpotWebhookVerifier(client_secret=SecretStr(SECRET))
    [event] = verifier.events(body)
    assert (event.event_key, event.job_kind, event.job_key) == ("2", "hubspot.deal.import", None)
    assert event.payload["subscriptionType"] == "deal.creation"
    assert verifier.public_url(URL) == URL
    proxied = HubSpotWebhookVerifier(SecretStr(SECRET), public_origin="https://hub.example.com")
    assert proxied.public_url("http://10.0.0.1:8000/webhooks/hubspot?a=1") == URL + "?a=1"


def test_the_verifier_from_settings() -> None:
    from lead2cash.connectors.hubspot import HubSpotSettings

    settings = HubSpotSettings(token="t", client_secret=SECRET)
    verifier = HubSpotWebhookVerifier.from_settings(settings, public_origin="https://h.test")
    assert verifier.public_origin == "https://h.test"
    verifier.verify(
        method="POST",
        url="http://internal/webhooks/hubspot",
        body=BODY,
        headers=_headers(url="https://h.test/webhooks/hubspot"),
        now=NOW,
    )
    with pytest.raises(errors.ConfigError):
        HubSpotWebhookVerifier.from_settings(HubSpotSettings(token="t"))
