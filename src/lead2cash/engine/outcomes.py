"""From a handler's exception to the job's next state: the one place failures are routed.

| failure class      | route                                                              |
|--------------------|--------------------------------------------------------------------|
| transient          | retry_wait with backoff and jitter (Retry-After honoured), then dead |
| rate_limited       | retry_wait for as long as told; the attempt is not counted         |
| missing_reference  | parked on the reference; woken when it is bound                    |
| validation         | exception: a person fixes payload or mapping, then replays         |
| conflict, locked   | exception                                                          |
| auth, config       | circuit opened for the system; the job waits, attempt not counted  |
| internal (a bug)   | exception                                                          |
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lead2cash import errors
from lead2cash.engine.handlers import JobRetry
from lead2cash.engine.retry import RetryPolicy
from lead2cash.errors import FailureClass
from lead2cash.store.jobs import Job, JobState, Outcome


@dataclass(frozen=True)
class Routing:
    """The knobs the routes need."""

    policy: RetryPolicy
    auth_pause: timedelta = timedelta(minutes=5)
    rate_limit_default: timedelta = timedelta(seconds=30)


def _detail(exc: BaseException) -> dict[str, Any]:
    detail: dict[str, Any] = (
        exc.attrs() if isinstance(exc, errors.Lead2CashError) else {"error": type(exc).__name__}
    )
    if not isinstance(exc, errors.Lead2CashError):
        detail["traceback"] = "".join(traceback.format_exception(exc)[-6:])[-4000:]
    return detail


def decide(job: Job, exc: BaseException, routing: Routing, now: datetime) -> Outcome:
    """The outcome of ``job`` whose handler raised ``exc`` on attempt ``job.attempts``."""
    if isinstance(exc, JobRetry):
        return Outcome(
            job.id,
            JobState.RETRY_WAIT,
            run_after=now + timedelta(seconds=exc.delay),
            count_attempt=False,
            payload=exc.payload,
        )
    failure = errors.classify(exc)
    message = str(exc) or type(exc).__name__
    base: dict[str, Any] = {
        "error_class": failure.value,
        "error_message": message[:4000],
        "error_detail": _detail(exc),
    }
    policy = routing.policy
    if job.max_attempts is not None:
        policy = RetryPolicy(job.max_attempts, policy.base, policy.factor, policy.cap, policy.rng)

    if failure is FailureClass.RATE_LIMITED:
        retry_after = exc.retry_after if isinstance(exc, errors.RateLimitedError) else None
        wait = (
            timedelta(seconds=retry_after)
            if retry_after is not None
            else routing.rate_limit_default
        )
        return Outcome(
            job.id, JobState.RETRY_WAIT, run_after=now + wait, count_attempt=False, **base
        )
    if failure is FailureClass.TRANSIENT:
        retry_after = (
            exc.details.get("retry_after") if isinstance(exc, errors.Lead2CashError) else None
        )
        decision = policy.decide(job.attempts, retry_after=retry_after)
        if not decision.retry:
            return Outcome(job.id, JobState.DEAD, **base)
        return Outcome(
            job.id, JobState.RETRY_WAIT, run_after=now + timedelta(seconds=decision.delay), **base
        )
    if failure is FailureClass.MISSING_REFERENCE:
        reference = exc.reference if isinstance(exc, errors.MissingReferenceError) else None
        if reference:
            return Outcome(
                job.id, JobState.PARKED, parked_on=reference, count_attempt=False, **base
            )
        return Outcome(job.id, JobState.EXCEPTION, **base)
    if failure in (FailureClass.AUTH, FailureClass.CONFIG):
        return Outcome(
            job.id,
            JobState.RETRY_WAIT,
            run_after=now + routing.auth_pause,
            count_attempt=False,
            **base,
        )
    return Outcome(job.id, JobState.EXCEPTION, **base)
