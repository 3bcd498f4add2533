"""The Harvest emulator on a real socket, reset for every test, and clients for both APIs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from lead2cash.emulators.harvest import HarvestState, create_app
from lead2cash.emulators.server import RunningServer, serving

TOKEN = "emulator-unit-token"
ACCOUNT = "7654321"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEADERS = {
    "Authorization": f"Bearer {TOKEN}",
    "Harvest-Account-Id": ACCOUNT,
    "User-Agent": "emulator-tests (ops@example.com)",
}


@pytest.fixture(scope="session")
def server() -> Iterator[tuple[RunningServer, HarvestState]]:
    app = create_app(token=TOKEN, account_id=ACCOUNT)
    with serving(app) as running:
        yield running, app.state.emulator


@pytest.fixture
def state(server: tuple[RunningServer, HarvestState]) -> Iterator[HarvestState]:
    server[1].reset()
    yield server[1]
    # The emulator logs a call just after answering it: let this test's last call land
    # before the next test resets the log.
    server[1].log.settled()


@pytest.fixture
def api(server: tuple[RunningServer, HarvestState], state: HarvestState) -> Iterator[httpx.Client]:
    """A client of the served API with Harvest's headers."""
    with httpx.Client(base_url=f"{server[0].url}/v2", headers=HEADERS, timeout=10) as client:
        yield client


@pytest.fixture
def control(
    server: tuple[RunningServer, HarvestState], state: HarvestState
) -> Iterator[httpx.Client]:
    """A client of the control API."""
    with httpx.Client(base_url=f"{server[0].url}/_emulator", timeout=10) as client:
        yield client


def base_document() -> dict[str, Any]:
    return {
        "users": [
            {
                "id": 11,
                "first_name": "Kim",
                "last_name": "Allen",
                "cost_rate": "50",
                "default_hourly_rate": "90",
                "access_roles": ["administrator"],
            },
            {"id": 12, "first_name": "Lea", "last_name": "Dubois", "is_active": False},
        ],
        "clients": [{"id": 21, "name": "ABC", "currency": "EUR"}],
        "projects": [
            {"id": 31, "client_id": 21, "name": "Web", "code": "W", "bill_by": "People"},
            {"id": 32, "client_id": 21, "name": "Old", "is_active": False, "bill_by": "none"},
        ],
        "tasks": [
            {"id": 41, "name": "Design"},
            {"id": 42, "name": "Admin", "billable_by_default": False},
        ],
        "task_assignments": [
            {"project_id": 31, "task_id": 41},
            {"project_id": 31, "task_id": 42, "billable": False},
        ],
        "user_assignments": [
            {"project_id": 31, "user_id": 11, "use_default_rates": False, "hourly_rate": "110.5"}
        ],
        "expense_categories": [
            {"id": 51, "name": "Mileage", "unit_name": "km", "unit_price": "0.3"}
        ],
    }


@pytest.fixture
def seeded(state: HarvestState) -> HarvestState:
    state.clock.set(T0)
    state.seed(base_document())
    return state
