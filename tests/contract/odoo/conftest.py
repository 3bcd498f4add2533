"""Targets of the Odoo contract suite: the emulator (versions 17, 18, 19, every protocol each
version has) and, when ``L2C_TEST_ODOO_URL``, ``L2C_TEST_ODOO_DB``, ``L2C_TEST_ODOO_LOGIN`` and
``L2C_TEST_ODOO_API_KEY`` are all set, a live Odoo (every protocol its version has).

The emulator is served in-process on a real socket (``emulators.server.serving``), one server
per version for the session. Tests create their own records with names and external ids unique
to the run, so reruns on the same live database pass, and delete them afterwards where they can.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.settings import OdooSettings

LIVE_VARS = (
    "L2C_TEST_ODOO_URL",
    "L2C_TEST_ODOO_DB",
    "L2C_TEST_ODOO_LOGIN",
    "L2C_TEST_ODOO_API_KEY",
)
EMULATOR_TARGETS = [
    (17, "jsonrpc"),
    (17, "xmlrpc"),
    (18, "jsonrpc"),
    (18, "xmlrpc"),
    (19, "json2"),
    (19, "jsonrpc"),
    (19, "xmlrpc"),
]
LIVE_PROTOCOLS = ("json2", "jsonrpc", "xmlrpc")
EMULATOR_KEY = "e" * 40
RUN = uuid.uuid4().hex[:8]


@dataclass
class Target:
    """One Odoo to test and how to talk to it."""

    kind: str  # "emulator" | "live"
    protocol: str
    settings: OdooSettings
    version: int | None = None  # expected major version (emulator); live: detected
    state: Any = None  # the emulator's in-memory state (``.faults``, ``.calls``), None if live
    cleanups: list[tuple[str, list[int]]] = field(default_factory=list)
    clients: list[OdooClient] = field(default_factory=list)
    #: Backoff waits the clients asked for (emulator: recorded, not slept).
    sleeps: list[float] = field(default_factory=list)

    @property
    def emulated(self) -> bool:
        return self.kind == "emulator"

    def client(self, **overrides: Any) -> OdooClient:
        """A fresh client on this target (settings overridden as given)."""
        values = {**self.settings.model_dump(), **overrides}
        sleep = self.sleeps.append if self.emulated else time.sleep
        client = OdooClient(OdooSettings.model_validate(values), sleep=sleep)
        self.clients.append(client)
        return client

    def unique(self, label: str) -> str:
        """A name unique to this test run (and target), for records on shared databases."""
        return f"l2c-ct {RUN} {self.protocol} {label} {uuid.uuid4().hex[:6]}"

    def track(self, model: str, ids: list[int]) -> list[int]:
        """Delete these records when the test ends."""
        self.cleanups.append((model, list(ids)))
        return ids

    def close(self) -> None:
        if self.cleanups:
            cleaner = self.client()
            for model, ids in reversed(self.cleanups):
                try:
                    existing = cleaner.search(
                        model, [("id", "in", ids)], context={"active_test": False}
                    )
                    if existing:
                        cleaner.unlink(model, existing)
                except errors.Lead2CashError:
                    pass  # best effort: the suite never depends on it
        for client in self.clients:
            client.close()
        if self.state is not None:
            self.state.faults.clear()


def _emulator_app(version: int) -> Any:
    from lead2cash.emulators.odoo import create_app

    return create_app(
        version=version, db="ct", login="bot", password="bot-pw", api_key=EMULATOR_KEY
    )


@pytest.fixture(scope="session")
def emulator_servers() -> Iterator[Callable[[int], tuple[str, Any]]]:
    """``servers(version)`` → (url, app): one emulator per version, started on first use."""
    from lead2cash.emulators.server import start_in_thread

    running: dict[int, tuple[Any, Any]] = {}

    def get(version: int) -> tuple[str, Any]:
        if version not in running:
            app = _emulator_app(version)
            running[version] = (start_in_thread(app), app)
        server, app = running[version]
        return server.url, app

    yield get
    for server, _ in running.values():
        server.stop()


def _live_settings(protocol: str) -> OdooSettings:
    missing = [v for v in LIVE_VARS if not os.environ.get(v)]
    if missing:
        pytest.skip(f"live Odoo target needs {', '.join(missing)}")
    return OdooSettings(
        url=os.environ["L2C_TEST_ODOO_URL"],
        db=os.environ["L2C_TEST_ODOO_DB"],
        login=os.environ["L2C_TEST_ODOO_LOGIN"],
        api_key=os.environ["L2C_TEST_ODOO_API_KEY"],
        protocol=protocol,
        retry_base_seconds=0.2,
    )


_PARAMS = [
    pytest.param(("emulator", v, p), id=f"emulator-{v}-{p}") for v, p in EMULATOR_TARGETS
] + [
    pytest.param(("live", None, p), id=f"live-{p}", marks=pytest.mark.odoo) for p in LIVE_PROTOCOLS
]


@pytest.fixture(params=_PARAMS)
def target(
    request: pytest.FixtureRequest, emulator_servers: Callable[[int], tuple[str, Any]]
) -> Iterator[Target]:
    kind, version, protocol = request.param
    if kind == "emulator":
        url, app = emulator_servers(version)
        settings = OdooSettings(
            url=url,
            db="ct",
            login="bot",
            api_key=EMULATOR_KEY,
            protocol=protocol,
            retry_base_seconds=0.0,
        )
        t = Target(kind, protocol, settings, version, app.state.odoo)
        t.state.faults.clear()
    else:
        settings = _live_settings(protocol)
        probe = OdooClient(settings)
        try:
            if protocol not in probe.version.protocols:
                pytest.skip(f"the live Odoo {probe.version.text} does not speak {protocol}")
        finally:
            probe.close()
        t = Target(kind, protocol, settings)
    try:
        yield t
    finally:
        t.close()
