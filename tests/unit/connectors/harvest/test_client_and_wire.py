"""HarvestClient over httpx.MockTransport: headers, links, throttling per attempt, bad answers;
and the wire models' Decimal discipline."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from lead2cash import errors
from lead2cash.connectors.harvest import USERS, HarvestClient, HarvestSettings, TokenBucket, wire
from lead2cash.connectors.harvest.client import format_param

SETTINGS = HarvestSettings(
    base_url="https://harvest.test",
    account_id="123456",
    token="tok-secret",
    user_agent="unit (ops@example.com)",
    retry_base_seconds=0,
)


class CountingBucket(TokenBucket):
    def __init__(self) -> None:
        super().__init__(rate=1000.0, capacity=1000)
        self.taken = 0

    def acquire(self, tokens: float = 1.0) -> float:
        self.taken += 1
        return 0.0


def _user(i: int) -> dict[str, Any]:
    stamp = "2026-03-01T10:00:00Z"
    return {"id": i, "first_name": f"U{i}", "created_at": stamp, "updated_at": stamp}


def _page(items: list[dict[str, Any]], next_url: str | None) -> dict[str, Any]:
    return {
        "users": items,
        "per_page": 1,
        "total_pages": 2,
        "total_entries": 2,
        "next_page": None,
        "previous_page": None,
        "page": None,
        "links": {"first": "f", "next": next_url, "previous": None, "last": "l"},
    }


def _client(handler, **kwargs: Any) -> tuple[HarvestClient, CountingBucket, list[float]]:
    bucket = CountingBucket()
    slept: list[float] = []
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return HarvestClient(http, SETTINGS, bucket=bucket, sleep=slept.append, **kwargs), bucket, slept


def test_headers_and_link_following() -> None:
    seen: list[httpx.Request] = []
    pages = {
        "/v2/users": _page([_user(1)], "https://harvest.test/v2/users?cursor=abc&per_page=1"),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "cursor" in request.url.params:
            return httpx.Response(200, json=_page([_user(2)], None))
        return httpx.Response(200, json=pages[request.url.path])

    client, bucket, _ = _client(handler)
    assert [u.id for u in client.list_users(is_active=True)] == [1, 2]
    first, second = seen
    assert first.headers["authorization"] == "Bearer tok-secret"
    assert first.headers["harvest-account-id"] == "123456"
    assert first.headers["user-agent"] == "unit (ops@example.com)"
    assert first.url.params["is_active"] == "true" and first.url.params["per_page"] == "2000"
    assert str(second.url) == "https://harvest.test/v2/users?cursor=abc&per_page=1"
    assert bucket.taken == 2
    assert "tok-secret" not in repr(client)


def test_a_next_link_to_another_host_is_refused_before_sending_the_token() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=_page([_user(1)], "https://evil.test/v2/users?page=2"))

    client, _, _ = _client(handler)
    with pytest.raises(errors.ConnectorError, match="outside the configured API"):
        list(client.list_users())
    assert len(requests) == 1


def test_a_link_loop_is_an_error() -> None:
    loop = "https://harvest.test/v2/users?page=2"
    client, _, _ = _client(lambda r: httpx.Response(200, json=_page([_user(1)], loop)))
    with pytest.raises(errors.ConnectorError, match="loop"):
        list(client.list_users())


def test_every_attempt_takes_a_token_and_retry_after_is_slept_first() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "3"}, text="<html>slow down</html>"),
            httpx.Response(503),
            httpx.Response(200, json=_page([_user(1)], None)),
        ]
    )
    client, bucket, slept = _client(lambda r: next(answers))
    assert [u.id for u in client.list_users()] == [1]
    assert bucket.taken == 3
    assert slept[0] == 3.0 and len(slept) == 1  # backoff of 0 s is not slept


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(200, text="<html>maintenance</html>"), "not JSON"),
        (httpx.Response(200, json={"items": []}), "without a 'users' array"),
    ],
)
def test_malformed_answers_are_unavailable(response: httpx.Response, message: str) -> None:
    client, _, _ = _client(lambda r: response)
    with pytest.raises(errors.UnavailableError, match=message):
        list(client.pages(USERS))


def test_format_param() -> None:
    paris = timezone(timedelta(hours=2))
    assert format_param(datetime(2026, 3, 1, 12, 0, 5, 999, tzinfo=paris)) == "2026-03-01T10:00:05Z"
    assert format_param(date(2026, 3, 1)) == "2026-03-01"
    assert (format_param(True), format_param(False), format_param(None)) == ("true", "false", None)
    assert format_param(42) == "42"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_param(datetime(2026, 3, 1))


ENTRY = """{"id": 2500000001, "spent_date": "2026-03-02", "user": {"id": 1, "name": "Kim"},
 "project": {"id": 2, "name": "Web"}, "hours": 2.11, "billable_rate": 100.0,
 "cost_rate": 0.1, "is_closed": true, "created_at": "2026-03-02T10:00:00Z",
 "updated_at": "2026-03-02T12:00:00+02:00", "new_field": {"kept": 1}}"""


def test_wire_numbers_are_decimals_and_unknown_fields_are_kept() -> None:
    entry = wire.TimeEntry.model_validate(wire.loads(ENTRY))
    assert entry.hours == Decimal("2.11") and str(entry.billable_rate) == "100.0"
    assert entry.cost_rate == Decimal("0.1")
    assert entry.approved and entry.id == 2500000001
    assert entry.updated_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert entry.updated_at.tzinfo is UTC
    assert entry.model_dump()["new_field"] == {"kept": 1}


def test_wire_refuses_floats_and_nan() -> None:
    with pytest.raises(ValidationError, match="float"):
        wire.TimeEntry.model_validate(json.loads(ENTRY))  # parsed with floats: refused
    with pytest.raises(ValueError, match="NaN"):
        wire.loads('{"hours": NaN}')


def test_expense_currency_and_string_unit_price() -> None:
    expense = wire.Expense.model_validate(
        wire.loads(
            """{"id": 1, "project": {"id": 2, "name": "Web", "code": "W"},
            "user": {"id": 3, "name": "Kim"}, "total_cost": 6.96, "units": 12,
            "expense_category": {"id": 4, "name": "Mileage", "unit_price": "0.58",
                                 "unit_name": "mile"},
            "client": {"id": 5, "name": "ABC", "currency": "EUR"}, "is_closed": false,
            "spent_date": "2026-02-03", "created_at": "2026-03-01T12:00:00Z",
            "updated_at": "2026-03-01T12:00:00Z"}"""
        )
    )
    assert expense.expense_category is not None
    assert expense.expense_category.unit_price == Decimal("0.58")
    total = expense.total()
    assert total is not None and (total.amount, total.currency) == (Decimal("6.96"), "EUR")
    assert not expense.approved


def test_null_flags_read_as_false() -> None:
    raw = wire.loads(ENTRY)
    raw |= {"is_closed": None, "is_locked": None, "billable": None, "is_running": None}
    entry = wire.TimeEntry.model_validate(raw)
    assert (entry.approved, entry.is_locked, entry.billable, entry.is_running) == (
        False,
        False,
        False,
        False,
    )
