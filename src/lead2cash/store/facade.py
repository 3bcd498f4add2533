"""One object that opens the database and wires the repositories together."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from lead2cash.store.audit import AuditLog
from lead2cash.store.billing import BillingRunStore
from lead2cash.store.bindings import BindingStore
from lead2cash.store.circuits import CircuitStore
from lead2cash.store.cursors import CursorStore
from lead2cash.store.db import make_engine
from lead2cash.store.inbox import Inbox
from lead2cash.store.jobs import JobStore
from lead2cash.store.tables import metadata

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class Store:
    """The durable store: jobs, inbox, bindings, cursors and audit over one engine."""

    def __init__(
        self,
        engine: Engine,
        *,
        audit_key: bytes | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.audit = AuditLog(engine, key=audit_key)
        self.jobs = JobStore(engine, audit=self.audit, clock=clock)
        self.bindings = BindingStore(engine, on_bound=self._wake, clock=clock)
        self.cursors = CursorStore(engine, clock=clock)
        self.inbox = Inbox(engine, self.jobs, clock=clock)
        self.circuits = CircuitStore(engine, clock=clock)
        self.billing = BillingRunStore(engine, clock=clock)

    def _wake(self, conn: Connection, reference: str) -> int:
        return self.jobs.wake(conn, reference)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        audit_key: bytes | None = None,
        upgrade: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> Store:
        engine = make_engine(url)
        if upgrade:
            upgrade_database(engine)
        return cls(engine, audit_key=audit_key, clock=clock)

    def create_all(self) -> None:
        """Create the schema from the metadata (tests; production uses :func:`upgrade`)."""
        metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` on ``engine``."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
