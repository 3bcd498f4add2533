"""The Harvest contract suite: its targets, and the OpenAPI check of every request and answer.

Targets (the ``target`` fixture): ``emulator`` (the Harvest emulator served on a real socket on
127.0.0.1) and ``live`` (a real account; skipped unless ``L2C_TEST_HARVEST_TOKEN`` and
``L2C_TEST_HARVEST_ACCOUNT_ID`` are set; tests that need the control API skip on it).

Every request the connector sends and every answer it receives is validated with openapi-core
against ``harvest-openapi.yaml`` (a copy of ``shared/specs/harvest/harvest-openapi.yaml``:
JoliCode's harvest-openapi-generator, MIT, commit 41687d44, 2025-03-27). The file cannot be used
as it is; :func:`load_spec` patches, narrowly:

1. ``TimeEntry.user_assignment``, ``TimeEntry.task_assignment`` and ``Expense.user_assignment``
   are ``anyOf: [{$ref}, {type: 'null'}]``; ``type: 'null'`` is not OpenAPI 3.0, so the whole
   file fails validation and openapi-core refuses to load it. The null branch becomes
   ``{type: object, nullable: true, enum: [null]}`` (same meaning in 3.0).
2. The list envelopes require ``page`` as a non-null integer, but on cursor-paginated lists
   Harvest sends ``page: null`` on every page but the first and the last (its pagination
   page). ``page`` is made nullable in the list envelopes.
3. Harvest answers 429 with an HTML body (``text/html``); the file describes error answers as
   JSON only. 429 answers are checked for status and ``Retry-After`` but not for a JSON body.

The spec's server is ``https://api.harvestapp.com/v2``; requests to the emulator are validated as
if sent there (same path and query).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from lead2cash.connectors.harvest import HarvestClient, HarvestSettings
from lead2cash.emulators.faults import RecordedCall
from lead2cash.emulators.harvest import HarvestState, create_app
from lead2cash.emulators.server import RunningServer, serving

SPEC_PATH = Path(__file__).with_name("harvest-openapi.yaml")
SPEC_ORIGIN = "https://api.harvestapp.com"
TOKEN = "harvest-contract-token-0123456789"
ACCOUNT_ID = "1234567"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _str_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _str_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_str_keys(v) for v in node]
    return node


def raw_spec() -> dict[str, Any]:
    """The file as it is (YAML's integer response codes turned into strings)."""
    return _str_keys(yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8")))  # type: ignore[no-any-return]


NULL_BRANCH = {"type": "object", "nullable": True, "enum": [None]}
ANYOF_NULL = {
    "TimeEntry": ("user_assignment", "task_assignment"),
    "Expense": ("user_assignment",),
}


def load_spec() -> dict[str, Any]:
    """The file with the three narrow workarounds of the module docstring (1 and 2 here)."""
    spec = raw_spec()
    schemas = spec["components"]["schemas"]
    for name, props in ANYOF_NULL.items():
        for prop in props:
            node = schemas[name]["properties"][prop]
            assert node["anyOf"][1] == {"type": "null"}, "the spec changed; revisit workaround 1"
            node["anyOf"] = [{"$ref": node["anyOf"][0]["$ref"]}, NULL_BRANCH]
    for schema in schemas.values():
        required = schema.get("required", [])
        if "links" in required and "page" in required:
            schema["properties"]["page"]["nullable"] = True
    return spec


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(load_spec())


class _SpecRequest:
    """openapi-core's Request protocol over an httpx.Request, as if sent to Harvest's host."""

    def __init__(self, request: httpx.Request) -> None:
        self.host_url = SPEC_ORIGIN
        self.path = request.url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(request.url.params.multi_items()),
            header=Headers(list(request.headers.items())),
        )
        self.body = request.content or None
        self.content_type = request.headers.get("content-type", "")


class _SpecResponse:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.data = response.content
        self.headers = Headers(list(response.headers.items()))
        self.content_type = response.headers.get("content-type", "")


@dataclass
class WireChecker:
    """Validates every request and answer seen by a client's event hooks."""

    api: OpenAPI
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    responses: int = 0
    rate_limited: int = 0

    def on_request(self, request: httpx.Request) -> None:
        self.requests += 1
        try:
            self.api.validate_request(_SpecRequest(request))
        except Exception as exc:  # noqa: BLE001 - every validation failure is collected
            self.errors.append(f"request {request.method} {request.url}: {exc!r}")

    def on_response(self, response: httpx.Response) -> None:
        response.read()
        self.responses += 1
        request = response.request
        if response.status_code == 429:
            self.rate_limited += 1
            if not response.headers.get("retry-after", "").isdigit():
                self.errors.append(f"429 without whole-second Retry-After: {request.url}")
            return
        try:
            self.api.validate_response(_SpecRequest(request), _SpecResponse(response))
        except Exception as exc:  # noqa: BLE001 - every validation failure is collected
            self.errors.append(
                f"response {response.status_code} to {request.method} {request.url}: {exc!r}"
            )


@dataclass
class Target:
    """One Harvest to test against: settings, a validated httpx client, the emulator if any."""

    name: str
    settings: HarvestSettings
    http: httpx.Client
    checker: WireChecker
    state: HarvestState | None
    after_response: list[Callable[[httpx.Response], None]] = field(default_factory=list)

    def now(self) -> datetime:
        return self.state.clock.now() if self.state is not None else datetime.now(UTC)

    def client(self, **overrides: Any) -> HarvestClient:
        """A connector client with its own token bucket (tests never share one)."""
        settings = HarvestSettings.model_validate(self.settings.model_dump() | overrides)
        return HarvestClient(self.http, settings, bucket=settings.token_bucket())

    @property
    def token(self) -> str:
        return self.settings.token.get_secret_value()

    def emulator(self) -> HarvestState:
        if self.state is None:
            pytest.skip("needs the emulator's control API")
        return self.state

    def calls(self, prefix: str = "/v2/") -> list[RecordedCall]:
        """The emulator's call log once it has settled."""
        return self.emulator().log.settled(prefix)

    def seed_account(
        self, *, entries: int = 0, expenses: int = 0, updated_at: datetime = T0
    ) -> dict[str, list[int]]:
        """Seed :func:`account_document` with the clock frozen at ``updated_at``, then let
        a minute pass (so a sync starting now is later than every seeded change)."""
        state = self.emulator()
        state.clock.set(updated_at)
        created = state.seed(
            account_document(entries=entries, expenses=expenses, updated_at=updated_at)
        )
        state.clock.advance(60)
        return created


@pytest.fixture(scope="session")
def spec_tools() -> SimpleNamespace:
    """This module's helpers, for tests (conftest modules are not importable as modules)."""
    return SimpleNamespace(
        raw_spec=raw_spec,
        null_branch=NULL_BRANCH,
        anyof_null=ANYOF_NULL,
        SpecRequest=_SpecRequest,
        SpecResponse=_SpecResponse,
        WireChecker=WireChecker,
    )


@pytest.fixture(scope="session")
def harvest_server() -> Iterator[tuple[RunningServer, HarvestState]]:
    app = create_app(token=TOKEN, account_id=ACCOUNT_ID)
    with serving(app) as running:
        yield running, app.state.emulator


def _client(
    checker: WireChecker, target_hooks: list[Callable[[httpx.Response], None]]
) -> httpx.Client:
    def after(response: httpx.Response) -> None:
        checker.on_response(response)
        for hook in list(target_hooks):
            hook(response)

    return httpx.Client(
        timeout=10.0, event_hooks={"request": [checker.on_request], "response": [after]}
    )


@pytest.fixture(params=["emulator", "live"])
def target(
    request: pytest.FixtureRequest,
    openapi: OpenAPI,
) -> Iterator[Target]:
    checker = WireChecker(openapi)
    hooks: list[Callable[[httpx.Response], None]] = []
    if request.param == "live":
        token = os.environ.get("L2C_TEST_HARVEST_TOKEN")
        account = os.environ.get("L2C_TEST_HARVEST_ACCOUNT_ID")
        if not token or not account:
            pytest.skip("live Harvest needs L2C_TEST_HARVEST_TOKEN and L2C_TEST_HARVEST_ACCOUNT_ID")
        settings = HarvestSettings(
            account_id=account,
            token=token,
            user_agent=os.environ.get(
                "L2C_TEST_HARVEST_USER_AGENT", "lead2cash-tests (ops@example.com)"
            ),
        )
        state = None
    else:
        running, state = request.getfixturevalue("harvest_server")
        state.reset()
        settings = HarvestSettings(
            base_url=running.url,
            account_id=ACCOUNT_ID,
            token=TOKEN,
            user_agent="lead2cash-tests (ops@example.com)",
            retry_base_seconds=0.01,
        )
    with _client(checker, hooks) as http:
        target = Target(request.param, settings, http, checker, state, hooks)
        yield target
    if state is not None:
        target.calls("")  # let the emulator log this test's last call before the next reset
    assert checker.requests > 0, "the test sent no request, so nothing was validated"
    assert not checker.errors, "\n".join(checker.errors)


def account_document(
    *, entries: int = 0, expenses: int = 0, updated_at: datetime = T0
) -> dict[str, Any]:
    """A small account: two people, two clients in two currencies, projects billed three ways,
    and ``entries`` time entries / ``expenses`` expenses on distinct days (newest last)."""
    stamp = updated_at.isoformat()
    doc: dict[str, Any] = {
        "users": [
            {
                "id": 1001,
                "first_name": "Kim",
                "last_name": "Allen",
                "email": "kim@example.com",
                "default_hourly_rate": "150.0",
                "cost_rate": "60.0",
                "access_roles": ["administrator"],
            },
            {
                "id": 1002,
                "first_name": "Lea",
                "last_name": "Dubois",
                "email": "lea@example.com",
                "cost_rate": "55.5",
                "is_contractor": True,
            },
        ],
        "clients": [
            {"id": 2001, "name": "ABC Corp", "currency": "USD"},
            {"id": 2002, "name": "123 Industries", "currency": "EUR"},
        ],
        "tasks": [{"id": 4001, "name": "Design"}, {"id": 4002, "name": "Programming"}],
        "expense_categories": [
            {"id": 5001, "name": "Meals"},
            {"id": 5002, "name": "Mileage", "unit_name": "mile", "unit_price": "0.58"},
        ],
        "projects": [
            {
                "id": 3001,
                "client_id": 2001,
                "name": "Marketing Website",
                "code": "MW",
                "bill_by": "Project",
                "hourly_rate": "100.0",
            },
            {
                "id": 3002,
                "client_id": 2002,
                "name": "Online Store",
                "code": "OS1",
                "bill_by": "Tasks",
            },
        ],
        "task_assignments": [
            {"project_id": 3001, "task_id": 4001},
            {"project_id": 3002, "task_id": 4002, "hourly_rate": "120.5"},
        ],
        "user_assignments": [
            {"project_id": 3001, "user_id": 1001, "is_project_manager": True},
            {"project_id": 3002, "user_id": 1002},
        ],
        "time_entries": [],
        "expenses": [],
    }
    for i in range(entries):
        doc["time_entries"].append(
            {
                "user_id": 1001 if i % 2 == 0 else 1002,
                "project_id": 3001 if i % 2 == 0 else 3002,
                "task_id": 4001 if i % 2 == 0 else 4002,
                "spent_date": f"2026-02-{i + 1:02d}",
                "hours": f"{1 + i % 4}.25",
                "notes": f"entry {i}",
                "updated_at": stamp,
                "created_at": stamp,
            }
        )
    for i in range(expenses):
        doc["expenses"].append(
            {
                "user_id": 1001,
                "project_id": 3001 if i % 2 == 0 else 3002,
                "expense_category_id": 5001 if i % 2 == 0 else 5002,
                "spent_date": f"2026-02-{i + 1:02d}",
                "total_cost": f"{10 + i}.35" if i % 2 == 0 else None,
                "units": None if i % 2 == 0 else 12 + i,
                "notes": f"expense {i}",
                "updated_at": stamp,
                "created_at": stamp,
            }
        )
    return doc
