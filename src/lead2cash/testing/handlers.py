"""Job handlers for tests and benchmarks of the engine (``--handlers lead2cash.testing.handlers``).

- ``test.noop`` does nothing (queue throughput).
- ``test.sink`` writes its effect into an idempotent sink (unique key, ``ON CONFLICT DO
  NOTHING``) and logs every execution with its worker and times, in one transaction, so crash
  and concurrency tests can count effects (exactly once) and executions (at least once).
- ``test.flaky`` fails as its payload says (``fail``: a failure class, ``times``: how often).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select

from lead2cash import errors
from lead2cash.engine.handlers import HandlerRegistry, JobContext
from lead2cash.store.db import insert_ignoring_conflicts
from lead2cash.store.facade import Store
from lead2cash.store.types import BigId, UtcDateTime

sink_metadata = MetaData()

sink_effects = Table(
    "l2c_test_sink_effects",
    sink_metadata,
    Column("key", String(400), primary_key=True),
    Column("job_id", BigId, nullable=False),
)
sink_runs = Table(
    "l2c_test_sink_runs",
    sink_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("job_id", BigId, nullable=False),
    Column("worker", String(200), nullable=False),
    Column("started_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime, nullable=False),
)
flaky_counts = Table(
    "l2c_test_flaky",
    sink_metadata,
    Column("key", String(400), primary_key=True),
    Column("failures", Integer, nullable=False),
)


def create_tables(engine: Engine) -> None:
    sink_metadata.create_all(engine)


def _store(ctx: JobContext) -> Store:
    store = ctx.services.get("store")
    if not isinstance(store, Store):
        raise errors.ConfigError("test handlers need the store in the worker's services")
    return store


def noop(ctx: JobContext) -> None:
    """Does nothing."""


def sink(ctx: JobContext) -> None:
    """Record the job's effect once, however often it runs."""
    started = datetime.now(UTC)
    delay = float(ctx.payload.get("sleep", 0))
    if delay:
        time.sleep(delay)
    engine = _store(ctx).engine
    with engine.begin() as conn:
        conn.execute(
            insert(sink_runs).values(
                job_id=ctx.job.id,
                worker=ctx.worker_id,
                started_at=started,
                ended_at=datetime.now(UTC),
            )
        )
        conn.execute(
            insert_ignoring_conflicts(sink_effects, conn.dialect.name, "key").values(
                key=ctx.job.idempotency_key, job_id=ctx.job.id
            )
        )


_FAILURES: dict[str, type[errors.Lead2CashError]] = {
    "transient": errors.UnavailableError,
    "rate_limited": errors.RateLimitedError,
    "validation": errors.ValidationError,
    "missing_reference": errors.MissingReferenceError,
    "auth": errors.AuthError,
    "locked": errors.LockedError,
}


def flaky(ctx: JobContext) -> None:
    """Fail ``times`` times with the payload's failure class, then succeed like ``sink``."""
    kind = str(ctx.payload.get("fail", "transient"))
    times = int(ctx.payload.get("times", 1))
    engine = _store(ctx).engine
    with engine.begin() as conn:
        failures = (
            conn.execute(
                select(flaky_counts.c.failures).where(flaky_counts.c.key == ctx.job.idempotency_key)
            ).scalar()
            or 0
        )
        if failures < times:
            if failures == 0:
                conn.execute(insert(flaky_counts).values(key=ctx.job.idempotency_key, failures=1))
            else:
                conn.execute(
                    flaky_counts.update()
                    .where(flaky_counts.c.key == ctx.job.idempotency_key)
                    .values(failures=flaky_counts.c.failures + 1)
                )
    if failures < times:
        cls = _FAILURES[kind]
        if cls is errors.MissingReferenceError:
            raise errors.MissingReferenceError(reference=str(ctx.payload["reference"]))
        if cls is errors.RateLimitedError:
            raise errors.RateLimitedError(system="test", retry_after=0.05)
        if cls is errors.AuthError:
            raise errors.AuthError("token refused", system="test")
        raise cls(f"injected {kind} failure {failures + 1} of {times}")
    sink(ctx)


def effects(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(sink_effects)).scalar_one())


def register(registry: HandlerRegistry) -> None:
    registry.register("test.noop", noop)
    registry.register("test.sink", sink)
    registry.register("test.flaky", flaky)
