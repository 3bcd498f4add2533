"""Fixtures for the Odoo emulator tests: in-process apps (per test) and apps served on real
sockets (one per version for the session), plus a small in-process RPC helper."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from lead2cash.emulators.odoo import create_app
from lead2cash.emulators.odoo.service import Services
from lead2cash.emulators.odoo.state import OdooState
from lead2cash.emulators.server import RunningServer, start_in_thread

KEY = "a1" * 20
DB = "odoo"
PASSWORD = "admin-pw"
_names = itertools.count(1)


def unique(label: str) -> str:
    """A name unique within the test session (servers are shared between tests)."""
    return f"{label} {next(_names)}"


@dataclass
class Rpc:
    """``execute_kw`` in-process, as ``uid`` (default: the admin)."""

    state: OdooState
    uid: int = 2

    def __call__(
        self,
        model: str,
        method: str,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
        *,
        context: dict[str, Any] | None = None,
    ) -> Any:
        options = dict(kwargs or {})
        if context is not None:
            options["context"] = context
        return Services(self.state).call_kw(
            self.uid, model, method, list(args or []), options, protocol="test", fault_path="/test"
        )

    def as_user(self, uid: int) -> Rpc:
        return Rpc(self.state, uid)


def make_app(version: int) -> Any:
    return create_app(version=version, db=DB, login="admin", password=PASSWORD, api_key=KEY)


@pytest.fixture(params=[17, 18, 19], ids=["v17", "v18", "v19"])
def version(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def app(version: int) -> Any:
    return make_app(version)


@pytest.fixture
def state(app: Any) -> OdooState:
    st: OdooState = app.state.odoo
    return st


@pytest.fixture
def rpc(state: OdooState) -> Rpc:
    return Rpc(state)


@dataclass
class Served:
    url: str
    app: Any

    @property
    def state(self) -> OdooState:
        st: OdooState = self.app.state.odoo
        return st

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


@pytest.fixture(scope="session")
def served() -> Iterator[Callable[[int], Served]]:
    """``served(version)``: one emulator per version on 127.0.0.1, started on first use."""
    running: dict[int, tuple[RunningServer, Any]] = {}

    def get(version: int) -> Served:
        if version not in running:
            app = make_app(version)
            running[version] = (start_in_thread(app), app)
        server, app = running[version]
        app.state.odoo.faults.clear()
        return Served(server.url, app)

    yield get
    for server, _ in running.values():
        server.stop()


@dataclass(frozen=True)
class Creds:
    db: str = DB
    login: str = "admin"
    password: str = PASSWORD
    key: str = KEY


@pytest.fixture
def creds() -> Creds:
    return Creds()


@pytest.fixture
def uniq() -> Callable[[str], str]:
    return unique
