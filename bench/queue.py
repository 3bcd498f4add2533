"""Queue throughput: no-op jobs per second, SQLite (1 worker) and PostgreSQL (1 and 4 workers),
measured side by side in one run.

    python bench/queue.py [--jobs 20000] [--postgres-url postgresql+psycopg://...]

Each case enqueues the jobs first (not timed), then starts real ``l2c worker`` processes and
times from the first claim to the last completion, read from the job history (so process
start-up is not counted). PostgreSQL runs in a scratch database created on the server named by
``--postgres-url`` or ``L2C_TEST_POSTGRES_URL``; without one, the PostgreSQL cases are skipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib's ``queue``: keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import os
import tempfile
import time
import uuid

from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from lead2cash.store.facade import Store
from lead2cash.store.jobs import NewJob
from lead2cash.store.tables import job_history
from lead2cash.testing.processes import worker_process

console = Console()


def run_case(url: str, jobs: int, workers: int) -> float:
    store = Store.open(url, upgrade=True)
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM l2c_job_history"))
        conn.execute(text("DELETE FROM l2c_jobs"))
    for start in range(0, jobs, 5000):
        store.jobs.enqueue(
            [NewJob("test.noop", f"bench-{i}", {}) for i in range(start, min(jobs, start + 5000))]
        )
    procs = [worker_process(url, kind="test.noop", batch=100, lease=60) for _ in range(workers)]
    try:
        deadline = time.monotonic() + 600
        while store.jobs.counts().get("done", 0) < jobs:
            if time.monotonic() > deadline:
                raise SystemExit("benchmark timed out")
            time.sleep(0.2)
    finally:
        for p in procs:
            p.kill()
            p.wait()
    with store.engine.connect() as conn:
        first = conn.execute(
            select(func.min(job_history.c.at)).where(job_history.c.to_state == "running")
        ).scalar_one()
        last = conn.execute(
            select(func.max(job_history.c.at)).where(job_history.c.to_state == "done")
        ).scalar_one()
    store.close()
    return jobs / max((last - first).total_seconds(), 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20000)
    parser.add_argument("--postgres-url", default=os.environ.get("L2C_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    results: list[tuple[str, int, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        console.print(f"SQLite, 1 worker, {args.jobs} jobs ...")
        results.append(("SQLite (WAL)", 1, run_case(url, args.jobs, 1), 1000))
    if args.postgres_url:
        name = f"l2c_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        pg = make_url(args.postgres_url).set(database=name).render_as_string(hide_password=False)
        try:
            for n in (1, 4):
                console.print(f"PostgreSQL, {n} worker(s), {args.jobs} jobs ...")
                results.append(("PostgreSQL", n, run_case(pg, args.jobs, n), 2000 if n == 4 else 0))
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        console.print("[yellow]PostgreSQL skipped: set --postgres-url or L2C_TEST_POSTGRES_URL")
    table = Table(
        "store",
        "workers",
        "no-op jobs/s",
        "target",
        "vs SQLite x1",
        title=f"queue throughput ({os.cpu_count()} cores, {args.jobs} jobs per case)",
    )
    base = results[0][2]
    for store_name, n, rate, target in results:
        table.add_row(
            store_name,
            str(n),
            f"{rate:,.0f}",
            f">= {target:,}" if target else "-",
            f"{rate / base:.2f}",
        )
    console.print(table)
    missed = [r for r in results if r[3] and r[2] < r[3]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
