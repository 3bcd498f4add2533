"""The HubSpot emulator on a real socket, reset for every test, and clients for both APIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lead2cash.emulators.hubspot import HubSpotState, create_app
from lead2cash.emulators.hubspot.seeding import seed
from lead2cash.emulators.server import RunningServer, serving

TOKEN = "pat-na1-emulator-unit"
SECRET = "emulator-unit-secret"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[RunningServer, HubSpotState]]:
    app = create_app(token=TOKEN, client_secret=SECRET)
    with serving(app) as running:
        yield running, app.state.emulator


@pytest.fixture
def state(server: tuple[RunningServer, HubSpotState]) -> HubSpotState:
    server[1].reset()
    return server[1]


@pytest.fixture
def api(server: tuple[RunningServer, HubSpotState], state: HubSpotState) -> Iterator[httpx.Client]:
    """A client of the served API with the bearer token."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=server[0].url, headers=headers, timeout=10) as client:
        yield client


@pytest.fixture
def control(
    server: tuple[RunningServer, HubSpotState], state: HubSpotState
) -> Iterator[httpx.Client]:
    """A client of the control API."""
    with httpx.Client(base_url=f"{server[0].url}/_emulator", timeout=10) as client:
        yield client


def document() -> dict[str, Any]:
    return {
        "properties": {
            "deals": [
                {"name": "odoo_ref", "hasUniqueValue": True},
                {"name": "odoo_status", "type": "enumeration", "options": ["draft", "paid"]},
            ]
        },
        "companies": [
            {"id": "101", "properties": {"name": "Acme", "domain": "acme.test", "city": "Lyon"}},
            {"id": "102", "properties": {"name": "Globex Corp", "domain": "globex.test"}},
        ],
        "contacts": [
            {
                "id": "201",
                "properties": {"email": "kim@acme.test", "firstname": "Kim"},
                "associations": {"companies": ["101"]},
            },
        ],
        "line_items": [{"id": "301", "properties": {"name": "Consulting", "price": "150"}}],
        "deals": [
            {
                "id": "401",
                "properties": {
                    "dealname": "Website",
                    "amount": "1500.50",
                    "closedate": "2026-04-01T00:00:00Z",
                },
                "associations": {
                    "companies": ["101", "102"],
                    "contacts": ["201"],
                    "line_items": ["301"],
                },
            },
            {
                "id": "402",
                "properties": {"dealname": "Audit", "amount": "900", "dealstage": "closedwon"},
            },
            {"id": "403", "properties": {"dealname": "Retainer"}},
        ],
    }


@pytest.fixture
def seeded(state: HubSpotState) -> HubSpotState:
    state.clock.set(T0)
    seed(state, document())
    state.clock.advance(60)
    return state
