"""The Salesforce contract suite's targets.

``target`` is ``emulator`` (the Salesforce emulator on a real socket on 127.0.0.1, reset for
every test, the connector signing in with the JWT bearer flow) or ``live`` (a real org; skipped
unless ``L2C_TEST_SALESFORCE_LOGIN_URL``, ``L2C_TEST_SALESFORCE_CLIENT_ID`` and either
``L2C_TEST_SALESFORCE_USERNAME`` + ``L2C_TEST_SALESFORCE_PRIVATE_KEY_FILE`` (JWT bearer) or
``L2C_TEST_SALESFORCE_CLIENT_SECRET`` (client credentials) are set). Tests that need the
emulator's control API skip on ``live``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from lead2cash.connectors.salesforce import SalesforceClient, SalesforceSettings
from lead2cash.emulators.faults import RecordedCall
from lead2cash.emulators.salesforce import SalesforceState, create_app
from lead2cash.emulators.salesforce.store import INTEGRATION_USERNAME
from lead2cash.emulators.server import RunningServer, serving

ACCESS_TOKEN = "00D000000000001!contract-session-token"
CLIENT_ID = "3MVG9-contract-consumer-key"
CLIENT_SECRET = "contract-consumer-secret-0123456789"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class KeyPair:
    private_pem: str
    public_pem: str


def make_key_pair() -> KeyPair:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyPair(private, public)


@pytest.fixture(scope="session")
def key_pair() -> KeyPair:
    return make_key_pair()


@pytest.fixture(scope="session")
def salesforce_server() -> Iterator[tuple[RunningServer, SalesforceState]]:
    app = create_app(access_token=ACCESS_TOKEN, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    with serving(app) as running:
        yield running, app.state.emulator


@dataclass
class Target:
    """One Salesforce to test against: settings, an httpx client, the emulator if any."""

    name: str
    settings: SalesforceSettings
    http: httpx.Client
    state: SalesforceState | None
    url: str | None
    requests: list[httpx.Request] = field(default_factory=list)
    after_response: list[Callable[[httpx.Response], None]] = field(default_factory=list)
    #: The emulator's consumer secret and ready session (None on live).
    client_secret: str | None = None
    access_token: str | None = None

    def client(self, **overrides: Any) -> SalesforceClient:
        data = self.settings.model_dump() | overrides
        for secret in ("client_secret", "private_key", "access_token"):
            value = data.get(secret)
            if value is not None and not isinstance(value, str):
                data[secret] = getattr(self.settings, secret).get_secret_value()
        return SalesforceClient(self.http, SalesforceSettings.model_validate(data))

    def emulator(self) -> SalesforceState:
        if self.state is None:
            pytest.skip("needs the emulator's control API")
        return self.state

    def now(self) -> datetime:
        return self.state.clock.now() if self.state is not None else datetime.now(UTC)

    def calls(self, prefix: str = "/services/") -> list[RecordedCall]:
        """The emulator's call log once it has settled."""
        return self.emulator().log.settled(prefix)

    def seed(self, document: dict[str, Any], *, at: datetime = T0) -> dict[str, Any]:
        """Seed with the clock frozen at ``at``, then let a minute pass."""
        state = self.emulator()
        state.clock.set(at)
        created = state.seed(document)
        state.clock.advance(60)
        return created


def _live_settings() -> SalesforceSettings:
    env = os.environ.get
    login, client_id = env("L2C_TEST_SALESFORCE_LOGIN_URL"), env("L2C_TEST_SALESFORCE_CLIENT_ID")
    if not login or not client_id:
        pytest.skip(
            "live Salesforce needs L2C_TEST_SALESFORCE_LOGIN_URL, L2C_TEST_SALESFORCE_CLIENT_ID "
            "and a JWT key (USERNAME, PRIVATE_KEY_FILE) or a CLIENT_SECRET"
        )
    version = env("L2C_TEST_SALESFORCE_API_VERSION", "62.0")
    if env("L2C_TEST_SALESFORCE_PRIVATE_KEY_FILE") and env("L2C_TEST_SALESFORCE_USERNAME"):
        return SalesforceSettings(
            auth_flow="jwt_bearer",
            login_url=login,
            client_id=client_id,
            username=env("L2C_TEST_SALESFORCE_USERNAME"),
            private_key_file=Path(env("L2C_TEST_SALESFORCE_PRIVATE_KEY_FILE", "")),
            api_version=version,
        )
    if env("L2C_TEST_SALESFORCE_CLIENT_SECRET"):
        return SalesforceSettings(
            auth_flow="client_credentials",
            login_url=login,
            client_id=client_id,
            client_secret=env("L2C_TEST_SALESFORCE_CLIENT_SECRET"),
            api_version=version,
        )
    pytest.skip("live Salesforce needs a JWT key or a client secret")


@pytest.fixture(params=["emulator", "live"])
def target(request: pytest.FixtureRequest, key_pair: KeyPair) -> Iterator[Target]:
    requests: list[httpx.Request] = []
    hooks: list[Callable[[httpx.Response], None]] = []
    if request.param == "live":
        settings, state, url = _live_settings(), None, None
    else:
        running, state = request.getfixturevalue("salesforce_server")
        state.reset()
        state.register_key(key_pair.public_pem)
        url = running.url
        settings = SalesforceSettings(
            auth_flow="jwt_bearer",
            login_url=running.url,
            client_id=CLIENT_ID,
            username=INTEGRATION_USERNAME,
            private_key=key_pair.private_pem,
            retry_base_seconds=0.01,
            timeout=10.0,
        )

    def after(response: httpx.Response) -> None:
        for hook in list(hooks):
            hook(response)

    with httpx.Client(
        timeout=10.0, event_hooks={"request": [requests.append], "response": [after]}
    ) as http:
        target = Target(request.param, settings, http, state, url, requests, hooks)
        if state is not None:
            target.client_secret, target.access_token = CLIENT_SECRET, ACCESS_TOKEN
        yield target
    if state is not None:
        target.calls("")  # let the last call land in the log before the next reset


def deals_document(
    *, won: int = 0, open_: int = 0, stamp: datetime = T0, lines: int = 1
) -> dict[str, Any]:
    """Two accounts with contacts and ``won`` won deals (alternating "Closed Won" and the
    org-specific "Contract Approved" stage), ``open_`` open deals, ``lines`` line items each."""
    records: dict[str, list[dict[str, Any]]] = {
        "Account": [
            {
                "ref": "acme",
                "Name": "Acme SAS",
                "BillingCity": "Lyon",
                "BillingCountry": "France",
                "Industry": "Manufacturing",
            },
            {"ref": "globex", "Name": "Globex GmbH", "BillingCountry": "Germany"},
        ],
        "Contact": [
            {
                "ref": "kim",
                "AccountId": "@acme",
                "FirstName": "Kim",
                "LastName": "Allen",
                "Email": "kim@acme.example",
            },
            {"ref": "lea", "AccountId": "@globex", "LastName": "Dubois"},
        ],
        "Product2": [{"ref": "cons", "Name": "Consulting day", "ProductCode": "CONS-D"}],
        "Opportunity": [],
        "OpportunityLineItem": [],
        "OpportunityContactRole": [],
    }
    for i in range(won + open_):
        is_won = i < won
        stage = ("Closed Won" if i % 2 == 0 else "Contract Approved") if is_won else "Prospecting"
        account = "acme" if i % 2 == 0 else "globex"
        records["Opportunity"].append(
            {
                "ref": f"o{i}",
                "Name": f"Deal {i}",
                "AccountId": f"@{account}",
                "StageName": stage,
                "CloseDate": "2026-02-27",
                "Amount": "1000.00",
                "Ext_Id__c": f"EXT-{i}",
            }
        )
        for n in range(lines):
            records["OpportunityLineItem"].append(
                {
                    "OpportunityId": f"@o{i}",
                    "Product2Id": "@cons",
                    "Quantity": n + 2,
                    "UnitPrice": "650.25",
                    "ServiceDate": "2026-03-01",
                }
            )
        records["OpportunityContactRole"].append(
            {
                "OpportunityId": f"@o{i}",
                "ContactId": "@kim" if account == "acme" else "@lea",
                "Role": "Decision Maker",
                "IsPrimary": True,
            }
        )
    return {
        "fields": {
            "Opportunity": [
                {"name": "Ext_Id__c", "type": "string", "externalId": True, "unique": True},
                {"name": "Odoo_Invoice_Status__c", "type": "picklist"},
                {"name": "Odoo_Invoice_Number__c", "type": "string"},
                {"name": "Odoo_Amount_Invoiced__c", "type": "currency"},
                {"name": "Odoo_Amount_Paid__c", "type": "currency"},
            ],
            "Account": [{"name": "Odoo_Partner_Id__c", "type": "string", "externalId": True}],
        },
        "records": records,
    }


def later(at: datetime, seconds: float) -> datetime:
    return at + timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def deals() -> Callable[..., dict[str, Any]]:
    """:func:`deals_document` (conftest modules are not importable from tests)."""
    return deals_document
