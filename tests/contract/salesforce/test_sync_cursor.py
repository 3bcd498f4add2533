"""Incremental reads by SystemModstamp with a WatermarkCursor: nothing lost at the cursor
boundary, records modified during a running sync picked up next run, each version once; and
deletions from ``sobjects/<T>/deleted`` with their window limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lead2cash import errors
from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.salesforce import new_cursor, sync_deleted, sync_records, sync_won_deals

T0_PLUS = timedelta(seconds=60)


def _new_won(state, name: str, account_id: str) -> str:
    row = state.data.create(
        "Opportunity",
        {
            "Name": name,
            "AccountId": account_id,
            "StageName": "Closed Won",
            "CloseDate": "2026-03-02",
        },
    )
    return str(row["Id"])


def test_records_modified_at_the_boundary_are_read_once(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=3))
    t0 = state.clock.now() - T0_PLUS
    client = target.client()
    first = sync_won_deals(client, new_cursor(client), now=target.now)
    assert len(first.records) == 3
    assert first.cursor.watermark == t0

    # After the run, more changes land in the very second of the watermark.
    state.clock.set(t0)
    late = _new_won(state, "Late deal", created["refs"]["acme"])
    state.data.update("Opportunity", created["refs"]["o1"], {"StageName": "Prospecting"})
    moved = _new_won(state, "Another late deal", created["refs"]["globex"])
    state.clock.set(t0 + T0_PLUS)

    second = sync_won_deals(client, first.cursor, now=target.now)
    assert sorted(d.id for d in second.records) == sorted([late, moved])
    third = sync_won_deals(client, second.cursor, now=target.now)
    assert third.records == []


def test_records_modified_during_a_run_come_next_run_once(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=5))
    refs = created["refs"]
    state.configure({"page_size": 2})
    client = target.client()
    pages = {"n": 0}
    added: list[str] = []

    def change_between_pages(response) -> None:
        if response.request.url.path.endswith("/query") and response.status_code == 200:
            pages["n"] += 1
            state.clock.advance(1)
            # o0 was on the page just read, o4 is on a page not read yet.
            state.data.update("Opportunity", refs["o0"], {"Description": "edited mid-run"})
            state.data.update("Opportunity", refs["o4"], {"Description": "edited mid-run"})
            added.append(_new_won(state, "Mid-run deal", refs["acme"]))

    target.after_response.append(change_between_pages)
    first = sync_won_deals(client, new_cursor(client), now=target.now)
    target.after_response.clear()
    assert pages["n"] == 1
    assert first.pages == 3
    assert sorted(d.id for d in first.records) == sorted(refs[f"o{i}"] for i in range(5))
    assert all(d.opportunity.Description is None for d in first.records)

    state.clock.advance(30)
    second = sync_won_deals(client, first.cursor, now=target.now)
    assert sorted(d.id for d in second.records) == sorted([refs["o0"], refs["o4"], *added])
    assert {d.opportunity.Description for d in second.records if d.id != added[0]} == {
        "edited mid-run"
    }
    versions = [(d.id, d.opportunity.SystemModstamp) for d in first.records + second.records]
    assert len(versions) == len(set(versions))

    state.clock.advance(30)
    assert sync_won_deals(client, second.cursor, now=target.now).records == []


def test_a_stored_cursor_round_trips_as_json(target, deals) -> None:
    state = target.emulator()
    target.seed(deals(won=2))
    client = target.client()
    first = sync_won_deals(client, new_cursor(client), now=target.now)
    stored = WatermarkCursor.model_validate_json(first.cursor.model_dump_json())
    state.clock.advance(10)
    assert sync_won_deals(client, stored, now=target.now).records == []


def test_sync_records_reads_any_object(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=2))
    client = target.client()
    first = sync_records(
        client,
        "Account",
        ["Name", "BillingCountry"],
        new_cursor(client),
        now=target.now,
        where="BillingCountry != null",
    )
    assert sorted(r["Name"] for r in first.records) == ["Acme SAS", "Globex GmbH"]
    state.data.update("Account", created["refs"]["acme"], {"Phone": "+33 4 00 00 00 00"})
    second = sync_records(
        client,
        "Account",
        ["Name", "BillingCountry"],
        first.cursor,
        now=target.now,
        where="BillingCountry != null",
    )
    assert [r["Name"] for r in second.records] == ["Acme SAS"]


def test_an_edit_in_the_same_second_is_a_new_version(target, deals) -> None:
    """SystemModstamp has whole seconds; the polled content tells two versions apart."""
    state = target.emulator()
    created = target.seed(deals(won=1))
    t0 = state.clock.now() - T0_PLUS
    client = target.client()
    fields = ["Name", "Amount", "StageName"]
    first = sync_records(client, "Opportunity", fields, new_cursor(client), now=target.now)
    assert len(first.records) == 1
    state.clock.set(t0)  # the edit lands in the second of the version already read
    state.data.update("Opportunity", created["refs"]["o0"], {"Name": "Deal 0 (v2)"})
    state.clock.set(t0 + T0_PLUS)
    second = sync_records(client, "Opportunity", fields, first.cursor, now=target.now)
    assert [r["Name"] for r in second.records] == ["Deal 0 (v2)"]
    third = sync_records(client, "Opportunity", fields, second.cursor, now=target.now)
    assert third.records == []


def test_deletions_are_read_once(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=3))
    client = target.client()
    start = sync_deleted(client, "Opportunity", new_cursor(client), now=target.now)
    assert start.deleted == []
    assert start.gap is False

    state.clock.advance(60)
    client.delete("Opportunity", created["refs"]["o1"])
    state.clock.advance(120)
    found = sync_deleted(client, "Opportunity", start.cursor, now=target.now)
    assert [d.id for d in found.deleted] == [created["refs"]["o1"]]
    assert found.gap is False
    assert found.window is not None
    assert found.window[0].second == 0  # the API ignores seconds

    state.clock.advance(120)
    again = sync_deleted(client, "Opportunity", found.cursor, now=target.now)
    assert again.deleted == []  # re-read inside the overlap, not emitted twice
    # Cascaded children are reported by their own object.
    children = sync_deleted(client, "OpportunityLineItem", start.cursor, now=target.now)
    assert len(children.deleted) == 1


def test_a_run_too_soon_after_the_last_asks_nothing(target) -> None:
    target.emulator()
    client = target.client(overlap_seconds=0)
    first = sync_deleted(client, "Opportunity", new_cursor(client), now=target.now)
    calls = len(target.requests)
    second = sync_deleted(client, "Opportunity", first.cursor, now=target.now)
    assert second.window is None
    assert len(target.requests) == calls


def test_a_cursor_older_than_the_window_reports_a_gap(target) -> None:
    target.emulator()
    client = target.client()
    old = WatermarkCursor(watermark=target.now() - timedelta(days=40))
    result = sync_deleted(client, "Opportunity", old, now=target.now)
    assert result.gap is True
    assert result.window is not None
    assert target.now() - result.window[0] < timedelta(days=30)


def test_purged_deletions_report_a_gap(target, deals) -> None:
    state = target.emulator()
    created = target.seed(deals(won=2))
    client = target.client()
    cursor = sync_deleted(client, "Opportunity", new_cursor(client), now=target.now).cursor
    state.clock.advance(600)
    client.delete("Opportunity", created["refs"]["o0"])
    state.clock.advance(60)
    state.data.purge(state.clock.now())  # emptied from the recycle bin before we looked
    state.clock.advance(60)
    result = sync_deleted(client, "Opportunity", cursor, now=target.now)
    assert result.deleted == []
    assert result.gap is True


def test_the_api_refuses_a_window_older_than_30_days(target) -> None:
    target.emulator()
    client = target.client()
    now = target.now()
    with pytest.raises(errors.RejectedError) as caught:
        client.deleted("Opportunity", now - timedelta(days=31), now)
    assert caught.value.details["remote_type"] == "INVALID_REPLICATION_DATE"
    with pytest.raises(errors.RejectedError):
        client.updated("Opportunity", now, now - timedelta(minutes=5))
    updated = client.updated("Opportunity", now - timedelta(days=1), now)
    assert updated.ids == []
