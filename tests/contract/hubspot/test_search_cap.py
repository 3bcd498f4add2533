"""The 10,000-result cap of search: the emulator answers 400 past it, as HubSpot does, and the
connector's sync reads windows holding more than that without ever paging past it (the window
is split after every page). Once at HubSpot's real cap, once at a shrunken one."""

from __future__ import annotations

import pytest

from lead2cash import errors
from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.hubspot import sync, wire
from lead2cash.emulators.hubspot.seeding import generate


def _naive_pages(client, *, limit: int) -> int:
    """Page one search with ``after`` until HubSpot refuses; returns the records read."""
    request = wire.SearchRequest(
        sorts=[wire.Sort(property_name="hs_lastmodifieddate")], properties=["dealname"], limit=limit
    )
    read = 0
    while True:
        page = client.search("deals", request)
        read += len(page.results)
        if page.next_after is None:
            return read
        request = request.model_copy(update={"after": page.next_after})


def _sync_past_the_cap(target, count: int, page_size: int, cap: int) -> None:
    state = target.emulator()
    ids = generate(state, "deals", count, {"dealname": "Deal {n}"}, step_ms=1)
    state.clock.advance(60)
    client = target.client(search_page_size=page_size)
    with pytest.raises(errors.RejectedError) as refused:
        _naive_pages(client, limit=page_size)
    assert refused.value.details["status"] == 400
    assert refused.value.details["remote_type"] == "VALIDATION_ERROR"
    target.clear_calls()
    result = sync(client, "deals", WatermarkCursor(), now=target.now)
    assert len(result.records) == count
    assert {r.id for r in result.records} == set(ids)
    assert result.largest_total == count > cap
    calls = target.calls()
    assert calls and all(c.status == 200 for c in calls)
    assert len(calls) == result.queries


def test_the_real_cap_of_10000(target) -> None:
    _sync_past_the_cap(target, 10_500, 200, 10_000)


def test_a_shrunken_cap(target) -> None:
    target.emulator().configure({"search": {"result_cap": 50}})
    _sync_past_the_cap(target, 130, 20, 50)


def test_the_page_that_reaches_the_cap_is_cut_there(target) -> None:
    state = target.emulator()
    state.configure({"search": {"result_cap": 50}})
    generate(state, "deals", 60, {"dealname": "Deal {n}"})
    client = target.client()
    page = client.search("deals", wire.SearchRequest(limit=30, after="40"))
    assert len(page.results) == 10 and page.total == 60 and page.next_after == "50"
    with pytest.raises(errors.RejectedError):
        client.search("deals", wire.SearchRequest(limit=30, after="50"))
