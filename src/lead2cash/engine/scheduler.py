"""The scheduler: cron expressions become jobs, exactly once per fire time.

Each tick enqueues, for every schedule, its latest fire time that is due, with the idempotency
key ``schedule:<name>:<fire time>``. Missed fire times (the scheduler was down) coalesce into the
latest one, which is what micro-batch flows with cursors want. Because the key is unique, several
schedulers ticking at once cannot double a run; on PostgreSQL one leader is still chosen with an
advisory lock, so only one process does the work. SQLite runs on one machine, where the unique
key alone is enough.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter
from sqlalchemy import Connection, text

from lead2cash import errors
from lead2cash.store.facade import Store
from lead2cash.store.jobs import Enqueued, NewJob

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    """Run job ``kind`` with ``payload`` at the times ``cron`` names (UTC)."""

    name: str
    cron: str
    kind: str
    payload: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True

    def __post_init__(self) -> None:
        if not croniter.is_valid(self.cron):
            raise errors.ConfigError(f"schedule {self.name!r}: invalid cron {self.cron!r}")

    def latest_fire(self, now: datetime) -> datetime:
        """The latest fire time at or before ``now``."""
        probe = now + timedelta(microseconds=1)
        fire: datetime = croniter(self.cron, probe).get_prev(datetime)
        return fire.astimezone(UTC)


class LeaderLock:
    """PostgreSQL advisory lock held on a dedicated connection; always granted on SQLite."""

    def __init__(self, store: Store, name: str = "l2c-scheduler") -> None:
        self.store = store
        self.key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        if self.store.engine.dialect.name != "postgresql":
            return True
        if self._conn is not None:
            return True
        conn = self.store.engine.connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
        conn.commit()
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
            self._conn.commit()
            self._conn.close()
            self._conn = None


class Scheduler:
    """Ticks the schedules into the queue."""

    def __init__(
        self,
        store: Store,
        schedules: Sequence[Schedule],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        config_version: str | None = None,
    ) -> None:
        names = [s.name for s in schedules]
        if len(names) != len(set(names)):
            raise errors.ConfigError("schedule names must be unique")
        self.store = store
        self.schedules = [s for s in schedules if s.enabled]
        self.clock = clock
        self.config_version = config_version
        self.lock = LeaderLock(store)
        self.stop_event = threading.Event()

    def tick(self, now: datetime | None = None) -> list[Enqueued]:
        """Enqueue each schedule's latest due fire time (a no-op if already enqueued)."""
        now = now or self.clock()
        jobs = []
        for schedule in self.schedules:
            fire = schedule.latest_fire(now)
            jobs.append(
                NewJob(
                    kind=schedule.kind,
                    key=f"schedule:{schedule.name}:{fire.isoformat()}",
                    payload=schedule.payload
                    | {"schedule": schedule.name, "scheduled_for": fire.isoformat()},
                    config_version=self.config_version,
                )
            )
        return self.store.jobs.enqueue(jobs, actor="scheduler")

    def tick_as_leader(self) -> int:
        """One tick if this process is (or becomes) the leader; how many jobs it created."""
        if not self.lock.acquire():
            return 0
        created = [e for e in self.tick() if e.created]
        if created:
            log.info("scheduled %d job(s)", len(created), extra={"action": "scheduled"})
        return len(created)

    def run(self, *, interval: float = 5.0) -> None:
        """Tick every ``interval`` seconds while leader, until stopped."""
        try:
            while not self.stop_event.is_set():
                try:
                    self.tick_as_leader()
                except Exception:  # a database hiccup must not end the schedules
                    log.exception("scheduler tick failed; next try in %.0fs", interval)
                self.stop_event.wait(interval)
        finally:
            self.lock.release()
