"""Real worker processes: SIGKILL at random moments, four workers on PostgreSQL, SIGTERM,
and the same keys enqueued from two processes at once."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lead2cash.store.facade import Store
from lead2cash.store.jobs import NewJob
from lead2cash.store.tables import job_history
from lead2cash.testing import handlers
from lead2cash.testing.processes import worker_process


def _wait_done(store: Store, total: int, timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    counts = store.jobs.counts()
    while counts.get("done", 0) < total and time.monotonic() < deadline:
        time.sleep(0.2)
        counts = store.jobs.counts()
    return counts


def _runs_per_job(store: Store) -> dict[int, int]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(handlers.sink_runs.c.job_id, func.count()).group_by(handlers.sink_runs.c.job_id)
        ).all()
    return {int(r[0]): int(r[1]) for r in rows}


@pytest.mark.slow
def test_sigkilled_workers_lose_and_duplicate_nothing(
    tmp_path: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    store = Store.open(url, upgrade=True)
    handlers.create_tables(store.engine)
    total = 2000
    store.jobs.enqueue([NewJob("test.sink", f"crash-{i}", {"sleep": 0.002}) for i in range(total)])
    rng = random.Random(20261204)
    workers.extend(worker_process(url, concurrency=2) for _ in range(3))
    kills = 0
    deadline = time.monotonic() + 150
    while store.jobs.counts().get("done", 0) < total and time.monotonic() < deadline:
        time.sleep(rng.uniform(0.1, 0.6))
        if kills >= 12:
            continue
        live = [p for p in workers if p.poll() is None]
        victim = rng.choice(live)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        kills += 1
        workers.append(worker_process(url, concurrency=2))
    counts = _wait_done(store, total, 60)
    assert counts == {"done": total}
    assert handlers.effects(store.engine) == total  # every effect exactly once
    runs = _runs_per_job(store)
    assert len(runs) == total  # none lost
    executions = sum(runs.values())
    print(
        f"\ncrash test: {kills} SIGKILLs, {executions} executions for {total} jobs, "
        f"{executions - total} re-executions after kills, effects {total}"
    )
    assert kills == 12


@pytest.mark.postgres
@pytest.mark.slow
def test_four_postgres_workers_run_each_job_once(
    postgres_url: str, workers: list[subprocess.Popen[bytes]]
) -> None:
    store = Store.open(postgres_url, upgrade=True)
    handlers.create_tables(store.engine)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "TRUNCATE l2c_jobs, l2c_job_history, l2c_test_sink_runs, "
            "l2c_test_sink_effects RESTART IDENTITY CASCADE"
        )
    total = 10_000
    store.jobs.enqueue([NewJob("test.sink", f"pg-{i}", {}) for i in range(total)])
    started = time.monotonic()
    workers.extend(worker_process(postgres_url, lease=30, batch=20) for _ in range(4))
    counts = _wait_done(store, total, 240)
    elapsed = time.monotonic() - started
    assert counts == {"done": total}
    runs = _runs_per_job(store)
    assert len(runs) == total and set(runs.values()) == {1}  # each executed exactly once
    with store.engine.connect() as conn:
        claims = conn.execute(
            select(job_history.c.job_id, func.count())
            .where(job_history.c.to_state == "running")
            .group_by(job_history.c.job_id)
        ).all()
        owners = conn.execute(select(func.count(func.distinct(handlers.sink_runs.c.worker))))
        distinct_workers = int(owners.scalar_one())
    assert len(claims) == total and {int(c[1]) for c in claims} == {1}  # never held twice
    assert distinct_workers == 4  # all four took part
    print(f"\n4 PostgreSQL workers: {total} jobs in {elapsed:.1f}s incl. start-up")
    store.close()


def test_sigterm_finishes_the_job_in_hand(
    tmp_path: Path, workers: list[subprocess.Popen[bytes]]
) -> None:
    url = f"sqlite:///{tmp_path / 'term.db'}"
    store = Store.open(url, upgrade=True)
    handlers.create_tables(store.engine)
    store.jobs.enqueue([NewJob("test.sink", f"term-{i}", {"sleep": 0.3}) for i in range(20)])
    proc = worker_process(url, batch=20, lease=60)
    workers.append(proc)
    deadline = time.monotonic() + 30
    while not _runs_per_job(store) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    counts = store.jobs.counts()
    assert "running" not in counts  # the rest of the batch was given back
    assert counts.get("done", 0) >= 1 and counts.get("pending", 0) >= 1
    assert counts["done"] == handlers.effects(store.engine)
    assert all(j.attempts == 0 for j in store.jobs.find() if j.state.value == "pending")


_ENQUEUE = """
import sys, time
from lead2cash.store.facade import Store
from lead2cash.store.jobs import NewJob
store = Store.open(sys.argv[1])
start = float(sys.argv[2])
while time.time() < start:
    time.sleep(0.001)
for b in range(0, 1000, 50):
    store.jobs.enqueue([NewJob("test.noop", f"same-{i}", {}) for i in range(b, b + 50)])
"""


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_same_keys_from_two_processes_give_one_job_each(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'dedup.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = Store.open(url, upgrade=True)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM l2c_jobs WHERE kind = 'test.noop'")
    start = time.time() + 1.5
    procs = [subprocess.Popen([sys.executable, "-c", _ENQUEUE, url, str(start)]) for _ in range(2)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    with store.engine.connect() as conn:
        keys = conn.exec_driver_sql(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM l2c_jobs "
            "WHERE kind = 'test.noop'"
        ).one()
    assert tuple(keys) == (1000, 1000)
    store.close()
