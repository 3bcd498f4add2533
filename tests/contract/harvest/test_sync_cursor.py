"""Incremental sync: nothing lost at the cursor boundary or while paging, each version once.

Every run stores its advanced cursor, as the engine does between runs; a version is the pair
``(id, updated_at)``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.harvest import sync, sync_expenses, sync_time_entries, wire
from lead2cash.connectors.harvest.client import HarvestClient


class Runs:
    """Consecutive runs over one stored cursor, remembering every version emitted."""

    def __init__(self, client: HarvestClient, now: Callable, kind: str = "time_entries") -> None:
        self.client = client
        self.now = now
        self.kind = kind
        self.cursor = WatermarkCursor()
        self.emitted: list[tuple[int, object]] = []
        self.passes: list[int] = []

    def run(self) -> list[wire.TimeEntry] | list[wire.Expense]:
        if self.kind == "time_entries":
            result = sync_time_entries(self.client, self.cursor, now=self.now)
        else:
            result = sync_expenses(self.client, self.cursor, now=self.now)
        self.cursor = WatermarkCursor.model_validate_json(result.cursor.model_dump_json())
        self.passes.append(result.passes)
        self.emitted += [(r.id, r.updated_at) for r in result.records]
        return result.records

    def assert_each_version_once(self) -> None:
        twice = [v for v, n in Counter(self.emitted).items() if n > 1]
        assert not twice, f"versions emitted more than once: {twice}"

    def assert_current(self, state) -> None:
        """The last version emitted of every record is the record as it is now."""
        latest: dict[int, object] = {}
        for record_id, stamp in self.emitted:
            latest[record_id] = max(stamp, latest.get(record_id, stamp))  # type: ignore[call-overload]
        now = {
            item["id"]: item["updated_at"] for item in (s.item for s in state.select(self.kind, {}))
        }
        assert latest == now


def _after_page(target, path: str, page_no: int, action: Callable[[], None]) -> None:
    """Run ``action`` once, right after the ``page_no``-th page of ``path`` arrived."""
    seen = {"pages": 0}

    def hook(response: httpx.Response) -> None:
        if response.request.url.path == path and response.status_code == 200:
            seen["pages"] += 1
            if seen["pages"] == page_no:
                action()

    target.after_response.append(hook)


def test_records_at_the_cursor_boundary_are_picked_up_once(target) -> None:
    state = target.emulator()
    created = target.seed_account(entries=3)
    boundary = state.clock.now() - timedelta(seconds=60)  # every seeded entry's updated_at
    runs = Runs(target.client(), target.now)

    assert len(runs.run()) == 3
    assert runs.cursor.watermark == boundary

    # A change committed late, stamped exactly at the watermark; and an edit that keeps the
    # same updated_at (same version): only the new record is new.
    late = state.seed(
        {
            "time_entries": [
                {
                    "user_id": 1001,
                    "project_id": 3001,
                    "task_id": 4001,
                    "spent_date": "2026-02-28",
                    "hours": "2",
                    "created_at": boundary.isoformat(),
                    "updated_at": boundary.isoformat(),
                }
            ]
        }
    )["time_entries"]
    state.edit("time_entries", created["time_entries"][0], {"updated_at": boundary})
    assert [r.id for r in runs.run()] == late

    # A change stamped one second after the watermark comes once, then nothing more.
    state.clock.set(boundary + timedelta(seconds=1))
    state.edit("time_entries", created["time_entries"][1], {"notes": "changed"})
    state.clock.advance(60)
    assert [r.id for r in runs.run()] == [created["time_entries"][1]]
    assert runs.run() == []
    runs.assert_each_version_once()
    runs.assert_current(state)


@pytest.mark.parametrize("mode", ["page", "cursor"])
def test_changes_while_paging_come_now_or_next_run_never_twice(target, mode: str) -> None:
    state = target.emulator()
    state.configure({"paging": {"time_entries": mode}})
    created = target.seed_account(entries=6)["time_entries"]
    # Pages of 2, newest spent_date first: [e5 e4] [e3 e2] [e1 e0].
    runs = Runs(target.client(page_size=2), target.now)

    added: list[int] = []

    def meanwhile() -> None:
        state.clock.advance(1)
        state.edit("time_entries", created[5], {"notes": "edited after it was read"})
        state.edit("time_entries", created[0], {"notes": "edited before it was read"})
        state.edit("time_entries", created[2], {"spent_date": "2026-02-28"})  # jumps to page 1
        new = {
            "user_id": 1002,
            "project_id": 3002,
            "task_id": 4002,
            "spent_date": "2026-02-27",
            "hours": "3",
        }
        added.extend(state.seed({"time_entries": [new]})["time_entries"])
        state.clock.advance(5)  # the run goes on

    _after_page(target, "/v2/time_entries", 1, meanwhile)
    first = {r.id for r in runs.run()}
    target.after_response.clear()
    state.clock.advance(60)
    second = {r.id for r in runs.run()}
    if mode == "cursor":
        # Keyset paging does not shift: what moved into the part already read, and what was
        # edited there, comes with the next run.
        assert first == {created[5], created[4], created[3], created[1], created[0]}
        assert second == {created[5], created[2], *added}
        assert runs.passes[0] == 1
    else:
        # Offset paging shifted (total_entries moved): the run read the listing again.
        assert first == {*created, *added}
        assert second == set()
        assert runs.passes[0] == 2
    assert runs.run() == []
    runs.assert_each_version_once()
    runs.assert_current(state)


def test_a_deletion_while_offset_paging_does_not_hide_a_record(target) -> None:
    state = target.emulator()
    created = target.seed_account(entries=6)["time_entries"]
    runs = Runs(target.client(page_size=2), target.now)
    # After page 1 ([e5 e4]) e5 is deleted: offsets shift, and e3 would slip off page 2.
    _after_page(target, "/v2/time_entries", 1, lambda: state.delete("time_entries", created[5]))
    ids = {r.id for r in runs.run()}
    assert ids == set(created)
    assert runs.passes == [2]
    target.after_response.clear()
    state.clock.advance(60)
    assert runs.run() == []
    runs.assert_each_version_once()


def test_approval_is_a_new_version_and_reopening_another(target) -> None:
    state = target.emulator()
    created = target.seed_account(entries=4, expenses=2)
    runs = Runs(target.client(), target.now)
    expense_runs = Runs(target.client(), target.now, "expenses")
    assert not any(r.approved for r in runs.run())
    assert not any(r.approved for r in expense_runs.run())

    approved = state.set_closed(
        "time_entries", {"project_id": 3001, "from": "2026-02-01", "to": "2026-02-28"}, True
    )
    state.set_closed("expenses", {"ids": created["expenses"][:1]}, True)
    state.clock.advance(60)
    got = runs.run()
    assert sorted(r.id for r in got) == sorted(approved) and all(r.approved for r in got)
    assert all(r.is_locked and r.locked_reason for r in got)
    (expense,) = expense_runs.run()
    assert expense.approved and expense.id == created["expenses"][0]

    state.set_closed("time_entries", {"ids": approved[:1]}, False)
    state.clock.advance(60)
    (reopened,) = runs.run()
    assert reopened.id == approved[0] and not reopened.approved
    runs.assert_each_version_once()
    expense_runs.assert_each_version_once()


def test_reference_data_syncs_by_updated_at_too(target) -> None:
    from lead2cash.connectors.harvest import PROJECTS

    state = target.emulator()
    target.seed_account()
    client = target.client()
    first = sync(client, PROJECTS, WatermarkCursor(), now=target.now)
    assert {p.id for p in first.records} == {3001, 3002}
    state.edit("projects", 3002, {"name": "Online Store - Phase 2"})
    state.clock.advance(60)
    second = sync(client, PROJECTS, first.cursor, now=target.now)
    assert [(p.id, p.name) for p in second.records] == [(3002, "Online Store - Phase 2")]
