"""The scheduler enqueues each fire time once; one leader on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lead2cash import errors
from lead2cash.engine.scheduler import LeaderLock, Schedule, Scheduler
from lead2cash.store.facade import Store

T = datetime(2026, 12, 4, 12, 7, 30, tzinfo=UTC)


def test_each_fire_time_is_enqueued_once(store: Store) -> None:
    schedules = [
        Schedule("timesheets", "*/15 * * * *", "flow.timesheets"),
        Schedule("expenses", "0 2 * * *", "flow.expenses", {"nightly": True}),
    ]
    scheduler = Scheduler(store, schedules)
    first = scheduler.tick(T)
    assert [e.created for e in first] == [True, True]
    # a second scheduler, or the same one a minute later: same fire times, nothing new
    assert [e.created for e in Scheduler(store, schedules).tick(T.replace(minute=14))] == [
        False,
        False,
    ]
    later = scheduler.tick(T.replace(minute=15))
    assert [e.created for e in later] == [True, False]
    job = store.jobs.get(later[0].job_id)
    assert job is not None
    assert job.idempotency_key == "schedule:timesheets:2026-12-04T12:15:00+00:00"
    assert job.payload["scheduled_for"] == "2026-12-04T12:15:00+00:00"
    nightly = store.jobs.get(first[1].job_id)
    assert nightly is not None
    assert nightly.payload == {
        "nightly": True,
        "schedule": "expenses",
        "scheduled_for": "2026-12-04T02:00:00+00:00",
    }


def test_bad_cron_and_duplicate_names_are_config_errors(store: Store) -> None:
    with pytest.raises(errors.ConfigError):
        Schedule("x", "every fifteen minutes", "k")
    with pytest.raises(errors.ConfigError):
        Scheduler(store, [Schedule("x", "* * * * *", "k"), Schedule("x", "* * * * *", "k")])


@pytest.mark.postgres
def test_one_leader_on_postgres(postgres_store: Store) -> None:
    first, second = LeaderLock(postgres_store), LeaderLock(postgres_store)
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()
