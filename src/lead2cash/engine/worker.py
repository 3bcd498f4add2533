"""The worker: claims due jobs in batches, runs their handlers, records outcomes.

One process runs ``concurrency`` threads that claim and run jobs, plus one maintenance thread
that renews the process's leases (heartbeat), recovers jobs whose worker died (expired leases)
and turns jobs parked too long into exceptions. SIGTERM (or SIGINT) stops it gracefully: each
thread finishes the job in hand, gives back the rest of its batch unrun, and records what it did.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from lead2cash import errors
from lead2cash.engine.handlers import HandlerRegistry, JobContext
from lead2cash.engine.outcomes import Routing, decide
from lead2cash.engine.retry import RetryPolicy
from lead2cash.observability import metrics
from lead2cash.settings import WorkerSettings
from lead2cash.store.db import translated
from lead2cash.store.facade import Store
from lead2cash.store.jobs import Job, JobState, Outcome

log = logging.getLogger(__name__)

#: How often a worker purges finished jobs past the retention window.
PURGE_EVERY = timedelta(hours=1)

AUTH_CLASSES = (errors.FailureClass.AUTH.value, errors.FailureClass.CONFIG.value)


def make_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class WorkerStats:
    """What one worker process did (for the CLI's summary and tests)."""

    runs: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, outcomes: list[Outcome]) -> None:
        with self.lock:
            self.runs += len(outcomes)
            for o in outcomes:
                self.by_state[o.state.value] = self.by_state.get(o.state.value, 0) + 1


class Worker:
    """Runs jobs from ``store`` with the handlers in ``registry``."""

    def __init__(
        self,
        store: Store,
        registry: HandlerRegistry,
        *,
        settings: WorkerSettings | None = None,
        policy: RetryPolicy | None = None,
        services: dict[str, Any] | None = None,
        worker_id: str | None = None,
        kinds: list[str] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        retention: timedelta | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.settings = settings or WorkerSettings()
        self.policy = policy or RetryPolicy()
        self.services = services or {}
        self.worker_id = worker_id or make_worker_id()
        self.kinds = kinds or registry.kinds()
        self.clock = clock
        self.stop_event = threading.Event()
        self.stats = WorkerStats()
        self._busy = 0
        self._busy_lock = threading.Lock()
        #: finished jobs older than this are purged (their idempotency keys freed), hourly
        self.retention = retention
        self._purged_at: datetime | None = None

    # -- one job --------------------------------------------------------------------------

    def execute(self, job: Job) -> Outcome:
        """Run one claimed job's handler and decide its outcome (never raises)."""
        registration = self.registry.get(job.kind)
        extra = {
            "action": "job_run",
            "job_id": job.id,
            "kind": job.kind,
            "correlation_id": job.correlation_id,
            "attempt": job.attempts,
        }
        if registration is None:
            exc: BaseException = errors.ConfigError(f"no handler for job kind {job.kind!r}")
            return decide(job, exc, self._routing(None), self.clock())
        ctx = JobContext(job, self.worker_id, logging.LoggerAdapter(log, extra), self.services)
        started = time.perf_counter()
        try:
            registration.handler(ctx)
        except Exception as exc:  # noqa: BLE001 - the one place errors become job states
            outcome = decide(job, exc, self._routing(registration.retry), self.clock())
            log.log(
                logging.WARNING
                if outcome.state in (JobState.EXCEPTION, JobState.DEAD)
                else logging.INFO,
                "job %s %s: %s",
                job.id,
                outcome.state.value,
                exc,
                extra=extra
                | {
                    "action": "job_failed",
                    "to_state": outcome.state.value,
                    "failure_class": outcome.error_class,
                },
            )
        else:
            outcome = Outcome(job.id, JobState.DONE)
        metrics.JOB_SECONDS.labels(job.kind).observe(time.perf_counter() - started)
        metrics.JOB_OUTCOMES.labels(job.kind, outcome.state.value).inc()
        return outcome

    def _routing(self, policy: RetryPolicy | None) -> Routing:
        return Routing(
            policy or self.policy, auth_pause=timedelta(seconds=self.settings.auth_pause_seconds)
        )

    # -- the loops ------------------------------------------------------------------------

    def run_batch(self) -> int:
        """Claim one batch and run it; returns how many jobs were claimed."""
        with self._busy_lock:
            self._busy += 1
        outcomes: list[Outcome] = []
        batch: list[Job] = []
        try:
            with translated():
                batch = self.store.jobs.claim(
                    self.worker_id,
                    limit=self.settings.batch_size,
                    lease_seconds=self.settings.lease_seconds,
                    kinds=self.kinds,
                )
            for index, job in enumerate(batch):
                if self.stop_event.is_set():
                    self.store.jobs.release(
                        self.worker_id, [j.id for j in batch[index:]], reason="worker stopping"
                    )
                    break
                outcomes.append(self.execute(job))
        finally:
            try:
                if outcomes:
                    self._record_stored(batch, outcomes)
            finally:
                with self._busy_lock:
                    self._busy -= 1
        return len(batch)

    def _record_stored(self, batch: list[Job], outcomes: list[Outcome]) -> None:
        """Record the outcomes, waiting out a database outage (the work is done; losing its
        outcome would run it again). Stopping gives up: the leases lapse and another worker
        runs the jobs again, which the handlers' idempotency makes harmless."""
        delay = 0.5
        while True:
            try:
                with translated():
                    self._record(batch, outcomes)
                return
            except errors.StoreError as exc:
                if self.stop_event.is_set():
                    raise
                log.warning(
                    "cannot record %d outcome(s) (%s); retrying in %.1fs",
                    len(outcomes),
                    exc,
                    delay,
                    extra={"action": "store_error"},
                )
                self.stop_event.wait(delay)
                delay = min(delay * 2, 30.0)

    def _record(self, batch: list[Job], outcomes: list[Outcome]) -> None:
        self.store.jobs.finish(self.worker_id, outcomes)
        self.stats.add(outcomes)
        by_id = {j.id: j for j in batch}
        for outcome in outcomes:
            job = by_id[outcome.job_id]
            detail = outcome.error_detail or {}
            system = detail.get("system")
            if outcome.error_class in AUTH_CLASSES and system:
                self.store.circuits.open(
                    str(system),
                    reason=outcome.error_message or "",
                    failure_class=outcome.error_class or "",
                    retry_at=outcome.run_after or self.clock(),
                )
                log.error(
                    "circuit opened for %s: %s",
                    system,
                    outcome.error_message,
                    extra={"action": "circuit_opened", "system": system},
                )
            elif outcome.state == JobState.DONE and job.error_class in AUTH_CLASSES:
                previous = (job.error_detail or {}).get("system")
                if previous:
                    self.store.circuits.close(str(previous))

    def _thread_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                claimed = self.run_batch()
            except errors.StoreError as exc:
                log.warning("store unavailable: %s", exc, extra={"action": "store_error"})
                claimed = 0
                self.stop_event.wait(1.0)
            except Exception:  # a thread that dies would strand its leases
                log.exception("worker thread error; going on", extra={"action": "worker_error"})
                claimed = 0
                self.stop_event.wait(1.0)
            if not claimed:
                self.stop_event.wait(self.settings.poll_seconds)

    def maintain(self) -> None:
        """Heartbeat, lease recovery, park expiry and (hourly) the retention purge, once."""
        self.store.jobs.heartbeat(self.worker_id, lease_seconds=self.settings.lease_seconds)
        self.store.jobs.recover_expired_leases()
        self.store.jobs.expire_parked(timedelta(seconds=self.settings.park_timeout_seconds))
        now = self.clock()
        if self.retention is not None and (
            self._purged_at is None or now - self._purged_at >= PURGE_EVERY
        ):
            self._purged_at = now
            purged = self.store.jobs.purge(self.retention)
            if purged:
                log.info("purged %d finished job(s)", purged, extra={"action": "purged"})

    def _maintenance_loop(self) -> None:
        while not self.stop_event.wait(self.settings.heartbeat_seconds):
            try:
                self.maintain()
            except Exception as exc:  # noqa: BLE001 - keep the worker alive; next beat retries
                log.warning("maintenance failed: %s", exc, extra={"action": "maintenance_error"})

    def run(
        self,
        *,
        concurrency: int | None = None,
        burst: bool = False,
        burst_horizon: float = 0.0,
        install_signals: bool = False,
    ) -> WorkerStats:
        """Run until stopped (or, with ``burst``, until no job is running and none is due within
        ``burst_horizon`` seconds)."""
        if install_signals:
            self._install_signals()
        count = concurrency or self.settings.concurrency
        self.maintain()
        threads = [
            threading.Thread(target=self._thread_loop, name=f"l2c-worker-{i}", daemon=True)
            for i in range(count)
        ]
        threads.append(
            threading.Thread(target=self._maintenance_loop, name="l2c-maint", daemon=True)
        )
        for t in threads:
            t.start()
        log.info(
            "worker %s started with %d threads",
            self.worker_id,
            count,
            extra={"action": "worker_started", "kinds": ",".join(self.kinds)},
        )
        try:
            while not self.stop_event.wait(0.2):
                if burst and self._idle(burst_horizon):
                    self.stop_event.set()
        finally:
            self.stop_event.set()
            for t in threads:
                t.join()
        log.info(
            "worker %s stopped after %d runs",
            self.worker_id,
            self.stats.runs,
            extra={"action": "worker_stopped"},
        )
        return self.stats

    def run_until_idle(self, *, max_seconds: float = 300.0) -> WorkerStats:
        """Process due jobs in this thread until none is due (tests, demo, ``--burst``)."""
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline and not self.stop_event.is_set():
            if not self.run_batch():
                break
        return self.stats

    def _idle(self, horizon: float = 0.0) -> bool:
        with self._busy_lock:
            if self._busy:
                return False
        due = self.store.jobs.next_due(self.kinds)
        return due is None or due > self.clock() + timedelta(seconds=horizon)

    def _install_signals(self) -> None:
        def stop(signum: int, _frame: FrameType | None) -> None:
            log.info(
                "signal %d: finishing the jobs in hand", signum, extra={"action": "worker_stopping"}
            )
            self.stop_event.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
