"""Circuit breakers per external system: opened by an auth or configuration failure (jobs for
the system wait instead of failing), closed when a call to the system succeeds again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from lead2cash.store.db import upsert
from lead2cash.store.tables import circuits


@dataclass(frozen=True)
class Circuit:
    system: str
    is_open: bool
    reason: str | None
    failure_class: str | None
    opened_at: datetime | None
    retry_at: datetime | None


class CircuitStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock

    def open(self, system: str, *, reason: str, failure_class: str, retry_at: datetime) -> None:
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                upsert(
                    circuits,
                    conn.dialect.name,
                    ["system"],
                    {
                        "system": system,
                        "is_open": True,
                        "reason": reason[:2000],
                        "failure_class": failure_class,
                        "opened_at": now,
                        "retry_at": retry_at,
                        "updated_at": now,
                    },
                    ["is_open", "reason", "failure_class", "retry_at", "updated_at"],
                )
            )

    def close(self, system: str) -> None:
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                upsert(
                    circuits,
                    conn.dialect.name,
                    ["system"],
                    {
                        "system": system,
                        "is_open": False,
                        "reason": None,
                        "failure_class": None,
                        "opened_at": None,
                        "retry_at": None,
                        "updated_at": now,
                    },
                    ["is_open", "reason", "failure_class", "retry_at", "updated_at"],
                )
            )

    def all(self) -> list[Circuit]:
        with self.engine.connect() as conn:
            return [
                Circuit(r.system, r.is_open, r.reason, r.failure_class, r.opened_at, r.retry_at)
                for r in conn.execute(select(circuits))
            ]

    def open_systems(self) -> set[str]:
        return {c.system for c in self.all() if c.is_open}
