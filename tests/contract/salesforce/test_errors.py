"""Error mapping: Salesforce's error codes and statuses → the hub's errors (401/403 → AuthError,
404 → NotFoundError, other 4xx → RejectedError, 5xx/timeouts/network → UnavailableError,
429 → RateLimitedError(retry_after)), and which of them are retried in place."""

from __future__ import annotations

import time

import pytest

from lead2cash import errors
from lead2cash.emulators.faults import FaultRule

LIMITS = "/services/data/v62.0/limits"


def _fault(
    status: int, code: str, *, count: int = 1, retry_after: float | None = None
) -> FaultRule:
    return FaultRule(
        "status",
        count=count,
        path_prefix=LIMITS,
        status=status,
        retry_after=retry_after,
        body=f'[{{"message":"emulated {code}","errorCode":"{code}"}}]',
    )


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "INVALID_AUTH_HEADER", errors.AuthError),
        (403, "INSUFFICIENT_ACCESS_OR_READONLY", errors.AuthError),
        (403, "API_DISABLED_FOR_ORG", errors.AuthError),
        (404, "NOT_FOUND", errors.NotFoundError),
        (400, "INVALID_FIELD", errors.RejectedError),
        (400, "SOMETHING_NEW", errors.RejectedError),
        (405, "METHOD_NOT_ALLOWED", errors.RejectedError),
        (409, "CONFLICT", errors.RemoteConflictError),
        (400, "DUPLICATE_VALUE", errors.RemoteConflictError),
        (403, "REQUEST_LIMIT_EXCEEDED", errors.RateLimitedError),
    ],
)
def test_permanent_answers_are_raised_without_retry(target, status, code, expected) -> None:
    state = target.emulator()
    client = target.client()
    client.authenticate()
    state.plan.add(_fault(status, code, count=5))
    with pytest.raises(expected) as caught:
        client.limits()
    assert caught.value.details["status"] == status
    assert caught.value.details["remote_type"] == code
    assert caught.value.details["system"] == "salesforce"
    assert [c.path for c in target.calls()].count(LIMITS) == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "UNABLE_TO_LOCK_ROW"), (503, "SERVER_UNAVAILABLE"), (500, "UNKNOWN_EXCEPTION")],
)
def test_transient_answers_are_retried_then_raised(target, status, code) -> None:
    state = target.emulator()
    client = target.client(max_attempts=3)
    client.authenticate()
    state.plan.add(_fault(status, code, count=2))
    assert client.limits()["DailyApiRequests"]["Max"] > 0  # third attempt succeeds
    state.plan.add(_fault(status, code, count=3))
    with pytest.raises(errors.UnavailableError) as caught:
        client.limits()
    assert caught.value.details["remote_type"] == code
    assert [c.status for c in target.calls() if c.path == LIMITS] == [status] * 2 + [200] + [
        status
    ] * 3


def test_a_malformed_query_is_rejected_with_salesforce_s_message(target) -> None:
    target.emulator()
    with pytest.raises(errors.RejectedError) as caught:
        list(target.client().query("SELECT Id FROM Opportunity WHERE"))
    assert caught.value.details["remote_type"] == "MALFORMED_QUERY"
    assert "unexpected token" in str(caught.value)


def test_an_unknown_object_is_rejected(target) -> None:
    target.emulator()
    with pytest.raises(errors.RejectedError) as caught:
        list(target.client().query("SELECT Id FROM Opportunityy"))
    assert caught.value.details["remote_type"] == "INVALID_TYPE"


def test_a_429_beyond_the_attempts_is_rate_limited_with_retry_after(target) -> None:
    state = target.emulator()
    client = target.client(max_attempts=1)
    client.authenticate()
    state.plan.add(_fault(429, "REQUEST_LIMIT_EXCEEDED", retry_after=7))
    with pytest.raises(errors.RateLimitedError) as caught:
        client.limits()
    assert caught.value.retry_after == 7.0


def test_a_timeout_is_unavailable(target) -> None:
    state = target.emulator()
    client = target.client(timeout=0.2, max_attempts=1)
    client.authenticate()
    state.plan.add(FaultRule("latency", path_prefix=LIMITS, latency=1.0))
    with pytest.raises(errors.UnavailableError, match="timed out"):
        client.limits()
    # The emulator still answers the abandoned request once its latency is over; wait for it,
    # so that it cannot land in (and take a fault of) the next test.
    deadline = time.monotonic() + 5
    while not any(c.path == LIMITS for c in state.log.calls()):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_dropped_connection_is_retried(target) -> None:
    state = target.emulator()
    client = target.client(max_attempts=2)
    client.authenticate()
    state.plan.add(FaultRule("drop", path_prefix=LIMITS))
    assert client.limits()["DailyApiRequests"]["Max"] > 0
    state.plan.add(FaultRule("drop", count=2, path_prefix=LIMITS))
    with pytest.raises(errors.UnavailableError):
        client.limits()


def test_a_token_endpoint_outage_is_unavailable(target) -> None:
    state = target.emulator()
    state.plan.add(FaultRule("status", count=5, path_prefix="/services/oauth2/token", status=503))
    with pytest.raises(errors.UnavailableError):
        target.client(max_attempts=2).authenticate()
