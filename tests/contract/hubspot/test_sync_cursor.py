"""Incremental reads: each record version is read once over consecutive runs, records modified
exactly at the cursor boundary or during a running sync included; ties bigger than a page;
contacts' own modified property; archived records; both path families."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.hubspot import sync, sync_archived, sync_contacts, sync_deals
from lead2cash.emulators.hubspot.seeding import edit, generate


def _versions(result) -> list[tuple[str, str]]:
    return [(r.id, r.modified.isoformat()) for r in result.records]


@pytest.mark.parametrize("family", ["v3", "2026-03"])
def test_a_record_modified_exactly_at_the_watermark_is_read_once(target, family) -> None:
    state = target.emulator()
    created = target.seed_portal(deals=3)
    client = target.client(api_family=family)
    first = sync_deals(client, WatermarkCursor(), now=target.now)
    assert sorted(r.id for r in first.records) == sorted(created["deals"])
    watermark = first.cursor.watermark
    assert watermark is not None
    # A deal whose change carries exactly the watermark's instant, visible only now (search
    # indexes late), and one a little older than the watermark but inside the overlap.
    boundary = generate(state, "deals", 1, {"dealname": "At the boundary"}, start_ms=None)[0]
    edit(state, "deals", boundary, {"dealname": "At the boundary"}, updated_at=watermark)
    late = generate(state, "deals", 1, {"dealname": "Late"})[0]
    edit(state, "deals", late, {}, updated_at=watermark - timedelta(seconds=30))
    state.clock.advance(60)
    second = sync_deals(client, first.cursor, now=target.now)
    assert sorted(r.id for r in second.records) == sorted([boundary, late])
    third = sync_deals(client, second.cursor, now=target.now)
    assert third.records == []


def test_records_modified_during_a_run_come_once_in_the_next_run(target) -> None:
    state = target.emulator()
    state.clock.set(target.now().replace(year=2026, month=3, day=2, hour=9, minute=0))
    ids = generate(state, "deals", 5, {"dealname": "Deal {n}"}, step_ms=1000)
    state.clock.advance(60)
    pages = {"n": 0}

    def change_between_pages(response) -> None:
        if response.request.url.path.endswith("/search") and response.status_code == 200:
            pages["n"] += 1
            if pages["n"] == 1:
                state.clock.advance(5)
                edit(state, "deals", ids[0], {"dealname": "Deal 1 (already read)"})
                edit(state, "deals", ids[4], {"dealname": "Deal 5 (not read yet)"})

    target.after_response.append(change_between_pages)
    client = target.client(search_page_size=2)
    first = sync(client, "deals", WatermarkCursor(), now=target.now)
    target.after_response.clear()
    assert [r.id for r in first.records] == ids[:4]
    assert first.records[0].record.properties["dealname"] == "Deal 1"
    assert first.cursor.watermark is not None
    assert first.cursor.watermark <= target.now()
    state.clock.advance(60)
    second = sync(client, "deals", first.cursor, now=target.now)
    assert sorted(r.id for r in second.records) == sorted([ids[0], ids[4]])
    names = {r.record.properties["dealname"] for r in second.records}
    assert names == {"Deal 1 (already read)", "Deal 5 (not read yet)"}
    third = sync(client, "deals", second.cursor, now=target.now)
    assert third.records == []
    every = _versions(first) + _versions(second)
    assert len(every) == len(set(every)) == 6


def test_more_records_at_one_instant_than_a_page_holds(target) -> None:
    state = target.emulator()
    ids = generate(state, "deals", 7, {"dealname": "Bulk {n}"}, step_ms=0)
    later = generate(state, "deals", 2, {"dealname": "Later {n}"}, step_ms=5)
    state.clock.advance(60)
    result = sync(target.client(search_page_size=3), "deals", WatermarkCursor(), now=target.now)
    assert sorted(r.id for r in result.records) == sorted(ids + later)
    assert len(result.records) == len({r.id for r in result.records})
    assert result.tie_scans == 1


def test_contacts_are_read_by_lastmodifieddate_with_their_companies(target) -> None:
    target.seed_portal(deals=0)
    result = sync_contacts(target.client(), WatermarkCursor(), now=target.now)
    by_id = {r.id: r for r in result.records}
    assert set(by_id) == {"201", "202"}
    assert by_id["201"].associations["companies"] == ("101",)
    assert by_id["201"].record.properties["lastmodifieddate"] is not None


def test_deals_come_with_companies_contacts_and_line_items(target) -> None:
    target.seed_portal(deals=2)
    result = sync_deals(target.client(batch_size=1), WatermarkCursor(), now=target.now)
    first = next(r for r in result.records if r.id == "401")
    assert first.associations == {
        "companies": ("101", "102"),
        "contacts": ("201", "202"),
        "line_items": ("301", "302"),
    }
    other = next(r for r in result.records if r.id == "402")
    assert other.associations == {"companies": (), "contacts": (), "line_items": ()}
    assert first.record.decimal("amount") is not None


def test_archived_records_are_read_once(target) -> None:
    state = target.emulator()
    created = target.seed_portal(deals=4)
    client = target.client(page_size=1)
    cursor = sync_archived(client, "deals", WatermarkCursor(), now=target.now).cursor
    for deal_id in created["deals"][1:3]:
        state.archive(state.get("deals", deal_id))
    state.clock.advance(60)
    first = sync_archived(client, "deals", cursor, now=target.now)
    assert sorted(r.id for r in first.records) == sorted(created["deals"][1:3])
    assert all(r.record.archived for r in first.records)
    second = sync_archived(client, "deals", first.cursor, now=target.now)
    assert second.records == []
    live = sync_deals(client, WatermarkCursor(), now=target.now)
    assert sorted(r.id for r in live.records) == sorted([created["deals"][0], created["deals"][3]])
