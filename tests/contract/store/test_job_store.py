"""The store/queue contract: the same tests on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from lead2cash import errors
from lead2cash.engine.handlers import HandlerRegistry, JobContext
from lead2cash.engine.outcomes import Routing, decide
from lead2cash.engine.retry import RetryPolicy
from lead2cash.engine.worker import Worker
from lead2cash.settings import WorkerSettings
from lead2cash.store.bindings import BindingKey
from lead2cash.store.facade import Store
from lead2cash.store.jobs import Job, JobFilter, JobState, NewJob, Outcome


def _job(key: str, kind: str = "test.kind", **payload: object) -> NewJob:
    return NewJob(kind=kind, key=key, payload=dict(payload) or {"n": key})


def test_enqueue_creates_pending_job_with_history(store: Store) -> None:
    [result] = store.jobs.enqueue([_job("a")])
    assert result.created
    job = store.jobs.get(result.job_id)
    assert job is not None
    assert job.state is JobState.PENDING
    assert job.payload == {"n": "a"}
    assert job.correlation_id
    assert job.created_at.tzinfo is UTC
    assert [h["to_state"] for h in store.jobs.history(job.id)] == ["pending"]


@pytest.mark.parametrize("final_state", ["pending", "running", "exception", "done"])
def test_same_key_gives_one_job_whatever_its_state(store: Store, final_state: str) -> None:
    first = store.jobs.enqueue_one(_job("dup"))
    if final_state != "pending":
        [claimed] = store.jobs.claim("w1", limit=1)
        if final_state == "exception":
            store.jobs.finish(
                "w1",
                [
                    Outcome(
                        claimed.id,
                        JobState.EXCEPTION,
                        error_class="validation",
                        error_message="bad",
                    )
                ],
            )
        elif final_state == "done":
            store.jobs.finish("w1", [Outcome(claimed.id, JobState.DONE)])
    second = store.jobs.enqueue_one(_job("dup", n="other"))
    assert second == type(second)(first.job_id, created=False)
    job = store.jobs.get(first.job_id)
    assert job is not None and job.state.value == final_state
    assert job.payload == {"n": "dup"}
    assert store.jobs.counts() == {final_state: 1}


def test_duplicates_inside_one_batch(store: Store) -> None:
    results = store.jobs.enqueue([_job("x"), _job("y"), _job("x")])
    assert [r.created for r in results] == [True, True, False]
    assert results[0].job_id == results[2].job_id
    assert sum(store.jobs.counts().values()) == 2


def test_claim_leases_and_no_double_claim(store: Store) -> None:
    store.jobs.enqueue([_job(f"k{i}") for i in range(5)])
    first = store.jobs.claim("w1", limit=3, lease_seconds=30)
    second = store.jobs.claim("w2", limit=10, lease_seconds=30)
    assert len(first) == 3 and len(second) == 2
    assert not {j.id for j in first} & {j.id for j in second}
    assert all(j.state is JobState.RUNNING and j.attempts == 1 for j in first + second)
    assert all(j.lease_owner == "w1" for j in first)
    assert store.jobs.claim("w3", limit=10) == []


def test_claim_respects_run_after_and_kinds(store: Store) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    store.jobs.enqueue([NewJob("a.kind", "later", {}, run_after=later), _job("now", "b.kind")])
    assert store.jobs.claim("w", limit=10, kinds=["a.kind"]) == []
    [job] = store.jobs.claim("w", limit=10)
    assert job.idempotency_key == "now"


def test_expired_lease_is_recovered_and_old_owner_is_fenced(store: Store) -> None:
    store.jobs.enqueue_one(_job("lease"))
    [job] = store.jobs.claim("dead-worker", limit=1, lease_seconds=0.001)
    import time

    time.sleep(0.01)
    assert store.jobs.recover_expired_leases() == 1
    [again] = store.jobs.claim("w2", limit=1, lease_seconds=30)
    assert again.id == job.id and again.attempts == 2
    # the first worker wakes up and reports: its outcome must not count
    assert store.jobs.finish("dead-worker", [Outcome(job.id, JobState.DONE)]) == []
    assert store.jobs.finish("w2", [Outcome(job.id, JobState.DONE)]) == [job.id]
    done = store.jobs.get(job.id)
    assert done is not None and done.state is JobState.DONE and done.finished_at is not None


def test_heartbeat_extends_only_own_leases(store: Store) -> None:
    store.jobs.enqueue([_job("h1"), _job("h2")])
    store.jobs.claim("w1", limit=1, lease_seconds=1)
    store.jobs.claim("w2", limit=1, lease_seconds=1)
    assert store.jobs.heartbeat("w1", lease_seconds=300) == 1
    mine = [j for j in store.jobs.find(JobFilter(states=["running"])) if j.lease_owner == "w1"]
    assert mine[0].lease_expires_at is not None
    assert mine[0].lease_expires_at > datetime.now(UTC) + timedelta(seconds=200)


def test_release_gives_the_attempt_back(store: Store) -> None:
    store.jobs.enqueue_one(_job("r"))
    [job] = store.jobs.claim("w", limit=1)
    assert store.jobs.release("w", [job.id]) == 1
    back = store.jobs.get(job.id)
    assert back is not None and back.state is JobState.PENDING and back.attempts == 0


def _run_failing(store: Store, exc: BaseException, policy: RetryPolicy | None = None) -> int:
    store.jobs.enqueue_one(_job("f"))
    [job] = store.jobs.claim("w", limit=1)
    outcome = decide(
        job, exc, Routing(policy or RetryPolicy(max_attempts=3, base=0.01)), datetime.now(UTC)
    )
    assert store.jobs.finish("w", [outcome]) == [job.id]
    return job.id


def _claim_within(store: Store, *, seconds: float) -> Job:
    """The next job once its retry delay has passed (a failure, not a hang, if it never
    comes)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        claimed = store.jobs.claim("w", limit=1)
        if claimed:
            return claimed[0]
        time.sleep(0.005)
    raise AssertionError(f"no job became claimable within {seconds}s")


def test_transient_failure_waits_then_dies_after_max_attempts(store: Store) -> None:
    job_id = _run_failing(store, errors.UnavailableError("503", system="odoo"))
    job = store.jobs.get(job_id)
    assert job is not None and job.state is JobState.RETRY_WAIT
    assert job.error_class == "transient" and job.attempts == 1
    for _ in range(2):
        job = _claim_within(store, seconds=10)
        outcome = decide(
            job,
            errors.UnavailableError("503"),
            Routing(RetryPolicy(max_attempts=3, base=0.001)),
            datetime.now(UTC),
        )
        store.jobs.finish("w", [outcome])
    final = store.jobs.get(job_id)
    assert final is not None and final.state is JobState.DEAD and final.attempts == 3


def test_rate_limited_waits_retry_after_and_does_not_count(store: Store) -> None:
    before = datetime.now(UTC)
    job_id = _run_failing(store, errors.RateLimitedError("429", retry_after=42))
    job = store.jobs.get(job_id)
    assert job is not None and job.state is JobState.RETRY_WAIT
    assert job.attempts == 0
    assert job.run_after >= before + timedelta(seconds=42)


def test_validation_goes_to_exception_then_replay_with_edited_payload(store: Store) -> None:
    job_id = _run_failing(
        store, errors.ValidationError("currency XXX unknown", field="currency", rule="iso4217")
    )
    job = store.jobs.get(job_id)
    assert job is not None and job.state is JobState.EXCEPTION
    assert job.error_class == "validation" and "XXX" in (job.error_message or "")
    assert store.jobs.replay(
        JobFilter(ids=[job_id]), actor="ann", reason="fixed", payload={"n": "fixed"}
    ) == [job_id]
    replayed = store.jobs.get(job_id)
    assert replayed is not None and replayed.state is JobState.PENDING
    assert replayed.payload == {"n": "fixed"} and replayed.attempts == 0
    history = store.jobs.history(job_id)
    assert [h["to_state"] for h in history] == ["pending", "running", "exception", "pending"]
    assert history[-1]["actor"] == "ann"
    assert history[-1]["detail"]["previous_payload"] == {"n": "f"}
    [entry] = store.audit.entries(object_type="job", object_id=str(job_id))
    assert entry["action"] == "job.replay" and entry["actor"] == "ann"


def test_replay_by_filter_touches_only_replayable_states(store: Store) -> None:
    store.jobs.enqueue([_job("e1", "k.a"), _job("e2", "k.a"), _job("p", "k.a")])
    claimed = store.jobs.claim("w", limit=2)
    store.jobs.finish(
        "w", [Outcome(j.id, JobState.EXCEPTION, error_class="validation") for j in claimed]
    )
    replayed = store.jobs.replay(JobFilter(kinds=["k.a"]), actor="ops")
    assert sorted(replayed) == sorted(j.id for j in claimed)
    assert store.jobs.counts() == {"pending": 3}


def test_ignore_needs_a_reason_and_is_audited(store: Store) -> None:
    job_id = _run_failing(store, errors.LockedError("already invoiced"))
    with pytest.raises(errors.ValidationError):
        store.jobs.ignore(JobFilter(ids=[job_id]), actor="ann", reason=" ")
    assert store.jobs.ignore(JobFilter(ids=[job_id]), actor="ann", reason="credited by hand") == [
        job_id
    ]
    job = store.jobs.get(job_id)
    assert job is not None and job.state is JobState.IGNORED
    assert store.audit.entries(object_id=str(job_id))[0]["after"]["reason"] == "credited by hand"
    assert store.audit.verify().ok


def test_parked_job_is_woken_when_reference_is_bound(store: Store) -> None:
    job_id = _run_failing(
        store, errors.MissingReferenceError("project not synced", reference="harvest:project:77")
    )
    job = store.jobs.get(job_id)
    assert job is not None and job.state is JobState.PARKED
    assert job.parked_on == "harvest:project:77" and job.attempts == 0
    assert store.jobs.claim("w", limit=1) == []
    woken = store.bindings.bind(
        BindingKey("harvest", "project", "77"), odoo_model="project.project", odoo_id=5
    )
    assert woken == 1
    [again] = store.jobs.claim("w", limit=1)
    assert again.id == job_id


def test_park_on_an_already_bound_reference_does_not_wait(store: Store) -> None:
    store.bindings.bind(
        BindingKey("harvest", "project", "9"), odoo_model="project.project", odoo_id=1
    )
    job_id = _run_failing(store, errors.MissingReferenceError(reference="harvest:project:9"))
    job = store.jobs.get(job_id)
    assert job is not None and job.state is JobState.PENDING


def test_parked_too_long_becomes_exception(store: Store) -> None:
    job_id = _run_failing(store, errors.MissingReferenceError(reference="crm:deal:1"))
    assert store.jobs.expire_parked(timedelta(seconds=-1)) == 1
    job = store.jobs.get(job_id)
    assert job is not None and job.state is JobState.EXCEPTION
    assert job.error_class == "missing_reference"


def test_auth_failure_waits_and_opens_circuit(store: Store) -> None:
    registry = HandlerRegistry()

    def refuse(ctx: JobContext) -> None:
        raise errors.AuthError("401 from Odoo", system="odoo", status=401)

    registry.register("test.kind", refuse)
    store.jobs.enqueue_one(_job("auth"))
    worker = Worker(store, registry, settings=WorkerSettings(auth_pause_seconds=120))
    worker.run_until_idle()
    [job] = store.jobs.find()
    assert job.state is JobState.RETRY_WAIT and job.attempts == 0
    assert job.error_class == "auth"
    assert store.circuits.open_systems() == {"odoo"}


def test_worker_runs_handlers_and_records_outcomes(store: Store) -> None:
    registry = HandlerRegistry()
    seen: list[str] = []
    registry.register("test.kind", lambda ctx: seen.append(ctx.job.idempotency_key))
    store.jobs.enqueue([_job(f"w{i}") for i in range(120)])
    stats = Worker(store, registry, settings=WorkerSettings(batch_size=50)).run_until_idle()
    assert stats.runs == 120 and len(seen) == 120
    assert store.jobs.counts() == {"done": 120}


def test_unknown_exception_is_internal_and_goes_to_exception(store: Store) -> None:
    registry = HandlerRegistry()
    registry.register("test.kind", lambda ctx: {}["missing"])
    store.jobs.enqueue_one(_job("bug"))
    Worker(store, registry).run_until_idle()
    [job] = store.jobs.find()
    assert job.state is JobState.EXCEPTION and job.error_class == "internal"
    assert job.error_detail is not None and "KeyError" in job.error_detail["traceback"]


def test_purge_frees_keys_after_retention(store: Store) -> None:
    store.jobs.enqueue_one(_job("old"))
    [job] = store.jobs.claim("w", limit=1)
    store.jobs.finish("w", [Outcome(job.id, JobState.DONE)])
    assert store.jobs.purge(timedelta(days=1)) == 0
    assert store.jobs.purge(timedelta(seconds=-1)) == 1
    assert store.jobs.enqueue_one(_job("old")).created


def test_inbox_dedups_and_enqueues_atomically(store: Store) -> None:
    first = store.inbox.receive("hubspot", "evt-1", {"a": 1}, job_kind="hubspot.event")
    again = store.inbox.receive("hubspot", "evt-1", {"a": 1}, job_kind="hubspot.event")
    assert not first.duplicate and again.duplicate
    assert again.inbox_id == first.inbox_id and again.job_id == first.job_id
    assert store.inbox.count("hubspot") == 1
    job = store.jobs.get(first.job_id or 0)
    assert job is not None and job.correlation_id == first.correlation_id


def test_cursors_roundtrip(store: Store) -> None:
    assert store.cursors.get("harvest.time_entries") is None
    store.cursors.put("harvest.time_entries", {"watermark": "2026-01-01T00:00:00+00:00"})
    store.cursors.put("harvest.time_entries", {"watermark": "2026-02-01T00:00:00+00:00"})
    assert store.cursors.get("harvest.time_entries") == {"watermark": "2026-02-01T00:00:00+00:00"}


def test_bindings_upsert_keeps_one_row(store: Store) -> None:
    key = BindingKey("salesforce", "account", "001A")
    store.bindings.bind(key, odoo_model="res.partner", odoo_id=3, last_hash="h1")
    store.bindings.bind(key, last_hash="h2")
    found = store.bindings.get(key)
    assert found is not None and found.odoo_id == 3 and found.last_hash == "h2"
    assert store.bindings.get_many([key, BindingKey("x", "y", "z")]) == {key: found}


def test_trace_by_correlation_id_and_by_binding_key(store: Store) -> None:
    from lead2cash.store.audit import AuditEntry
    from lead2cash.store.trace import trace

    received = store.inbox.receive(
        "hubspot",
        "evt-9",
        {"objectId": 55},
        job_kind="hubspot.deal.import",
        job_key="hubspot:deal:55:v1",
    )
    [job] = store.jobs.claim("w", limit=1)
    store.jobs.finish("w", [Outcome(job.id, JobState.DONE)])
    store.audit.record(
        AuditEntry(
            actor="w",
            action="odoo.write",
            system="hubspot",
            object_type="deal",
            object_id="55",
            correlation_id=received.correlation_id,
        )
    )
    store.bindings.bind(BindingKey("hubspot", "deal", "55"), odoo_model="sale.order", odoo_id=3)
    by_id = trace(store, received.correlation_id)
    assert [e["what"] for e in by_id.timeline()] == ["received", "job", "job", "job", "audit"]
    by_key = trace(store, "hubspot:deal:55")
    assert by_key.correlation_ids == [received.correlation_id]
    assert by_key.binding is not None
    assert by_key.binding["odoo_id"] == 3
