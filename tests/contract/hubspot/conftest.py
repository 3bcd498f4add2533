"""The HubSpot contract suite: its targets and helpers.

Targets (the ``target`` fixture): ``emulator`` (the HubSpot emulator served on a real socket on
127.0.0.1) and ``live`` (a real portal; skipped unless ``L2C_TEST_HUBSPOT_TOKEN`` is set, with
``L2C_TEST_HUBSPOT_BASE_URL`` optional; tests that need the control API skip on it, and so do
tests that write, unless ``L2C_TEST_HUBSPOT_WRITE=1``).

Connector clients made by :meth:`Target.client` get their own rate limiters (tests never share
one) and fast retry backoff; the emulator's limits are the real ones unless a test changes them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lead2cash.connectors.hubspot import (
    DailyQuota,
    HubSpotClient,
    HubSpotSettings,
    RollingWindow,
)
from lead2cash.emulators.faults import RecordedCall
from lead2cash.emulators.hubspot import HubSpotState, create_app
from lead2cash.emulators.hubspot.seeding import seed
from lead2cash.emulators.server import RunningServer, serving

TOKEN = "pat-na1-contract-0123456789abcdef"
CLIENT_SECRET = "contract-client-secret-0123456789"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FAST_SEARCH = 1000


@dataclass
class Target:
    """One HubSpot to test against: settings, an httpx client, the emulator if any."""

    name: str
    settings: HubSpotSettings
    http: httpx.Client
    state: HubSpotState | None
    url: str
    after_response: list[Callable[[httpx.Response], None]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def now(self) -> datetime:
        return self.state.clock.now() if self.state is not None else datetime.now(UTC)

    def client(self, **overrides: Any) -> HubSpotClient:
        """A connector client with its own limiters and quota."""
        settings = HubSpotSettings.model_validate(
            self.settings.model_dump() | {"token": self.settings.token} | overrides
        )

        def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)
            time.sleep(seconds)

        return HubSpotClient(
            self.http,
            settings,
            burst=RollingWindow(settings.rate_limit_requests, settings.rate_limit_window),
            search_window=RollingWindow(settings.search_requests_per_second, 1.0),
            quota=DailyQuota(),
            sleep=sleep,
            now=self.now,
        )

    def emulator(self) -> HubSpotState:
        if self.state is None:
            pytest.skip("needs the emulator's control API")
        return self.state

    def calls(self, prefix: str = "/crm/") -> list[RecordedCall]:
        """The emulator's call log once it has settled."""
        return self.emulator().log.settled(prefix)

    def clear_calls(self) -> None:
        """Forget the calls so far (once the log has settled)."""
        self.calls("")
        self.emulator().log.clear()

    def writable(self) -> None:
        if self.state is None and os.environ.get("L2C_TEST_HUBSPOT_WRITE") != "1":
            pytest.skip("writes to a live portal need L2C_TEST_HUBSPOT_WRITE=1")

    def seed(self, document: dict[str, Any], *, at: datetime = T0) -> dict[str, list[str]]:
        """Seed with the clock frozen at ``at``, then let a minute pass."""
        state = self.emulator()
        state.clock.set(at)
        created = seed(state, document)
        state.clock.advance(60)
        return created

    def seed_portal(self, deals: int = 3, *, at: datetime = T0) -> dict[str, list[str]]:
        """Seed :func:`portal_document`."""
        return self.seed(portal_document(deals), at=at)

    def sdk(self) -> Any:
        """The official client, pointed at this target."""
        from hubspot import HubSpot

        return HubSpot(access_token=self.settings.token.get_secret_value())


def portal_document(deals: int = 3) -> dict[str, Any]:
    """A small portal: two companies, two contacts, two line items, ``deals`` deals (the first
    one associated with everything), and an Odoo-owned property set for feedback."""
    doc: dict[str, Any] = {
        "properties": {
            "deals": [
                {
                    "name": "odoo_invoice_status",
                    "type": "enumeration",
                    "fieldType": "select",
                    "options": ["none", "draft", "posted", "paid"],
                },
                {"name": "odoo_invoice_number"},
                {"name": "odoo_amount_paid", "type": "number", "fieldType": "number"},
                {"name": "odoo_payment_date", "type": "date", "fieldType": "date"},
                {"name": "odoo_ref", "hasUniqueValue": True},
            ],
            "companies": [{"name": "odoo_partner_ref"}],
        },
        "companies": [
            {"id": "101", "properties": {"name": "Acme", "domain": "acme.test"}},
            {"id": "102", "properties": {"name": "Globex", "domain": "globex.test"}},
        ],
        "contacts": [
            {
                "id": "201",
                "properties": {"firstname": "Kim", "lastname": "Allen", "email": "kim@acme.test"},
                "associations": {"companies": ["101"]},
            },
            {"id": "202", "properties": {"email": "lea@acme.test"}},
        ],
        "line_items": [
            {"id": "301", "properties": {"name": "Consulting", "quantity": "10", "price": "150"}},
            {"id": "302", "properties": {"name": "Travel", "quantity": "1", "price": "99.50"}},
        ],
        "deals": [],
    }
    for i in range(deals):
        deal: dict[str, Any] = {
            "id": str(401 + i),
            "properties": {
                "dealname": f"Deal {i + 1}",
                "amount": f"{1000 + i}.50",
                "deal_currency_code": "EUR",
            },
        }
        if i == 0:
            deal["associations"] = {
                "companies": ["101", "102"],
                "contacts": ["201", "202"],
                "line_items": ["301", "302"],
            }
        doc["deals"].append(deal)
    return doc


@pytest.fixture(scope="session")
def hubspot_server() -> Iterator[tuple[RunningServer, HubSpotState]]:
    app = create_app(token=TOKEN, client_secret=CLIENT_SECRET)
    with serving(app) as running:
        yield running, app.state.emulator


def _http(hooks: list[Callable[[httpx.Response], None]]) -> httpx.Client:
    def after(response: httpx.Response) -> None:
        for hook in list(hooks):
            hook(response)

    return httpx.Client(timeout=10.0, event_hooks={"response": [after]})


@pytest.fixture(params=["emulator", "live"])
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    hooks: list[Callable[[httpx.Response], None]] = []
    if request.param == "live":
        token = os.environ.get("L2C_TEST_HUBSPOT_TOKEN")
        if not token:
            pytest.skip("live HubSpot needs L2C_TEST_HUBSPOT_TOKEN")
        base = os.environ.get("L2C_TEST_HUBSPOT_BASE_URL", "https://api.hubapi.com")
        settings = HubSpotSettings(base_url=base, token=token)
        state = None
    else:
        running, state = request.getfixturevalue("hubspot_server")
        state.reset()
        # Search at 5 per second would make every test wait; rate-limit tests set it back.
        state.configure({"rate_limit": {"search_per_second": FAST_SEARCH}})
        base = running.url
        settings = HubSpotSettings(
            base_url=base,
            token=TOKEN,
            retry_base_seconds=0.01,
            search_requests_per_second=FAST_SEARCH,
        )
    with _http(hooks) as http:
        yield Target(request.param, settings, http, state, base, hooks)
