"""The emulator's state: one database of one Odoo version, faults, call logs, sessions.

``app.state.odoo`` is an :class:`OdooState`. Tests use it in-process (``state.env()`` for a
superuser environment, ``state.faults``, ``state.calls``); the control API drives the same
object over HTTP.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from lead2cash.emulators.faults import CallLog, FaultPlan
from lead2cash.emulators.odoo import seed
from lead2cash.emulators.odoo.models import ALL_MODELS
from lead2cash.emulators.odoo.orm.env import Env
from lead2cash.emulators.odoo.orm.registry import Server
from lead2cash.emulators.odoo.versions import VersionSpec


@dataclass(frozen=True)
class RpcCall:
    """One RPC call as the emulator understood it (model and method included)."""

    at: float
    protocol: str
    service: str
    method: str
    model: str | None
    uid: int | None
    outcome: str  # "ok" or the error's dotted name

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


class OdooState:
    """Everything one emulated Odoo server holds."""

    def __init__(
        self,
        *,
        version: int = 19,
        db: str = "odoo",
        login: str = "admin",
        password: str = "admin",  # noqa: S107 - the emulator's documented default
        api_key: str | None = None,
    ) -> None:
        self.spec = VersionSpec(version)
        self.db_name = db
        self._login = login
        self._password = password
        self._api_key = api_key
        self.faults = FaultPlan()
        self.calls = CallLog()
        self.rpc_log: deque[RpcCall] = deque(maxlen=10_000)
        self.sessions: dict[str, int] = {}
        self.lock = threading.RLock()
        self.server = self._fresh_server()

    def __repr__(self) -> str:
        return f"OdooState(version={self.spec.major}, db={self.db_name!r})"

    def _fresh_server(self) -> Server:
        server = Server(self.spec, self.db_name, ALL_MODELS)
        seed.fresh(server, login=self._login, password=self._password, api_key=self._api_key)
        return server

    def reset(self) -> None:
        """A fresh database: seed data only, no faults, no calls, no sessions, real clock."""
        with self.lock:
            self.server = self._fresh_server()
            self.faults.clear()
            self.calls.clear()
            self.rpc_log.clear()
            self.sessions.clear()

    # -- in-process access -------------------------------------------------------------------

    def env(self, uid: int = 1, context: dict[str, Any] | None = None) -> Env:
        """An environment on the database (default: the superuser)."""
        return Env(self.server, uid, context, su=uid == 1)

    @contextmanager
    def transaction(self) -> Iterator[Env]:
        """A superuser environment inside one transaction (rolled back if the block raises)."""
        with self.lock, self.server.db.transaction():
            try:
                yield self.env()
                self.server.flush()
            except BaseException:
                self.server.discard_todo()
                raise

    @property
    def admin_uid(self) -> int:
        found = self.server.xmlid_lookup("base.user_admin")
        return found[1] if found else 2

    # -- logs and sessions -------------------------------------------------------------------

    def log_rpc(
        self,
        protocol: str,
        service: str,
        method: str,
        model: str | None,
        uid: int | None,
        outcome: str,
    ) -> None:
        self.rpc_log.append(RpcCall(time.time(), protocol, service, method, model, uid, outcome))

    def open_session(self, uid: int) -> str:
        sid = secrets.token_hex(20)
        self.sessions[sid] = uid
        return sid

    def summary(self) -> dict[str, Any]:
        """Record counts per model (non-empty tables only)."""
        with self.lock:
            counts = {
                model: len(rows) for model, rows in sorted(self.server.db.tables.items()) if rows
            }
        return {
            "version": self.spec.version,
            "db": self.db_name,
            "counts": counts,
            "clock": self.server.clock.now().strftime("%Y-%m-%d %H:%M:%S"),
        }
