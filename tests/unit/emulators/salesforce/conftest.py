"""The Salesforce emulator on a real socket, reset for every test, and clients for its APIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lead2cash.emulators.salesforce import SalesforceState, create_app
from lead2cash.emulators.server import RunningServer, serving

ACCESS_TOKEN = "00D000000000001!unit-session"
CLIENT_ID = "3MVG9-unit-consumer-key"
CLIENT_SECRET = "unit-consumer-secret"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[RunningServer, SalesforceState]]:
    app = create_app(access_token=ACCESS_TOKEN, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with serving(app) as running:
        yield running, app.state.emulator


@pytest.fixture
def state(server: tuple[RunningServer, SalesforceState]) -> Iterator[SalesforceState]:
    server[1].reset()
    yield server[1]
    server[1].log.settled()


@pytest.fixture
def base_url(server: tuple[RunningServer, SalesforceState]) -> str:
    return server[0].url


@pytest.fixture
def api(base_url: str, state: SalesforceState) -> Iterator[httpx.Client]:
    """The REST API under /services/data/v62.0 with the ready session."""
    headers = {"Authorization": f"Bearer {ACCESS_TOKEN}"}
    with httpx.Client(
        base_url=f"{base_url}/services/data/v62.0", headers=headers, timeout=10
    ) as client:
        yield client


@pytest.fixture
def control(base_url: str, state: SalesforceState) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{base_url}/_emulator", timeout=10) as client:
        yield client


@pytest.fixture
def seeded(state: SalesforceState) -> dict[str, str]:
    """A small org seeded at T0 (clock frozen there, then one minute later)."""
    state.clock.set(T0)
    created = state.seed(
        {
            "fields": {
                "Opportunity": [
                    {"name": "Ext_Id__c", "type": "string", "externalId": True},
                    {"name": "Score__c", "type": "double"},
                ]
            },
            "records": {
                "Account": [
                    {"ref": "acme", "Name": "Acme", "BillingCountry": "France"},
                    {"ref": "globex", "Name": "Globex", "Industry": "Energy"},
                ],
                "Contact": [
                    {"ref": "kim", "AccountId": "@acme", "FirstName": "Kim", "LastName": "Allen"}
                ],
                "Product2": [{"ref": "p", "Name": "Day", "ProductCode": "D1"}],
                "Opportunity": [
                    {
                        "ref": "won",
                        "Name": "Big deal",
                        "AccountId": "@acme",
                        "StageName": "Closed Won",
                        "CloseDate": "2026-03-01",
                        "Amount": "1000.00",
                        "Ext_Id__c": "A-1",
                        "Score__c": 4.5,
                    },
                    {
                        "ref": "open",
                        "Name": "small deal",
                        "AccountId": "@globex",
                        "StageName": "Prospecting",
                        "CloseDate": "2026-04-01",
                        "Ext_Id__c": "A-2",
                    },
                    {
                        "ref": "orphan",
                        "Name": "Orphan",
                        "StageName": "Contract Approved",
                        "CloseDate": "2026-02-01",
                        "Amount": "10",
                    },
                ],
                "OpportunityLineItem": [
                    {"OpportunityId": "@won", "Product2Id": "@p", "Quantity": 3, "UnitPrice": "100"}
                ],
                "OpportunityContactRole": [
                    {"OpportunityId": "@won", "ContactId": "@kim", "IsPrimary": True}
                ],
            },
        }
    )
    state.clock.advance(60)
    refs: dict[str, str] = created["refs"]
    return refs


@pytest.fixture(scope="session")
def creds() -> SimpleNamespace:
    """The emulator's credentials (conftest modules are not importable from tests)."""
    return SimpleNamespace(
        access_token=ACCESS_TOKEN, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, t0=T0
    )


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def public_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return (
        rsa_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="session")
def private_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
