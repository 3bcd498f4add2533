"""Rate limits. A 429 storm (with Retry-After, every endpoint) is waited out exactly as told and
ends with every record read once. Salesforce's own daily allocation answers 403
REQUEST_LIMIT_EXCEEDED without Retry-After: the connector raises RateLimitedError at once
(retry_after=None, no retry in place) and the job engine waits its rate-limit pause."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from lead2cash import errors
from lead2cash.connectors.salesforce import new_cursor, sync_won_deals
from lead2cash.emulators.faults import FaultRule, RecordedCall


def _gaps_after_429(calls: list[RecordedCall]) -> list[float]:
    return [b.at - a.at for a, b in pairwise(calls) if a.status == 429]


def _storm(count: int) -> FaultRule:
    return FaultRule(
        "status",
        count=count,
        path_prefix="/services/",
        status=429,
        retry_after=1,
        body='[{"message":"Too many requests","errorCode":"REQUEST_LIMIT_EXCEEDED"}]',
    )


def test_a_429_storm_ends_with_every_record_read_once(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=5))
    state.configure({"page_size": 2})
    state.log.clear()
    state.plan.add(_storm(2))  # the token endpoint and then the first query
    pages = {"n": 0}

    def storm_again(response) -> None:
        if response.status_code == 200 and "/query" in response.request.url.path:
            pages["n"] += 1
            if pages["n"] == 1:
                state.plan.add(_storm(1))

    target.after_response.append(storm_again)
    client = target.client()
    result = sync_won_deals(client, new_cursor(client), now=target.now)

    ids = [d.id for d in result.records]
    assert sorted(ids) == sorted(created["refs"][f"o{i}"] for i in range(5))
    assert len(ids) == len(set(ids))
    calls = target.calls("/services/")
    assert [c.status for c in calls].count(429) == 3
    gaps = _gaps_after_429(calls)
    assert len(gaps) == 3
    assert min(gaps) >= 1.0, [(c.at, c.method, c.path, c.status) for c in calls]


def test_a_retry_after_longer_than_allowed_is_raised(target) -> None:
    state = target.emulator()
    client = target.client(max_retry_after=0.5)
    client.authenticate()
    state.plan.add(_storm(1))
    with pytest.raises(errors.RateLimitedError) as caught:
        client.limits()
    assert caught.value.retry_after == 1.0


def test_the_daily_limit_is_raised_at_once(target) -> None:
    state = target.emulator()
    state.configure({"daily_limit": 3})
    client = target.client()
    client.limits()
    client.limits()
    client.limits()
    with pytest.raises(errors.RateLimitedError) as caught:
        client.limits()
    assert caught.value.retry_after is None
    assert caught.value.details["remote_type"] == "REQUEST_LIMIT_EXCEEDED"
    assert caught.value.details["status"] == 403
    assert not isinstance(caught.value, errors.AuthError)
    calls = [c for c in target.calls("/services/data/") if c.path.endswith("/limits")]
    assert [c.status for c in calls] == [200, 200, 200, 403]  # not retried in place
    assert client.api_usage is not None
    assert (client.api_usage.used, client.api_usage.limit) == (3, 3)

    # The allocation is a rolling 24 hours.
    state.clock.advance(timedelta(hours=24, seconds=1).total_seconds())
    assert client.limits()["DailyApiRequests"]["Remaining"] == 2


def test_the_usage_ceiling_keeps_a_share_for_other_integrations(target) -> None:
    state = target.emulator()
    state.configure({"daily_limit": 100, "api_usage": 89})
    client = target.client(max_api_usage_ratio=0.9)
    client.limits()  # 90 of 100 now
    sent = len(target.requests)
    with pytest.raises(errors.RateLimitedError) as caught:
        client.limits()
    assert caught.value.details["remote_type"] == "API_USAGE_CEILING"
    assert len(target.requests) == sent  # nothing sent
