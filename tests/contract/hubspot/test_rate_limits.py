"""HubSpot's limits: 429 storms are waited out (never sooner than Retry-After), the burst and
search limits are waited out by policy when no Retry-After comes, the client's own limiters keep
it under them, and a spent daily quota stops the client until the portal's midnight.

Waits are kept short: Retry-After of 1 s, and limits shrunk to windows of one second.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from lead2cash import errors
from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.hubspot import sync, sync_deals
from lead2cash.emulators.faults import RecordedCall
from lead2cash.emulators.hubspot.control import fault_rule
from lead2cash.emulators.hubspot.seeding import generate


def _gaps_after_429(calls: list[RecordedCall]) -> list[float]:
    """For each 429, how long until the next call reached the emulator."""
    return [b.at - a.at for a, b in pairwise(calls) if a.status == 429]


def test_a_429_storm_ends_with_every_record_read_once(target) -> None:
    state = target.emulator()
    created = target.seed_portal(deals=7)["deals"]
    target.clear_calls()
    # Two 429s before the first page, then a storm on every endpoint in the middle of the run.
    state.plan.add(fault_rule({"kind": "rate_limit", "count": 2, "retry_after": 1}))
    seen = {"pages": 0}

    def storm_again(response) -> None:
        if response.status_code == 200 and response.request.url.path.endswith("/search"):
            seen["pages"] += 1
            if seen["pages"] == 2:
                state.limits.storm(1.2, retry_after=1)

    target.after_response.append(storm_again)
    result = sync_deals(target.client(search_page_size=2), WatermarkCursor(), now=target.now)
    ids = [r.id for r in result.records]
    assert sorted(ids) == sorted(created) and len(ids) == len(set(ids))
    assert result.records[0].associations["companies"] == ("101", "102")
    calls = target.calls()
    statuses = [c.status for c in calls]
    assert statuses.count(429) >= 4
    gaps = _gaps_after_429(calls)
    assert min(gaps) >= 1.0, gaps


def test_the_burst_limit_without_retry_after_is_waited_out_by_policy(target) -> None:
    state = target.emulator()
    generate(state, "deals", 8, {"dealname": "Deal {n}"})
    state.configure({"rate_limit": {"requests": 4, "window_seconds": 1}})
    target.clear_calls()
    # No client-side limiting: the server's 429 (TEN_SECONDLY_ROLLING, no Retry-After) is
    # waited out for the window the client knows (here 1 s instead of HubSpot's 10 s).
    client = target.client(page_size=1, rate_limit_requests=1000, rate_limit_window=1.0)
    assert len(list(client.list_objects("deals"))) == 8
    calls = target.calls()
    refused = [c for c in calls if c.status == 429]
    assert refused, "the shrunken burst limit was never reached"
    assert min(_gaps_after_429(calls)) >= 1.0
    assert all(s == 1.0 for s in target.sleeps)


def test_the_client_keeps_under_the_burst_limit(target) -> None:
    state = target.emulator()
    generate(state, "deals", 8, {"dealname": "Deal {n}"})
    state.configure({"rate_limit": {"requests": 5, "window_seconds": 1}})
    target.clear_calls()
    client = target.client(page_size=1, rate_limit_requests=5, rate_limit_window=1.0)
    assert len(list(client.list_objects("deals"))) == 8
    calls = target.calls()
    assert [c.status for c in calls] == [200] * 8
    stamps = [c.at for c in calls]
    assert max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps) <= 5


def test_search_has_its_own_limit(target) -> None:
    state = target.emulator()
    generate(state, "deals", 6, {"dealname": "Deal {n}"}, step_ms=10)
    state.clock.advance(60)
    limits = {"rate_limit": {"search_per_second": 2, "requests": 1}}
    state.configure(limits)
    target.clear_calls()
    # Searching is exempt from the (here tiny) burst limit; its own limit answers SECONDLY.
    client = target.client(search_page_size=3, search_requests_per_second=100)
    result = sync(client, "deals", WatermarkCursor(), now=target.now)
    assert len(result.records) == 6
    calls = target.calls()
    assert len(calls) == 4 and [c.status for c in calls].count(429) == 1
    assert min(_gaps_after_429(calls)) >= 1.0
    state.limits.reset()  # forget the searches above
    state.configure(limits)
    target.clear_calls()
    polite = target.client(search_page_size=3, search_requests_per_second=2)
    assert len(sync(polite, "deals", WatermarkCursor(), now=target.now).records) == 6
    assert [c.status for c in target.calls()] == [200, 200, 200]


def test_search_answers_carry_no_rate_limit_headers(target) -> None:
    target.seed_portal(deals=1)
    seen: list[dict[str, str]] = []
    target.after_response.append(lambda r: seen.append(dict(r.headers)))
    client = target.client()
    client.get_object("deals", "401")
    sync(client, "deals", WatermarkCursor(), now=target.now)
    read, search = seen[0], seen[1]
    assert read["x-hubspot-ratelimit-max"] == "100"
    assert int(read["x-hubspot-ratelimit-daily-remaining"]) > 0
    assert not [h for h in search if h.startswith("x-hubspot-ratelimit")]


@pytest.mark.parametrize(("zone", "hours_left"), [("UTC", 14.983), ("America/New_York", 19.983)])
def test_a_spent_daily_quota_stops_the_client_until_midnight(target, zone, hours_left) -> None:
    state = target.emulator()
    target.seed_portal(deals=3)  # the clock is now 2026-03-02 09:01 UTC
    state.configure({"rate_limit": {"daily": 2}, "timezone": zone})
    target.clear_calls()
    client = target.client(account_timezone=zone)
    client.get_object("deals", "401")
    client.get_object("deals", "402")  # answered with X-HubSpot-RateLimit-Daily-Remaining: 0
    with pytest.raises(errors.RateLimitedError) as stopped:
        client.get_object("deals", "403")
    assert len(target.calls()) == 2, "the spent quota must stop the client"
    assert stopped.value.retry_after == pytest.approx(hours_left * 3600, abs=60)
    assert stopped.value.details["policy"] == "DAILY"
    # A client that did not see the headers meets HubSpot's own 429 DAILY: not retried.
    fresh = target.client(account_timezone=zone)
    with pytest.raises(errors.RateLimitedError) as refused:
        fresh.get_object("deals", "403")
    assert refused.value.retry_after == pytest.approx(hours_left * 3600, abs=60)
    assert refused.value.details["remote_type"] == "DAILY"
    assert [c.status for c in target.calls()] == [200, 200, 429]


def test_a_429_body_is_hubspots(target) -> None:
    state = target.emulator()
    state.configure({"rate_limit": {"requests": 1, "window_seconds": 10}})
    target.seed_portal(deals=1)
    answers = []
    target.after_response.append(answers.append)
    client = target.client(max_attempts=1, rate_limit_requests=1000)
    client.get_object("deals", "401")
    with pytest.raises(errors.RateLimitedError) as limited:
        client.get_object("deals", "401")
    body = json.loads(answers[-1].content)
    assert body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert body["errorType"] == "RATE_LIMIT"
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert limited.value.retry_after == 10.0
    assert limited.value.details["request_id"] == body["correlationId"]
    assert answers[-1].headers["x-hubspot-ratelimit-remaining"] == "0"


def test_retry_after_is_honoured_when_hubspot_sends_it(target) -> None:
    state = target.emulator()
    state.configure(
        {"rate_limit": {"requests": 2, "window_seconds": 1, "retry_after_header": True}}
    )
    generate(state, "deals", 4, {"dealname": "Deal {n}"})
    target.clear_calls()
    client = target.client(page_size=1, rate_limit_requests=1000, rate_limit_window=30.0)
    assert len(list(client.list_objects("deals"))) == 4
    assert target.sleeps and all(s == 1.0 for s in target.sleeps)  # not the 30 s policy wait
    assert datetime.now(UTC) > datetime(2026, 1, 1, tzinfo=UTC)
