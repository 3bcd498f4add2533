"""The worker keeps going through database outages, purges what its retention allows, and a
burst worker waits only for its own kinds."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from lead2cash.engine.handlers import HandlerRegistry, JobContext
from lead2cash.engine.worker import Worker
from lead2cash.settings import WorkerSettings
from lead2cash.store.facade import Store
from lead2cash.store.jobs import JobFilter, NewJob


def _registry(seen: list[int]) -> HandlerRegistry:
    registry = HandlerRegistry()

    def handle(ctx: JobContext) -> None:
        seen.append(ctx.job.id)

    registry.register("k", handle)
    return registry


def _outage(times: int) -> Any:
    """A callable that raises the driver's 'server closed the connection' ``times`` times."""
    left = {"n": times}

    def fail(*_args: Any, **_kwargs: Any) -> None:
        if left["n"] > 0:
            left["n"] -= 1
            raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    return fail


def test_an_outage_while_recording_waits_and_records(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    sqlite_store.jobs.enqueue([NewJob("k", "a", {}), NewJob("k", "b", {})])
    worker = Worker(sqlite_store, _registry(seen), settings=WorkerSettings(poll_seconds=0.01))
    finish = sqlite_store.jobs.finish
    outage = _outage(2)

    def flaky_finish(*args: Any, **kwargs: Any) -> Any:
        outage()
        return finish(*args, **kwargs)

    monkeypatch.setattr(sqlite_store.jobs, "finish", flaky_finish)
    monkeypatch.setattr(worker.stop_event, "wait", lambda _s=None: False)  # no real backoff
    assert worker.run_batch() == 2
    assert len(seen) == 2  # each handler ran once
    assert sqlite_store.jobs.counts() == {"done": 2}


def test_an_outage_while_claiming_does_not_end_the_thread(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    sqlite_store.jobs.enqueue([NewJob("k", "a", {})])
    worker = Worker(sqlite_store, _registry(seen), settings=WorkerSettings(poll_seconds=0.01))
    claim = sqlite_store.jobs.claim
    outage = _outage(3)

    def flaky_claim(*args: Any, **kwargs: Any) -> Any:
        outage()
        return claim(*args, **kwargs)

    monkeypatch.setattr(sqlite_store.jobs, "claim", flaky_claim)
    thread = threading.Thread(target=worker._thread_loop, daemon=True)
    thread.start()
    deadline = datetime.now(UTC) + timedelta(seconds=20)
    while not seen and datetime.now(UTC) < deadline:
        thread.join(0.05)
    worker.stop_event.set()
    thread.join(5)
    assert seen and not thread.is_alive()


def test_maintenance_purges_finished_jobs_past_the_retention_hourly(sqlite_store: Store) -> None:
    sqlite_store.jobs.enqueue([NewJob("k", "old", {})])
    worker = Worker(sqlite_store, _registry([]), retention=timedelta(days=30))
    worker.run_batch()
    later = datetime.now(UTC) + timedelta(days=31)
    worker.clock = lambda: later
    sqlite_store.jobs.clock = lambda: later
    worker.maintain()
    assert sqlite_store.jobs.find(JobFilter(limit=10)) == []
    # the key is free again: the same key makes a new job
    assert sqlite_store.jobs.enqueue([NewJob("k", "old", {})])[0].created


def test_a_burst_worker_waits_only_for_its_kinds(sqlite_store: Store) -> None:
    sqlite_store.jobs.enqueue([NewJob("other", "x", {})])
    worker = Worker(sqlite_store, _registry([]))
    assert worker.kinds == ["k"]
    assert worker._idle()
    assert sqlite_store.jobs.next_due() is not None
