"""Retry policy vs decision, and the routing of every failure class."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from lead2cash import errors
from lead2cash.engine.handlers import HandlerRegistry, JobRetry
from lead2cash.engine.outcomes import Routing, decide
from lead2cash.engine.retry import RetryPolicy
from lead2cash.store.jobs import Job, JobState

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def _job(attempts: int = 1, max_attempts: int | None = None) -> Job:
    return Job(
        id=1,
        kind="k",
        idempotency_key="key",
        state=JobState.RUNNING,
        payload={},
        attempts=attempts,
        max_attempts=max_attempts,
        run_after=NOW,
        lease_owner="w",
        lease_expires_at=NOW,
        error_class=None,
        error_message=None,
        error_detail=None,
        parked_on=None,
        correlation_id="c",
        company=None,
        config_version=None,
        created_at=NOW,
        updated_at=NOW,
        finished_at=None,
    )


def test_full_jitter_stays_under_the_exponential_ceiling_and_cap() -> None:
    policy = RetryPolicy(max_attempts=20, base=1.0, factor=2.0, cap=30.0, rng=random.Random(7))
    for attempt in range(1, 15):
        ceiling = min(30.0, 2.0 ** (attempt - 1))
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling * 0.8  # jitter spreads over the whole range


def test_decision_stops_at_max_attempts_and_honours_retry_after() -> None:
    policy = RetryPolicy(max_attempts=3, base=1.0, rng=random.Random(1))
    assert policy.decide(3).retry is False
    decision = policy.decide(1, retry_after=120)
    assert decision.retry
    assert decision.delay == 120


@pytest.mark.parametrize(
    ("exc", "state", "counted"),
    [
        (errors.UnavailableError("503"), JobState.RETRY_WAIT, True),
        (errors.RateLimitedError("429", retry_after=30), JobState.RETRY_WAIT, False),
        (errors.MissingReferenceError(reference="harvest:project:1"), JobState.PARKED, False),
        (errors.MissingReferenceError("no ref"), JobState.EXCEPTION, True),
        (errors.ValidationError("bad", field="currency", rule="iso"), JobState.EXCEPTION, True),
        (errors.ConflictError("both changed"), JobState.EXCEPTION, True),
        (errors.LockedError("invoiced"), JobState.EXCEPTION, True),
        (errors.AuthError("401", system="odoo"), JobState.RETRY_WAIT, False),
        (errors.ConfigError("module missing"), JobState.RETRY_WAIT, False),
        (errors.NotFoundError("gone", reference="odoo:res.partner:4"), JobState.PARKED, False),
        (errors.RejectedError("422"), JobState.EXCEPTION, True),
        (KeyError("bug"), JobState.EXCEPTION, True),
    ],
)
def test_each_failure_class_takes_its_route(
    exc: BaseException, state: JobState, counted: bool
) -> None:
    outcome = decide(_job(), exc, Routing(RetryPolicy(max_attempts=5)), NOW)
    assert outcome.state is state
    assert outcome.count_attempt is counted
    assert outcome.error_class == errors.classify(exc).value


def test_transient_after_the_last_attempt_is_dead() -> None:
    outcome = decide(
        _job(attempts=5), errors.UnavailableError("503"), Routing(RetryPolicy(max_attempts=5)), NOW
    )
    assert outcome.state is JobState.DEAD


def test_job_max_attempts_overrides_policy() -> None:
    outcome = decide(
        _job(attempts=2, max_attempts=2),
        errors.UnavailableError("503"),
        Routing(RetryPolicy(max_attempts=10)),
        NOW,
    )
    assert outcome.state is JobState.DEAD


def test_rate_limit_waits_exactly_as_told() -> None:
    outcome = decide(_job(), errors.RateLimitedError(retry_after=7.5), Routing(RetryPolicy()), NOW)
    assert outcome.run_after == NOW + timedelta(seconds=7.5)


def test_job_retry_signal_is_not_a_failure() -> None:
    outcome = decide(_job(), JobRetry(3, payload={"page": 2}), Routing(RetryPolicy()), NOW)
    assert outcome.state is JobState.RETRY_WAIT
    assert not outcome.count_attempt
    assert outcome.payload == {"page": 2}
    assert outcome.error_class is None


def test_registering_a_kind_twice_is_a_config_error() -> None:
    registry = HandlerRegistry()
    registry.register("a.b", lambda ctx: None)
    with pytest.raises(errors.ConfigError):
        registry.register("a.b", lambda ctx: None)
    assert registry.kinds() == ["a.b"]
