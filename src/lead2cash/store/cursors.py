"""Named cursors: where each incremental read stopped, as JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from lead2cash.store.db import upsert
from lead2cash.store.tables import cursors


class CursorStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock

    def get(self, name: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(cursors.c.value).where(cursors.c.name == name)).scalar()

    def put(self, name: str, value: Any, *, conn: Connection | None = None) -> None:
        if conn is None:
            with self.engine.begin() as own:
                self.put(name, value, conn=own)
            return
        conn.execute(
            upsert(
                cursors,
                conn.dialect.name,
                ["name"],
                {"name": name, "value": value, "updated_at": self.clock()},
                ["value", "updated_at"],
            )
        )
