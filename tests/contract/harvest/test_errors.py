"""Connector error mapping: 401/403 → AuthError, 404 → NotFoundError, other 4xx → RejectedError,
5xx and timeouts → UnavailableError, 429 beyond the patience → RateLimitedError(retry_after)."""

from __future__ import annotations

import pytest

from lead2cash import errors
from lead2cash.emulators.faults import FaultRule


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, errors.AuthError),
        (403, errors.AuthError),
        (404, errors.NotFoundError),
        (422, errors.RejectedError),
        (400, errors.RejectedError),
        (500, errors.UnavailableError),
        (503, errors.UnavailableError),
    ],
)
def test_status_mapping(target, status: int, error: type[errors.ConnectorError]) -> None:
    state = target.emulator()
    target.seed_account()
    state.plan.add(FaultRule("status", 5, "/v2/users", status=status))
    client = target.client(max_attempts=2)
    with pytest.raises(error) as caught:
        list(client.list_users())
    assert caught.value.details["status"] == status
    assert caught.value.details["system"] == "harvest"
    expected_calls = 2 if isinstance(caught.value, errors.TransientError) else 1
    assert len(target.calls("/v2/users")) == expected_calls


def test_transient_errors_are_retried_then_succeed(target) -> None:
    state = target.emulator()
    target.seed_account()
    state.plan.add(FaultRule("status", 2, "/v2/clients", status=503))
    state.plan.add(FaultRule("drop", 1, "/v2/clients"))
    assert len(list(target.client().list_clients())) == 2
    assert [c.status for c in target.calls("/v2/clients")] == [503, 503, 0, 200]


def test_retry_after_beyond_patience_raises_rate_limited(target) -> None:
    state = target.emulator()
    target.seed_account()
    state.plan.add(FaultRule("custom", 1, "/v2/", name="rate_limit", retry_after=30))
    with pytest.raises(errors.RateLimitedError) as caught:
        target.client(max_retry_after=5).me()
    assert caught.value.retry_after == 30.0
    assert len(target.calls("/v2/")) == 1


def test_timeouts_are_unavailable(target) -> None:
    state = target.emulator()
    target.seed_account()
    state.plan.add(FaultRule("latency", 1, "/v2/tasks", latency=1.0))
    with pytest.raises(errors.UnavailableError, match="timed out"):
        list(target.client(timeout=0.2, max_attempts=1).list_tasks())


def test_per_page_over_harvests_maximum_is_refused_by_harvest(target) -> None:
    target.seed_account()
    client = target.client()
    with pytest.raises(errors.RejectedError) as caught:
        client.get_json("users", {"per_page": 2001}, operation="list users")
    assert caught.value.details["status"] == 422
