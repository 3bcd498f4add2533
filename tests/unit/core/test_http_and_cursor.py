"""Shared connector plumbing: status mapping, Retry-After, the retrying sender, the cursor."""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from lead2cash import errors
from lead2cash.connectors import http
from lead2cash.connectors.cursor import WatermarkCursor

T0 = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, errors.AuthError),
        (403, errors.AuthError),
        (404, errors.NotFoundError),
        (409, errors.RemoteConflictError),
        (422, errors.RejectedError),
        (400, errors.RejectedError),
        (429, errors.RateLimitedError),
        (500, errors.UnavailableError),
        (503, errors.UnavailableError),
        (408, errors.UnavailableError),
    ],
)
def test_status_mapping(status: int, cls: type[errors.ConnectorError]) -> None:
    response = httpx.Response(status, text="nope", request=httpx.Request("GET", "http://x/"))
    exc = http.error_for_status(response, system="s", operation="op")
    assert type(exc) is cls
    assert exc.details["status"] == status


def test_retry_after_forms() -> None:
    assert http.parse_retry_after("7") == 7.0
    assert (
        http.parse_retry_after(
            "Fri, 04 Dec 2026 12:00:10 GMT", now=datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
        )
        == 10.0
    )
    assert http.parse_retry_after("soon") is None
    assert http.parse_retry_after(None) is None


def test_retrying_sender_waits_as_told_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(503),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    slept: list[float] = []
    sender = http.RetryingSender("s", sleep=slept.append, base_delay=0.5)
    response = sender.send(client, client.build_request("GET", "http://x/"), operation="get")
    assert response.json() == {"ok": True}
    assert slept[0] == 3.0
    assert 0 <= slept[1] <= 1.0


def test_retrying_sender_raises_permanent_errors_at_once() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(403)))
    sender = http.RetryingSender("s", sleep=lambda s: pytest.fail("must not sleep"))
    with pytest.raises(errors.AuthError):
        sender.send(client, client.build_request("GET", "http://x/"), operation="get")


def test_retrying_sender_gives_up_after_max_attempts() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = httpx.Client(transport=httpx.MockTransport(boom))
    sender = http.RetryingSender("s", max_attempts=3, sleep=lambda s: None)
    with pytest.raises(errors.UnavailableError) as info:
        sender.send(client, client.build_request("GET", "http://x/"), operation="get")
    assert isinstance(info.value.__cause__, httpx.ConnectError)


def test_cursor_emits_each_version_once_across_the_boundary() -> None:
    cursor = WatermarkCursor(overlap_seconds=60)
    assert cursor.read_from() is None
    assert cursor.accept("a", T0)
    assert cursor.accept("b", T0 + timedelta(seconds=10))
    # next run re-reads from watermark - overlap: the same versions are not new
    assert cursor.read_from() == T0 + timedelta(seconds=10) - timedelta(seconds=60)
    assert not cursor.accept("b", T0 + timedelta(seconds=10))
    assert not cursor.accept("a", T0)
    # a record committed late with a time at the boundary is still caught once
    assert cursor.accept("c", T0 + timedelta(seconds=10))
    assert not cursor.accept("c", T0 + timedelta(seconds=10))
    # a newer version of a seen record is new
    assert cursor.accept("a", T0 + timedelta(seconds=20))
    restored = WatermarkCursor.model_validate_json(cursor.compact().model_dump_json())
    assert not restored.accept("a", T0 + timedelta(seconds=20))
    assert restored.watermark == T0 + timedelta(seconds=20)


def test_cursor_refuses_naive_times() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        WatermarkCursor().accept("a", datetime(2026, 1, 1))


def test_decode_json_turns_a_non_json_answer_into_a_transient_error() -> None:
    ok = httpx.Response(200, content=b'{"hours": 1.25}')
    decimals = functools.partial(json.loads, parse_float=Decimal)
    assert http.decode_json(ok, system="s", operation="op", loads=decimals) == {
        "hours": Decimal("1.25")
    }
    page = httpx.Response(200, content=b"<html>gateway timeout</html>")
    with pytest.raises(errors.UnavailableError) as info:
        http.decode_json(page, system="s", operation="op")
    assert info.value.details["status"] == 200
