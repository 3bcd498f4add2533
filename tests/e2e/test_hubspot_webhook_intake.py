"""A webhook signed exactly as HubSpot documents (v3) reaches the inbox; the same request with
one byte changed, a stale timestamp or no signature is refused and leaves no trace."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lead2cash.api.app import create_app
from lead2cash.cli.serve import verifiers_from
from lead2cash.config.schema import HubConfig
from lead2cash.emulators.server import serving
from lead2cash.store.facade import Store

SECRET = "app-client-secret-for-tests"


def hubspot_v3_headers(
    method: str, uri: str, body: bytes, secret: str, timestamp_ms: int
) -> dict[str, str]:
    """Written from HubSpot's documentation, independently of the hub's verifier."""
    source = f"{method}{uri}{body.decode()}{timestamp_ms}".encode()
    digest = hmac.new(secret.encode(), source, hashlib.sha256).digest()
    return {
        "X-HubSpot-Signature-v3": base64.b64encode(digest).decode(),
        "X-HubSpot-Request-Timestamp": str(timestamp_ms),
        "Content-Type": "application/json",
    }


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Store]]:
    monkeypatch.setenv("L2C_TEST_HUBSPOT_SECRET", SECRET)
    config = HubConfig.model_validate(
        {
            "odoo": {
                "url": "http://127.0.0.1:8069",
                "database": "odoo",
                "login": "bot",
                "api_key": "env:UNUSED",
            },
            "hubspot": {"token": "env:UNUSED", "client_secret": "env:L2C_TEST_HUBSPOT_SECRET"},
        }
    )
    store = Store.open(f"sqlite:///{tmp_path / 'hub.db'}", upgrade=True)
    with serving(create_app(store, verifiers=verifiers_from(config))) as server:
        yield server.url, store
    store.close()


EVENTS = [
    {
        "eventId": 101,
        "subscriptionId": 7,
        "portalId": 62515,
        "appId": 1,
        "occurredAt": 1764806400000,
        "subscriptionType": "deal.propertyChange",
        "attemptNumber": 0,
        "objectId": 5501,
        "propertyName": "dealstage",
        "propertyValue": "contractsigned",
        "changeSource": "CRM",
    }
]


def test_signed_delivery_accepted_and_every_forgery_refused(hub: tuple[str, Store]) -> None:
    base, store = hub
    url = f"{base}/webhooks/hubspot"
    body = json.dumps(EVENTS).encode()
    now_ms = int(time.time() * 1000)
    good = hubspot_v3_headers("POST", url, body, SECRET, now_ms)
    with httpx.Client() as http:
        tampered = body.replace(b"5501", b"5502")
        assert http.post(url, content=tampered, headers=good).status_code == 401
        stale = hubspot_v3_headers("POST", url, body, SECRET, now_ms - 6 * 60 * 1000)
        assert http.post(url, content=body, headers=stale).status_code == 401
        unsigned = {"Content-Type": "application/json"}
        assert http.post(url, content=body, headers=unsigned).status_code == 401
        wrong_secret = hubspot_v3_headers("POST", url, body, "other", now_ms)
        assert http.post(url, content=body, headers=wrong_secret).status_code == 401
        assert store.inbox.count() == 0
        accepted = http.post(url, content=body, headers=good)
        assert accepted.status_code == 200, accepted.text
        assert http.post(url, content=body, headers=good).json()["events"][0]["duplicate"]
    assert store.inbox.count("hubspot") == 1
    [job] = store.jobs.find()
    assert job.kind == "hubspot.deal.import"
    assert job.payload["event_key"] == "101"
