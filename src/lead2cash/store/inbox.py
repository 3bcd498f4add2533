"""The inbox: every inbound message is stored (deduplicated by its event key) before it is
acknowledged, and its job is enqueued in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, update

from lead2cash.store.db import insert_ignoring_conflicts
from lead2cash.store.jobs import JobStore, NewJob, new_correlation_id
from lead2cash.store.tables import inbox


@dataclass(frozen=True)
class Received:
    """The inbox row of a message, and whether this delivery was the first."""

    inbox_id: int
    job_id: int | None
    correlation_id: str
    duplicate: bool


class Inbox:
    def __init__(
        self,
        engine: Engine,
        jobs: JobStore,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.jobs = jobs
        self.clock = clock

    def receive(
        self,
        system: str,
        event_key: str,
        payload: Any,
        *,
        job_kind: str,
        job_key: str | None = None,
        correlation_id: str | None = None,
    ) -> Received:
        """Store the message and enqueue its job atomically; a redelivery changes nothing."""
        correlation_id = correlation_id or new_correlation_id()
        with self.engine.begin() as conn:
            row = conn.execute(
                insert_ignoring_conflicts(inbox, conn.dialect.name, "system", "event_key")
                .values(
                    system=system,
                    event_key=event_key,
                    payload=payload,
                    received_at=self.clock(),
                    correlation_id=correlation_id,
                )
                .returning(inbox.c.id)
            ).first()
            if row is None:
                existing = conn.execute(
                    select(inbox.c.id, inbox.c.job_id, inbox.c.correlation_id).where(
                        inbox.c.system == system, inbox.c.event_key == event_key
                    )
                ).one()
                return Received(
                    int(existing.id), existing.job_id, existing.correlation_id, duplicate=True
                )
            enqueued = self.jobs.enqueue_one(
                NewJob(
                    kind=job_kind,
                    key=job_key or f"inbox:{system}:{event_key}",
                    payload={"inbox_id": int(row.id), "system": system, "event_key": event_key},
                    correlation_id=correlation_id,
                ),
                conn=conn,
            )
            conn.execute(update(inbox).where(inbox.c.id == row.id).values(job_id=enqueued.job_id))
        return Received(int(row.id), enqueued.job_id, correlation_id, duplicate=False)

    def get(self, inbox_id: int) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(inbox).where(inbox.c.id == inbox_id)).first()
        return None if row is None else dict(row._mapping)

    def count(self, system: str | None = None) -> int:
        stmt = select(func.count()).select_from(inbox)
        if system:
            stmt = stmt.where(inbox.c.system == system)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())
