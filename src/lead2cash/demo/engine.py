"""The engine demo: a real worker takes a batch of jobs through retries, a parked job is woken
when its reference is bound, and a job that failed validation is fixed and replayed."""

from __future__ import annotations

import threading
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from lead2cash import errors
from lead2cash.engine.handlers import HandlerRegistry, JobContext
from lead2cash.engine.retry import RetryPolicy
from lead2cash.engine.worker import Worker
from lead2cash.settings import WorkerSettings
from lead2cash.store.bindings import BindingKey
from lead2cash.store.facade import Store
from lead2cash.store.jobs import JobFilter, JobState, NewJob

ISO_CURRENCIES = {"EUR", "USD", "GBP", "CHF"}


class DemoOdoo:
    """A stand-in sink that fails the first call for some records, like a busy server."""

    def __init__(self) -> None:
        self.written: dict[str, dict[str, Any]] = {}
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def write(self, key: str, values: dict[str, Any], *, flaky: bool) -> None:
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1
            if flaky and self.calls[key] <= 2:
                raise errors.UnavailableError("Odoo answered 503", system="odoo", status=503)
            self.written[key] = values


def registry(odoo: DemoOdoo, store: Store) -> HandlerRegistry:
    reg = HandlerRegistry()

    def export_timesheet(ctx: JobContext) -> None:
        p = ctx.payload
        project = BindingKey("harvest", "project", str(p["project"]))
        if store.bindings.get(project) is None:
            raise errors.MissingReferenceError(
                f"project {p['project']} not synced yet", reference=str(project)
            )
        try:
            hours = Decimal(str(p["hours"]))
        except InvalidOperation as exc:
            raise errors.ValidationError(
                f"hours {p['hours']!r} is not a number", field="hours", rule="decimal"
            ) from exc
        if p.get("currency") not in ISO_CURRENCIES:
            raise errors.ValidationError(
                f"unknown currency {p.get('currency')!r}", field="currency", rule="iso4217"
            )
        odoo.write(ctx.job.idempotency_key, {"hours": str(hours)}, flaky=bool(p.get("flaky")))

    reg.register("demo.timesheet.export", export_timesheet)
    return reg


def run(console: Console, home: Path) -> dict[str, int]:
    """Run the engine demo in ``home`` and print what happened; returns the final counts."""
    db = home / "demo-engine.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store.open(f"sqlite:///{db}", upgrade=True)
    store.bindings.bind(
        BindingKey("harvest", "project", "1"), odoo_model="project.project", odoo_id=11
    )
    odoo = DemoOdoo()
    jobs = [
        NewJob(
            "demo.timesheet.export",
            f"harvest:time_entry:{i}",
            {"project": 1, "hours": "1.5", "currency": "EUR", "flaky": i % 10 == 0},
        )
        for i in range(200)
    ]
    jobs.append(
        NewJob(
            "demo.timesheet.export",
            "harvest:time_entry:parked",
            {"project": 42, "hours": "3", "currency": "EUR"},
        )
    )
    jobs.append(
        NewJob(
            "demo.timesheet.export",
            "harvest:time_entry:bad",
            {"project": 1, "hours": "2", "currency": "EURO"},
        )
    )
    store.jobs.enqueue(jobs)
    worker = Worker(
        store,
        registry(odoo, store),
        settings=WorkerSettings(batch_size=25, poll_seconds=0.02),
        policy=RetryPolicy(max_attempts=5, base=0.05, cap=0.2),
    )
    _drain(console, store, worker, "worker: 202 jobs, 20 fail twice before they succeed", len(jobs))
    console.print(f"  states: {store.jobs.counts()}")

    console.print("binding harvest project 42 (as the deal flow would) wakes the parked job")
    woken = store.bindings.bind(
        BindingKey("harvest", "project", "42"), odoo_model="project.project", odoo_id=12
    )
    console.print(f"  woken: {woken}")
    [bad] = store.jobs.find(JobFilter(states=["exception"]))
    console.print(
        f"job {bad.id} is in exception: [red]{bad.error_class}[/red]: "
        f"{bad.error_message}; an operator fixes the currency and replays it"
    )
    store.jobs.replay(
        JobFilter(ids=[bad.id]),
        actor="demo-operator",
        reason="currency typo",
        payload=bad.payload | {"currency": "EUR"},
    )
    _drain(console, store, worker, "worker: the woken and the replayed job", len(jobs))

    table = Table("job", "history", title="what happened to the interesting jobs")
    retried = store.jobs.get_by_key("harvest:time_entry:0")
    parked = store.jobs.get_by_key("harvest:time_entry:parked")
    for job in (retried, parked, store.jobs.get(bad.id)):
        assert job is not None
        steps = " → ".join(h["to_state"] for h in store.jobs.history(job.id))
        table.add_row(job.idempotency_key, steps)
    console.print(table)
    counts = store.jobs.counts()
    audit = store.audit.verify()
    console.print(
        f"final states: {counts}; Odoo records written: {len(odoo.written)} "
        f"(each once); audit chain: {'intact' if audit.ok else 'BROKEN'} "
        f"({audit.rows} rows)"
    )
    store.close()
    return counts


def _drain(console: Console, store: Store, worker: Worker, title: str, total: int) -> None:
    def done() -> int:
        return store.jobs.counts().get(JobState.DONE.value, 0)

    thread = threading.Thread(
        target=worker.run, kwargs={"concurrency": 2, "burst": True, "burst_horizon": 5.0}
    )
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(title, total=total)
        thread.start()
        while thread.is_alive():
            progress.update(task, completed=done())
            time.sleep(0.05)
        progress.update(task, completed=done())
    worker.stop_event.clear()
    console.print(f"{title}: {worker.stats.runs} runs so far")
