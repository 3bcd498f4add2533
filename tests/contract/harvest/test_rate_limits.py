"""Harvest's 100 requests / 15 s: 429 storms are waited out exactly as Retry-After says, and the
client's token bucket keeps the hub under the limit in the first place.

Waits are kept short: Retry-After of 1 s, and a shrunken limit where the limit itself is tested.
"""

from __future__ import annotations

from itertools import pairwise

from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.harvest import sync_time_entries
from lead2cash.emulators.faults import FaultRule, RecordedCall


def _gaps_after_429(calls: list[RecordedCall]) -> list[float]:
    """For each 429, how long until the next call reached the emulator."""
    return [b.at - a.at for a, b in pairwise(calls) if a.status == 429]


def test_a_429_storm_ends_with_every_record_read_once(target) -> None:
    state = target.emulator()
    created = target.seed_account(entries=7)["time_entries"]
    state.log.clear()
    # Two 429s before the first page, then one more storm in the middle of the listing.
    state.plan.add(FaultRule("custom", 2, "/v2/", name="rate_limit", retry_after=1))
    pages = {"n": 0}

    def storm_again(response) -> None:
        if response.status_code == 200 and response.request.url.path == "/v2/time_entries":
            pages["n"] += 1
            if pages["n"] == 2:
                state.plan.add(FaultRule("custom", 1, "/v2/", name="rate_limit", retry_after=1))

    target.after_response.append(storm_again)
    result = sync_time_entries(target.client(page_size=2), WatermarkCursor(), now=target.now)

    ids = [r.id for r in result.records]
    assert sorted(ids) == sorted(created) and len(ids) == len(set(ids))
    calls = target.calls("/v2/")
    assert [c.status for c in calls].count(429) == 3
    assert target.checker.rate_limited == 3
    gaps = _gaps_after_429(calls)
    assert len(gaps) == 3 and min(gaps) >= 1.0, gaps


def test_a_timed_storm_on_every_endpoint(target) -> None:
    state = target.emulator()
    target.seed_account(entries=2)
    state.log.clear()
    state.storm(1.5, retry_after=1)
    client = target.client()
    assert len(list(client.list_users())) == 2
    assert len(list(client.list_projects())) == 2
    calls = target.calls("/v2/")
    statuses = [c.status for c in calls]
    assert statuses.count(429) >= 1 and statuses[-2:] == [200, 200]
    assert min(_gaps_after_429(calls)) >= 1.0


def test_the_token_bucket_keeps_the_client_under_the_limit(target) -> None:
    state = target.emulator()
    target.seed_account(entries=16)
    # The same shape as Harvest's limit, shrunk: 10 requests per second (the client budgets 9).
    state.configure({"rate_limit": {"requests": 10, "period_seconds": 1}})
    state.log.clear()
    client = target.client(
        page_size=1, rate_limit_requests=10, rate_limit_period=1.0, rate_limit_burst=2
    )
    assert len(list(client.list_time_entries())) == 16
    calls = target.calls("/v2/")
    assert len(calls) == 16
    assert all(c.status == 200 for c in calls)
    # No window of one second holds more than 10 requests.
    stamps = [c.at for c in calls]
    assert max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps) <= 10


def test_without_the_bucket_the_limit_answers_429_and_is_waited_out(target) -> None:
    state = target.emulator()
    target.seed_account(entries=14)
    state.configure({"rate_limit": {"requests": 10, "period_seconds": 1}})
    state.log.clear()
    client = target.client(
        page_size=1, rate_limit_requests=1000, rate_limit_burst=999, rate_limit_margin=0
    )
    assert len(list(client.list_time_entries())) == 14
    calls = target.calls("/v2/")
    assert [c.status for c in calls].count(429) >= 1
    assert min(_gaps_after_429(calls)) >= 1.0
