"""The job queue: enqueue with dedup, claim with a lease, finish, park and wake, replay, ignore.

States (DESIGN.md "Jobs")::

    pending → running → done
    running → retry_wait → (claimed again when due)
    running → parked → pending          (when the reference it waits for is bound)
    running → exception | dead
    exception | dead → pending          (replay, history kept, payload optionally edited)
    exception | dead → ignored          (by a person, with a reason)

Dedup is the unique constraint on ``idempotency_key`` (``INSERT ... ON CONFLICT DO NOTHING``),
never check-then-insert, and it holds in every state until the row is purged after the retention
window. Claims use ``FOR UPDATE SKIP LOCKED`` on PostgreSQL and ``BEGIN IMMEDIATE`` on SQLite.
Every finish is fenced by the lease owner: a worker that lost its lease cannot overwrite the
outcome of the worker that took the job over.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.sql import ColumnElement

from lead2cash import errors
from lead2cash.store.audit import AuditEntry, AuditLog
from lead2cash.store.bindings import BindingKey
from lead2cash.store.db import insert_ignoring_conflicts, is_postgres
from lead2cash.store.tables import bindings, job_history, jobs


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    RETRY_WAIT = "retry_wait"
    PARKED = "parked"
    EXCEPTION = "exception"
    DEAD = "dead"
    IGNORED = "ignored"
    DONE = "done"


FINAL_STATES = frozenset({JobState.DONE, JobState.IGNORED})
REPLAYABLE_STATES = frozenset({JobState.EXCEPTION, JobState.DEAD})
CLAIMABLE_STATES = (JobState.PENDING.value, JobState.RETRY_WAIT.value)


@dataclass(frozen=True)
class NewJob:
    """A job to enqueue. ``key`` is its idempotency key: the same key never makes two jobs."""

    kind: str
    key: str
    payload: dict[str, Any]
    correlation_id: str | None = None
    company: str | None = None
    config_version: str | None = None
    run_after: datetime | None = None
    max_attempts: int | None = None


@dataclass(frozen=True)
class Enqueued:
    job_id: int
    created: bool


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    idempotency_key: str
    state: JobState
    payload: dict[str, Any]
    attempts: int
    max_attempts: int | None
    run_after: datetime
    lease_owner: str | None
    lease_expires_at: datetime | None
    error_class: str | None
    error_message: str | None
    error_detail: dict[str, Any] | None
    parked_on: str | None
    correlation_id: str
    company: str | None
    config_version: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        """The job as plain data (state by value), for the CLI's and the API's answers."""
        data = asdict(self)
        data["state"] = self.state.value
        return data

    @classmethod
    def from_row(cls, row: Any) -> Job:
        m = dict(row._mapping)
        m["state"] = JobState(m["state"])
        return cls(**m)


@dataclass(frozen=True)
class Outcome:
    """What became of one run of a job, as the worker decided it."""

    job_id: int
    state: JobState
    run_after: datetime | None = None
    error_class: str | None = None
    error_message: str | None = None
    error_detail: dict[str, Any] | None = None
    parked_on: str | None = None
    #: False for rate-limit waits and circuit pauses: the attempt is given back.
    count_attempt: bool = True
    #: A payload to store instead of the current one (a handler that made progress).
    payload: dict[str, Any] | None = None


@dataclass
class JobFilter:
    """Selects jobs for listing, replay and ignore."""

    states: Sequence[str] = ()
    kinds: Sequence[str] = ()
    error_classes: Sequence[str] = ()
    ids: Sequence[int] = ()
    correlation_id: str | None = None
    older_than: timedelta | None = None
    newer_than: timedelta | None = None
    limit: int | None = None
    extra: list[ColumnElement[bool]] = field(default_factory=list)

    def where(self, now: datetime) -> list[ColumnElement[bool]]:
        clauses = list(self.extra)
        if self.states:
            clauses.append(jobs.c.state.in_(list(self.states)))
        if self.kinds:
            clauses.append(jobs.c.kind.in_(list(self.kinds)))
        if self.error_classes:
            clauses.append(jobs.c.error_class.in_(list(self.error_classes)))
        if self.ids:
            clauses.append(jobs.c.id.in_(list(self.ids)))
        if self.correlation_id:
            clauses.append(jobs.c.correlation_id == self.correlation_id)
        if self.older_than is not None:
            clauses.append(jobs.c.updated_at <= now - self.older_than)
        if self.newer_than is not None:
            clauses.append(jobs.c.updated_at >= now - self.newer_than)
        return clauses


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def _utcnow() -> datetime:
    return datetime.now(UTC)


class JobStore:
    """The queue over SQLAlchemy Core; the same code on SQLite and PostgreSQL."""

    def __init__(
        self,
        engine: Engine,
        *,
        audit: AuditLog | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.engine = engine
        self.audit = audit or AuditLog(engine)
        self.clock = clock
        self._pg = is_postgres(engine)

    # -- enqueue -------------------------------------------------------------------------

    def enqueue(
        self, new_jobs: Sequence[NewJob], *, conn: Connection | None = None, actor: str = "system"
    ) -> list[Enqueued]:
        """Enqueue jobs; a key that exists already (in any state) yields its existing job.

        Pass ``conn`` to enqueue in the caller's transaction (the outbox pattern).
        """
        if conn is None:
            with self.engine.begin() as own:
                return self.enqueue(new_jobs, conn=own, actor=actor)
        if not new_jobs:
            return []
        now = self.clock()
        rows = [
            {
                "kind": j.kind,
                "idempotency_key": j.key,
                "state": JobState.PENDING.value,
                "payload": j.payload,
                "attempts": 0,
                "max_attempts": j.max_attempts,
                "run_after": j.run_after or now,
                "correlation_id": j.correlation_id or new_correlation_id(),
                "company": j.company,
                "config_version": j.config_version,
                "created_at": now,
                "updated_at": now,
            }
            for j in new_jobs
        ]
        stmt = insert_ignoring_conflicts(jobs, conn.dialect.name, "idempotency_key")
        created: dict[str, int] = {}
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            result = conn.execute(stmt.returning(jobs.c.id, jobs.c.idempotency_key), chunk)
            created.update({r.idempotency_key: int(r.id) for r in result})
        if created:
            conn.execute(
                insert(job_history),
                [
                    {
                        "job_id": job_id,
                        "at": now,
                        "from_state": None,
                        "to_state": "pending",
                        "attempt": 0,
                        "actor": actor,
                        "message": "enqueued",
                    }
                    for job_id in created.values()
                ],
            )
        missing = [j.key for j in new_jobs if j.key not in created]
        existing: dict[str, int] = {}
        for start in range(0, len(missing), 500):
            keys = missing[start : start + 500]
            existing.update(
                {
                    r.idempotency_key: int(r.id)
                    for r in conn.execute(
                        select(jobs.c.id, jobs.c.idempotency_key).where(
                            jobs.c.idempotency_key.in_(keys)
                        )
                    )
                }
            )
        results: list[Enqueued] = []
        for j in new_jobs:
            if j.key in created:
                results.append(Enqueued(created.pop(j.key), True))
                existing[j.key] = results[-1].job_id
            else:
                results.append(Enqueued(existing[j.key], False))
        return results

    def hold(
        self,
        job: NewJob,
        *,
        error_class: str,
        message: str,
        detail: dict[str, Any] | None = None,
        actor: str = "system",
    ) -> Enqueued:
        """Store work that already failed validation straight into the exception queue (a bad
        CSV row, say): a person fixes the payload and replays it. Dedup as for ``enqueue``."""
        now = self.clock()
        with self.engine.begin() as conn:
            row = conn.execute(
                insert_ignoring_conflicts(jobs, conn.dialect.name, "idempotency_key")
                .values(
                    kind=job.kind,
                    idempotency_key=job.key,
                    state=JobState.EXCEPTION.value,
                    payload=job.payload,
                    attempts=0,
                    run_after=now,
                    correlation_id=job.correlation_id or new_correlation_id(),
                    company=job.company,
                    config_version=job.config_version,
                    error_class=error_class,
                    error_message=message,
                    error_detail=detail,
                    created_at=now,
                    updated_at=now,
                )
                .returning(jobs.c.id)
            ).first()
            if row is None:
                existing = conn.execute(
                    select(jobs.c.id).where(jobs.c.idempotency_key == job.key)
                ).scalar_one()
                return Enqueued(int(existing), False)
            self._history(
                conn,
                [(int(row.id), "", JobState.EXCEPTION.value, 0)],
                now,
                actor,
                error_class=error_class,
                message=message,
            )
        return Enqueued(int(row.id), True)

    def enqueue_one(self, job: NewJob, *, conn: Connection | None = None) -> Enqueued:
        return self.enqueue([job], conn=conn)[0]

    # -- claim, heartbeat, release --------------------------------------------------------

    def claim(
        self,
        owner: str,
        *,
        limit: int = 1,
        lease_seconds: float = 60.0,
        kinds: Sequence[str] | None = None,
    ) -> list[Job]:
        """Take up to ``limit`` due jobs, leased to ``owner`` for ``lease_seconds``."""
        now = self.clock()
        pick = (
            select(jobs.c.id, jobs.c.state)
            .where(jobs.c.state.in_(CLAIMABLE_STATES), jobs.c.run_after <= now)
            .order_by(jobs.c.run_after, jobs.c.id)
            .limit(limit)
        )
        if kinds:
            pick = pick.where(jobs.c.kind.in_(list(kinds)))
        if self._pg:
            pick = pick.with_for_update(skip_locked=True)
        with self.engine.begin() as conn:
            picked = {int(r.id): r.state for r in conn.execute(pick)}
            if not picked:
                return []
            claimed = [
                Job.from_row(r)
                for r in conn.execute(
                    update(jobs)
                    .where(jobs.c.id.in_(list(picked)))
                    .values(
                        state=JobState.RUNNING.value,
                        lease_owner=owner,
                        lease_expires_at=now + timedelta(seconds=lease_seconds),
                        attempts=jobs.c.attempts + 1,
                        updated_at=now,
                    )
                    .returning(*jobs.c)
                )
            ]
            conn.execute(
                insert(job_history),
                [
                    {
                        "job_id": j.id,
                        "at": now,
                        "from_state": picked[j.id],
                        "to_state": "running",
                        "attempt": j.attempts,
                        "actor": owner,
                    }
                    for j in claimed
                ],
            )
        claimed.sort(key=lambda j: (j.run_after, j.id))
        return claimed

    def heartbeat(self, owner: str, *, lease_seconds: float = 60.0) -> int:
        """Extend the leases of every job ``owner`` holds; returns how many it still holds."""
        now = self.clock()
        with self.engine.begin() as conn:
            return conn.execute(
                update(jobs)
                .where(jobs.c.state == JobState.RUNNING.value, jobs.c.lease_owner == owner)
                .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
            ).rowcount

    def release(self, owner: str, job_ids: Iterable[int], *, reason: str = "released") -> int:
        """Give jobs back unrun (graceful shutdown); the attempt is not counted."""
        ids = list(job_ids)
        if not ids:
            return 0
        with self.engine.begin() as conn:
            return len(
                self._move(
                    conn,
                    [jobs.c.id.in_(ids), *self._fence(owner)],
                    JobState.RUNNING,
                    JobState.PENDING,
                    owner,
                    message=reason,
                    lease_owner=None,
                    lease_expires_at=None,
                    attempts=jobs.c.attempts - 1,
                )
            )

    def recover_expired_leases(self, *, actor: str = "lease-recovery") -> int:
        """Jobs whose worker died (lease expired) become claimable again."""
        with self.engine.begin() as conn:
            return len(
                self._move(
                    conn,
                    [
                        jobs.c.state == JobState.RUNNING.value,
                        jobs.c.lease_expires_at < self.clock(),
                    ],
                    JobState.RUNNING,
                    JobState.PENDING,
                    actor,
                    message="lease expired",
                    lease_owner=None,
                    lease_expires_at=None,
                )
            )

    # -- finish ---------------------------------------------------------------------------

    def finish(self, owner: str, outcomes: Sequence[Outcome]) -> list[int]:
        """Record outcomes of jobs ``owner`` ran; returns the ids whose outcome was applied
        (a job whose lease was lost is skipped: its new owner decides)."""
        if not outcomes:
            return []
        now = self.clock()
        applied: list[int] = []
        with self.engine.begin() as conn:
            done = [o.job_id for o in outcomes if o.state == JobState.DONE and o.payload is None]
            if done:
                applied += self._move(
                    conn,
                    [jobs.c.id.in_(done), *self._fence(owner)],
                    JobState.RUNNING,
                    JobState.DONE,
                    owner,
                    lease_owner=None,
                    lease_expires_at=None,
                    error_class=None,
                    error_message=None,
                    error_detail=None,
                    parked_on=None,
                    finished_at=now,
                )
            for outcome in outcomes:
                if outcome.state == JobState.DONE and outcome.payload is None:
                    continue
                if self._finish_one(conn, owner, outcome, now):
                    applied.append(outcome.job_id)
        return applied

    def _fence(self, owner: str) -> list[ColumnElement[bool]]:
        return [jobs.c.state == JobState.RUNNING.value, jobs.c.lease_owner == owner]

    def _finish_one(self, conn: Connection, owner: str, o: Outcome, now: datetime) -> bool:
        state = o.state
        if state == JobState.PARKED and o.parked_on and self._is_bound(conn, o.parked_on):
            state = JobState.PENDING  # the reference arrived while the job ran: no wait
        values: dict[str, Any] = {
            "state": state.value,
            "lease_owner": None,
            "lease_expires_at": None,
            "error_class": o.error_class,
            "error_message": o.error_message,
            "error_detail": o.error_detail,
            "updated_at": now,
            "parked_on": o.parked_on if state == JobState.PARKED else None,
            "finished_at": now if state in FINAL_STATES else None,
        }
        if o.run_after is not None:
            values["run_after"] = o.run_after
        elif state == JobState.PENDING:
            values["run_after"] = now
        if not o.count_attempt:
            values["attempts"] = jobs.c.attempts - 1
        if o.payload is not None:
            values["payload"] = o.payload
        row = conn.execute(
            update(jobs)
            .where(jobs.c.id == o.job_id, *self._fence(owner))
            .values(**values)
            .returning(jobs.c.attempts)
        ).first()
        if row is None:
            return False
        detail = {"parked_on": o.parked_on} if o.parked_on else None
        if o.run_after is not None:
            detail = (detail or {}) | {"run_after": o.run_after.isoformat()}
        self._history(
            conn,
            [(o.job_id, "running", state.value, int(row.attempts))],
            now,
            owner,
            error_class=o.error_class,
            message=o.error_message,
            detail=detail,
        )
        return True

    @staticmethod
    def _is_bound(conn: Connection, reference: str) -> bool:
        try:
            key = BindingKey.parse(reference)
        except errors.ValidationError:
            return False
        return (
            conn.execute(
                select(bindings.c.id).where(
                    bindings.c.system == key.system,
                    bindings.c.object_type == key.object_type,
                    bindings.c.external_id == key.external_id,
                )
            ).first()
            is not None
        )

    # -- parking --------------------------------------------------------------------------

    def wake(self, conn: Connection, reference: str) -> int:
        """Make every job parked on ``reference`` due now (called when it is bound)."""
        return len(
            self._move(
                conn,
                [jobs.c.state == JobState.PARKED.value, jobs.c.parked_on == reference],
                JobState.PARKED,
                JobState.PENDING,
                "binder",
                message=f"woken: {reference} was bound",
                run_after=self.clock(),
            )
        )

    def expire_parked(self, timeout: timedelta) -> int:
        """Parked jobs whose reference never came become exceptions (missing_reference)."""
        with self.engine.begin() as conn:
            return len(
                self._move(
                    conn,
                    [
                        jobs.c.state == JobState.PARKED.value,
                        jobs.c.updated_at <= self.clock() - timeout,
                    ],
                    JobState.PARKED,
                    JobState.EXCEPTION,
                    "park-timeout",
                    error_class_history="missing_reference",
                    message="parked too long",
                    error_class=errors.FailureClass.MISSING_REFERENCE.value,
                    error_message=func.coalesce(jobs.c.error_message, "") + " (parked too long)",
                )
            )

    # -- operator actions -----------------------------------------------------------------

    def replay(
        self,
        selection: JobFilter,
        *,
        actor: str,
        reason: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> list[int]:
        """Put exception/dead jobs back to pending (attempts reset, history kept), optionally
        with an edited payload. Only replayable states are touched, whatever the filter says."""
        now = self.clock()
        with self.engine.begin() as conn:
            targets = self._replayable(conn, selection, now)
            if payload is not None and len(targets) > 1:
                raise errors.ValidationError(
                    "an edited payload replays exactly one job", field="payload", rule="one job"
                )
            replayed: list[int] = []
            for row in targets:
                values: dict[str, Any] = {
                    "state": JobState.PENDING.value,
                    "attempts": 0,
                    "run_after": now,
                    "updated_at": now,
                    "finished_at": None,
                    "parked_on": None,
                }
                if payload is not None:
                    values["payload"] = payload
                conn.execute(
                    update(jobs)
                    .where(jobs.c.id == row.id, jobs.c.state == row.state)
                    .values(**values)
                )
                detail = {
                    "reason": reason,
                    "payload_edited": payload is not None,
                    "previous_error": row.error_message,
                }
                if payload is not None:
                    detail["previous_payload"] = row.payload
                self._history(
                    conn,
                    [(int(row.id), row.state, "pending", 0)],
                    now,
                    actor,
                    message="replayed",
                    detail=detail,
                )
                self.audit.append(
                    conn,
                    AuditEntry(
                        actor=actor,
                        action="job.replay",
                        system="lead2cash",
                        object_type="job",
                        object_id=str(row.id),
                        before={"state": row.state, "payload": row.payload},
                        after={"state": "pending", "payload": payload or row.payload},
                        correlation_id=row.correlation_id,
                    ),
                )
                replayed.append(int(row.id))
        return replayed

    def ignore(self, selection: JobFilter, *, actor: str, reason: str) -> list[int]:
        """Close exception/dead jobs with a reason (audited); they leave the queue for good."""
        if not reason.strip():
            raise errors.ValidationError(
                "ignoring a job needs a reason", field="reason", rule="required"
            )
        now = self.clock()
        with self.engine.begin() as conn:
            targets = self._replayable(conn, selection, now)
            for row in targets:
                conn.execute(
                    update(jobs)
                    .where(jobs.c.id == row.id)
                    .values(state=JobState.IGNORED.value, updated_at=now, finished_at=now)
                )
                self._history(
                    conn,
                    [(int(row.id), row.state, "ignored", int(row.attempts))],
                    now,
                    actor,
                    message=reason,
                )
                self.audit.append(
                    conn,
                    AuditEntry(
                        actor=actor,
                        action="job.ignore",
                        system="lead2cash",
                        object_type="job",
                        object_id=str(row.id),
                        before={"state": row.state},
                        after={"state": "ignored", "reason": reason},
                        correlation_id=row.correlation_id,
                    ),
                )
        return [int(r.id) for r in targets]

    @staticmethod
    def _replayable(conn: Connection, selection: JobFilter, now: datetime) -> list[Any]:
        """The exception/dead jobs a filter selects, locked for the operator's transaction."""
        stmt = (
            select(jobs)
            .where(*selection.where(now), jobs.c.state.in_([s.value for s in REPLAYABLE_STATES]))
            .order_by(jobs.c.id)
            .limit(selection.limit)
            .with_for_update()
        )
        return list(conn.execute(stmt).all())

    def purge(self, retention: timedelta) -> int:
        """Delete done and ignored jobs finished before the retention window (frees their keys)."""
        cutoff = self.clock() - retention
        with self.engine.begin() as conn:
            return conn.execute(
                delete(jobs).where(
                    jobs.c.state.in_([s.value for s in FINAL_STATES]), jobs.c.finished_at < cutoff
                )
            ).rowcount

    # -- reads ----------------------------------------------------------------------------

    def get(self, job_id: int) -> Job | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
        return None if row is None else Job.from_row(row)

    def find(self, selection: JobFilter | None = None) -> list[Job]:
        selection = selection or JobFilter()
        stmt = (
            select(jobs)
            .where(*selection.where(self.clock()))
            .order_by(jobs.c.id.desc())
            .limit(selection.limit or 100)
        )
        with self.engine.connect() as conn:
            return [Job.from_row(r) for r in conn.execute(stmt)]

    def history(self, job_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    select(job_history)
                    .where(job_history.c.job_id == job_id)
                    .order_by(job_history.c.id)
                )
            ]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                r.state: int(r.n)
                for r in conn.execute(
                    select(jobs.c.state, func.count().label("n")).group_by(jobs.c.state)
                )
            }

    def next_due(self, kinds: Sequence[str] | None = None) -> datetime | None:
        """When the earliest waiting job (of ``kinds``) becomes due (for the worker's sleep)."""
        where = [jobs.c.state.in_(CLAIMABLE_STATES)]
        if kinds is not None:
            where.append(jobs.c.kind.in_(list(kinds)))
        with self.engine.connect() as conn:
            value: datetime | None = conn.execute(
                select(func.min(jobs.c.run_after)).where(*where)
            ).scalar()
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    # -- transitions ----------------------------------------------------------------------

    def _move(
        self,
        conn: Connection,
        where: list[ColumnElement[bool]],
        from_state: JobState,
        to_state: JobState,
        actor: str,
        *,
        message: str | None = None,
        error_class_history: str | None = None,
        **values: Any,
    ) -> list[int]:
        """Move every job matching ``where`` to ``to_state`` with ``values``, with history."""
        now = self.clock()
        moved = conn.execute(
            update(jobs)
            .where(*where)
            .values(state=to_state.value, updated_at=now, **values)
            .returning(jobs.c.id, jobs.c.attempts)
        ).all()
        self._history(
            conn,
            [(int(r.id), from_state.value, to_state.value, int(r.attempts)) for r in moved],
            now,
            actor,
            message=message,
            error_class=error_class_history,
        )
        return [int(r.id) for r in moved]

    # -- history --------------------------------------------------------------------------

    @staticmethod
    def _history(
        conn: Connection,
        changes: list[tuple[int, str, str, int]],
        now: datetime,
        actor: str,
        *,
        error_class: str | None = None,
        message: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        if changes:
            conn.execute(
                insert(job_history),
                [
                    {
                        "job_id": job_id,
                        "at": now,
                        "from_state": from_state or None,
                        "to_state": to_state,
                        "attempt": attempt,
                        "actor": actor,
                        "error_class": error_class,
                        "message": message,
                        "detail": detail,
                    }
                    for job_id, from_state, to_state, attempt in changes
                ],
            )
