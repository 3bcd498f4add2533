"""The connector reads every object it needs, in both paging styles, over a real socket; the
target fixture validates each request and answer against the OpenAPI file."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.connectors.harvest import TIME_ENTRIES, USERS, wire


def test_reads_every_object_the_hub_needs(target) -> None:
    created = target.seed_account(entries=5, expenses=4)
    client = target.client(page_size=2)

    users = list(client.list_users())
    assert {u.id for u in users} == {1001, 1002}
    assert next(u for u in users if u.id == 1001).cost_rate == Decimal("60.0")
    assert {c.currency for c in client.list_clients()} == {"USD", "EUR"}
    projects = {p.id: p for p in client.list_projects()}
    assert projects[3002].client is not None and projects[3002].client.currency == "EUR"
    assert [p.id for p in client.list_projects(client_id=2001)] == [3001]
    assert {t.name for t in client.list_tasks()} == {"Design", "Programming"}
    categories = {c.name: c for c in client.list_expense_categories()}
    assert categories["Mileage"].unit_price == Decimal("0.58")
    assert len(list(client.list_task_assignments())) == 2
    assert [a.task.id for a in client.list_task_assignments(project_id=3002) if a.task] == [4002]
    assert len(list(client.list_user_assignments())) == 2
    assert [a.user.id for a in client.list_user_assignments(project_id=3001) if a.user] == [1001]
    assert client.me().id == 1001

    entries = list(client.list_time_entries())
    assert sorted(e.id for e in entries) == sorted(created["time_entries"])
    assert [e.spent_date for e in entries] == sorted((e.spent_date for e in entries), reverse=True)
    first = next(e for e in entries if e.spent_date == date(2026, 2, 1))
    assert first.hours == Decimal("1.25") and isinstance(first.hours, Decimal)
    assert first.billable_rate == Decimal("100.0")  # bill_by Project
    second = next(e for e in entries if e.spent_date == date(2026, 2, 2))
    assert second.billable_rate == Decimal("120.5")  # bill_by Tasks
    assert second.cost_rate == Decimal("55.5")
    assert not any(e.approved for e in entries)

    expenses = list(client.list_expenses())
    assert len(expenses) == 4
    mileage = next(x for x in expenses if x.expense_category and x.expense_category.id == 5002)
    assert mileage.total_cost == Decimal("0.58") * mileage.units  # type: ignore[operator]
    assert mileage.expense_category.unit_price == Decimal("0.58")  # sent as a string
    meal = next(x for x in expenses if x.project.id == 3001)
    assert meal.total() is not None and meal.total().currency == "USD"  # type: ignore[union-attr]

    one = client.get_time_entry(first.id)
    assert one == first
    assert client.get_expense(meal.id) == meal


def test_filters_by_spent_date_and_running_state(target) -> None:
    target.seed_account(entries=6)
    state = target.emulator()
    running = state.seed(
        {
            "time_entries": [
                {
                    "user_id": 1001,
                    "project_id": 3001,
                    "task_id": 4001,
                    "spent_date": "2026-02-20",
                    "hours": "0.5",
                    "is_running": True,
                    "timer_started_at": state.clock.now().isoformat(),
                }
            ]
        }
    )["time_entries"]
    client = target.client()
    window = list(client.list_time_entries(from_=date(2026, 2, 2), to=date(2026, 2, 4)))
    assert sorted(e.spent_date.day for e in window) == [2, 3, 4]
    assert [e.id for e in client.list_time_entries(is_running=True)] == running
    assert len(list(client.list_time_entries(is_running=False))) == 6
    assert [e.project.id for e in client.list_time_entries(project_id=3002)] == [3002] * 3


def test_running_timer_hours_follow_the_clock(target) -> None:
    target.seed_account()
    state = target.emulator()
    started = state.clock.now()
    state.seed(
        {
            "time_entries": [
                {
                    "user_id": 1001,
                    "project_id": 3001,
                    "task_id": 4001,
                    "spent_date": "2026-03-02",
                    "hours": "1.0",
                    "is_running": True,
                    "timer_started_at": started.isoformat(),
                }
            ]
        }
    )
    state.clock.advance(30 * 60)
    (entry,) = target.client().list_time_entries()
    assert entry.is_running and entry.timer_started_at == started
    assert entry.hours == Decimal("1.50")
    assert entry.hours_without_timer == Decimal("1.0")


@pytest.mark.parametrize("mode", ["page", "cursor"])
def test_follows_links_next_in_both_paging_styles(target, mode: str) -> None:
    state = target.emulator()
    target.seed_account(entries=7)
    state.configure({"paging": {"time_entries": mode}})
    client = target.client(page_size=3)
    pages = list(client.pages(TIME_ENTRIES))
    assert [len(p.records) for p in pages] == [3, 3, 1]
    assert all(p.envelope.total_entries == 7 for p in pages)
    assert [p.cursor_paged for p in pages[:-1]] == [mode == "cursor"] * 2
    if mode == "cursor":
        assert [p.envelope.page for p in pages] == [1, None, 3]
    else:
        assert [p.envelope.page for p in pages] == [1, 2, 3]
    ids = [r["id"] for p in pages for r in p.records]
    assert len(ids) == len(set(ids)) == 7
    # Each next page was fetched at exactly the URL Harvest gave (not recomputed).
    assert [p.url for p in pages[1:]] == [p.next_url for p in pages[:-1]]


def test_cursor_paged_reference_lists(target) -> None:
    state = target.emulator()
    target.seed_account()
    state.seed({"users": [{"first_name": f"User{i}", "last_name": "X"} for i in range(5)]})
    client = target.client(page_size=2)
    pages = list(client.pages(USERS))
    assert [len(p.records) for p in pages] == [2, 2, 2, 1]
    assert [p.envelope.page for p in pages] == [1, None, None, 4]
    assert [p.envelope.next_page for p in pages] == [2, None, None, None]
    assert all(p.cursor_paged for p in pages[:-1])
    assert len({r["id"] for p in pages for r in p.records}) == 7


def test_requests_carry_harvests_headers_and_never_log_the_token(target) -> None:
    target.seed_account()
    client = target.client()
    list(client.list_users())
    (call,) = target.calls("/v2/")
    assert call.headers["harvest-account-id"] == target.settings.account_id
    assert call.headers["user-agent"] == "lead2cash-tests (ops@example.com)"
    assert "authorization" not in call.headers
    assert target.token not in repr(client) and target.token not in str(call)
    assert "per_page=2000" in call.query


def test_wrong_token_is_an_auth_error_with_harvests_body(target) -> None:
    client = target.client(token="not-the-token")
    with pytest.raises(errors.AuthError) as caught:
        list(client.list_users())
    assert caught.value.details["status"] == 401
    assert "invalid_token" in str(caught.value)
    assert "not-the-token" not in str(caught.value)


def test_wrong_account_is_an_auth_error(target) -> None:
    with pytest.raises(errors.AuthError):
        target.client(account_id="999").me()


def test_missing_record_is_not_found(target) -> None:
    target.seed_account()
    with pytest.raises(errors.NotFoundError):
        target.client().get_time_entry(42)


def test_amounts_never_pass_through_float(target) -> None:
    target.seed_account()
    state = target.emulator()
    state.seed(
        {
            "time_entries": [
                {
                    "user_id": 1001,
                    "project_id": 3001,
                    "task_id": 4001,
                    "spent_date": "2026-02-10",
                    "hours": "0.1",
                    "billable_rate": "1234567.89",
                    "cost_rate": "0.3",
                }
            ]
        }
    )
    (entry,) = target.client().list_time_entries()
    assert entry.billable_rate == Decimal("1234567.89")
    assert entry.hours == Decimal("0.1") and entry.cost_rate == Decimal("0.3")
    assert isinstance(entry, wire.TimeEntry) and isinstance(entry.updated_at, datetime)
