"""The client over httpx.MockTransport: answer classification, what is retried and how long it
waits, session refresh, child-subquery batches, refused links, and the deletion window."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lead2cash import errors
from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.salesforce import (
    SalesforceClient,
    SalesforceSettings,
    classify,
    sync_deleted,
    wire,
)

INSTANCE = "https://acme.my.salesforce.com"
NOW = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)


def _settings(**overrides: Any) -> SalesforceSettings:
    base: dict[str, Any] = {
        "auth_flow": "client_credentials",
        "login_url": INSTANCE,
        "client_id": "ck",
        "client_secret": "cs",
        "retry_base_seconds": 0.5,
    }
    return SalesforceSettings(**base | overrides)


class Org:
    """A scripted org: token answers, then data answers from ``handler``."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []
        self.tokens = 0
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/services/oauth2/token":
            self.tokens += 1
            return httpx.Response(
                200, json={"access_token": f"tok{self.tokens}", "instance_url": INSTANCE}
            )
        return self.handler(request)

    def client(self, **overrides: Any) -> SalesforceClient:
        http = httpx.Client(transport=httpx.MockTransport(self))
        return SalesforceClient(http, _settings(**overrides), sleep=self.sleeps.append)


def _error(status: int, code: str, **headers: str) -> httpx.Response:
    return httpx.Response(
        status,
        json=[{"message": f"m {code}", "errorCode": code, "fields": ["F__c"]}],
        headers=headers,
    )


@pytest.mark.parametrize(
    ("response", "expected", "remote"),
    [
        (_error(401, "INVALID_SESSION_ID"), errors.AuthError, "INVALID_SESSION_ID"),
        (_error(403, "REQUEST_LIMIT_EXCEEDED"), errors.RateLimitedError, "REQUEST_LIMIT_EXCEEDED"),
        (_error(403, "INSUFFICIENT_ACCESS"), errors.AuthError, "INSUFFICIENT_ACCESS"),
        (_error(404, "NOT_FOUND"), errors.NotFoundError, "NOT_FOUND"),
        (_error(400, "MALFORMED_QUERY"), errors.RejectedError, "MALFORMED_QUERY"),
        (_error(400, "INVALID_FIELD"), errors.RejectedError, "INVALID_FIELD"),
        (_error(400, "REQUIRED_FIELD_MISSING"), errors.RejectedError, "REQUIRED_FIELD_MISSING"),
        (
            _error(400, "FIELD_CUSTOM_VALIDATION_EXCEPTION"),
            errors.RejectedError,
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
        ),
        (_error(400, "UNABLE_TO_LOCK_ROW"), errors.UnavailableError, "UNABLE_TO_LOCK_ROW"),
        (_error(503, "SERVER_UNAVAILABLE"), errors.UnavailableError, "SERVER_UNAVAILABLE"),
        (_error(400, "DUPLICATE_VALUE"), errors.RemoteConflictError, "DUPLICATE_VALUE"),
        (httpx.Response(503, text="<html>down</html>"), errors.UnavailableError, None),
        (
            httpx.Response(400, json={"error": "invalid_grant", "error_description": "bad"}),
            errors.AuthError,
            "invalid_grant",
        ),
        (
            httpx.Response(300, json=["/services/data/v62.0/sobjects/Account/001"]),
            errors.RemoteConflictError,
            "MULTIPLE_CHOICES",
        ),
        (
            _error(429, "REQUEST_LIMIT_EXCEEDED", **{"Retry-After": "3"}),
            errors.RateLimitedError,
            "REQUEST_LIMIT_EXCEEDED",
        ),
    ],
)
def test_classify(response, expected, remote) -> None:
    response.request = httpx.Request("GET", f"{INSTANCE}/services/data/v62.0/x")
    error = classify(response, operation="probe")
    assert error is not None
    assert type(error) is expected
    assert error.details.get("remote_type") == remote
    if response.status_code == 429:
        assert isinstance(error, errors.RateLimitedError)
        assert error.retry_after == 3.0
    elif isinstance(error, errors.RateLimitedError):
        assert error.retry_after is None


def test_success_is_not_an_error() -> None:
    for status in (200, 201, 204, 304):
        assert classify(httpx.Response(status), operation="probe") is None


def test_field_names_are_kept_on_the_error() -> None:
    error = classify(_error(400, "INVALID_FIELD"), operation="probe")
    assert error is not None
    assert error.details["fields"] == "F__c"
    assert "m INVALID_FIELD" in str(error)


def test_lock_errors_are_retried_with_backoff_and_the_daily_limit_is_not() -> None:
    answers = [
        _error(400, "UNABLE_TO_LOCK_ROW"),
        _error(400, "UNABLE_TO_LOCK_ROW"),
        httpx.Response(200, json={"DailyApiRequests": {"Max": 1, "Remaining": 1}}),
        _error(403, "REQUEST_LIMIT_EXCEEDED", **{"Sforce-Limit-Info": "api-usage=5/5"}),
    ]
    org = Org(lambda request: answers.pop(0))
    client = org.client()
    assert client.limits()["DailyApiRequests"]["Max"] == 1
    assert len(org.sleeps) == 2
    assert all(0 <= s <= 1.0 for s in org.sleeps)
    with pytest.raises(errors.RateLimitedError):
        client.limits()
    assert len(org.sleeps) == 2  # the daily limit is not waited out in place
    assert client.api_usage is not None
    assert (client.api_usage.used, client.api_usage.limit) == (5, 5)


def test_retry_after_is_waited_exactly() -> None:
    answers = [_error(429, "X", **{"Retry-After": "2"}), httpx.Response(200, json={})]
    org = Org(lambda request: answers.pop(0))
    org.client().limits()
    assert org.sleeps == [2.0]


def test_one_refresh_then_the_new_token() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer tok1":
            return _error(401, "INVALID_SESSION_ID")
        return httpx.Response(200, json={})

    org = Org(handler)
    org.client().limits()
    assert seen == ["Bearer tok1", "Bearer tok2"]
    assert org.tokens == 2


def test_child_results_longer_than_a_batch_are_completed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/query"):
            return httpx.Response(
                200,
                json={
                    "totalSize": 1,
                    "done": True,
                    "records": [
                        {
                            "Id": "0065g0000000001AAA",
                            "OpportunityLineItems": {
                                "totalSize": 3,
                                "done": False,
                                "nextRecordsUrl": "/services/data/v62.0/query/01gX-2",
                                "records": [{"Id": "1"}, {"Id": "2"}],
                            },
                        }
                    ],
                },
            )
        assert request.url.path == "/services/data/v62.0/query/01gX-2"
        return httpx.Response(200, json={"totalSize": 3, "done": True, "records": [{"Id": "3"}]})

    [record] = list(Org(handler).client().query("SELECT ..."))
    items = record["OpportunityLineItems"]
    assert [r["Id"] for r in items["records"]] == ["1", "2", "3"]
    assert items["done"] is True


@pytest.mark.parametrize(
    "link", ["https://evil.example/services/data/v62.0/query/x", "//evil.example/x", None, "/other"]
)
def test_unusable_next_links_are_refused(link) -> None:
    body = {"totalSize": 3, "done": False, "records": []}
    if link is not None:
        body["nextRecordsUrl"] = link
    org = Org(lambda request: httpx.Response(200, json=body))
    with pytest.raises(errors.UnavailableError, match="nextRecordsUrl"):
        list(org.client().query("SELECT Id FROM Account"))
    assert all(r.url.host == "acme.my.salesforce.com" for r in org.requests)


def test_query_batch_size_header_and_upsert_without_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PATCH":
            assert request.url.raw_path == b"/services/data/v45.0/sobjects/Account/Ext__c/a%20b"
            assert json.loads(request.content) == {"Name": "x"}
            return httpx.Response(204)
        assert request.headers["sforce-query-options"] == "batchSize=500"
        return httpx.Response(200, json={"totalSize": 0, "done": True, "records": []})

    client = Org(handler).client(query_batch_size=500, api_version="45.0")
    assert list(client.query("SELECT Id FROM Account")) == []
    result = client.upsert("Account", "Ext__c", "a b", {"Name": "x", "Ext__c": "a b"})
    assert (result.id, result.created) == (None, False)
    with pytest.raises(ValueError, match="differs"):
        client.upsert("Account", "Ext__c", "a b", {"Ext__c": "other"})


def test_a_garbled_token_answer_is_unavailable() -> None:
    def transport(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": "x", "instance_url": "ftp://nope"})

    client = SalesforceClient(httpx.Client(transport=httpx.MockTransport(transport)), _settings())
    with pytest.raises(errors.UnavailableError, match="instance_url"):
        client.authenticate()


def _deleted_org(answer: dict[str, Any], windows: list[tuple[str, str]]) -> Org:
    def handler(request: httpx.Request) -> httpx.Response:
        start, end = request.url.params["start"], request.url.params["end"]
        windows.append((start, end))
        low, high = datetime.fromisoformat(start), datetime.fromisoformat(end)
        inside = [
            d
            for d in answer["deletedRecords"]
            if low <= wire.parse_datetime(d["deletedDate"]) < high
        ]
        return httpx.Response(200, json=answer | {"deletedRecords": inside})

    return Org(handler)


def test_the_deletion_window_starts_at_the_cursor_less_the_overlap() -> None:
    windows: list[tuple[str, str]] = []
    answer = {
        "deletedRecords": [{"id": "a", "deletedDate": "2026-03-10T11:58:10.000+0000"}],
        "earliestDateAvailable": "2020-01-01T00:00:00.000+0000",
        "latestDateCovered": "2026-03-10T12:00:00.000+0000",
    }
    org = _deleted_org(answer, windows)
    cursor = WatermarkCursor(watermark=NOW - timedelta(minutes=10), overlap_seconds=60)
    result = sync_deleted(org.client(), "Opportunity", cursor, now=lambda: NOW)
    assert windows == [("2026-03-10T11:49:00+00:00", "2026-03-10T12:00:00+00:00")]
    assert [d.id for d in result.deleted] == ["a"]
    assert result.cursor.watermark == datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert result.gap is False
    again = sync_deleted(
        org.client(), "Opportunity", result.cursor, now=lambda: NOW + timedelta(minutes=2)
    )
    assert again.deleted == []


def test_the_deletion_window_is_clamped_to_30_days_with_a_gap() -> None:
    windows: list[tuple[str, str]] = []
    answer = {"deletedRecords": [], "latestDateCovered": "2026-03-10T12:00:00.000+0000"}
    org = _deleted_org(answer, windows)
    old = WatermarkCursor(watermark=NOW - timedelta(days=45))
    result = sync_deleted(org.client(), "Opportunity", old, now=lambda: NOW)
    assert result.gap is True
    assert windows[0][0] == "2026-02-08T12:01:00+00:00"
    fresh = sync_deleted(org.client(), "Opportunity", WatermarkCursor(), now=lambda: NOW)
    assert fresh.gap is False
    assert windows[1][0] == "2026-03-09T12:00:00+00:00"  # the initial lookback (24 h)


def test_purged_deletions_are_a_gap() -> None:
    windows: list[tuple[str, str]] = []
    answer = {
        "deletedRecords": [],
        "earliestDateAvailable": "2026-03-10T11:55:00.000+0000",
        "latestDateCovered": "2026-03-10T12:00:00.000+0000",
    }
    org = _deleted_org(answer, windows)
    cursor = WatermarkCursor(watermark=NOW - timedelta(hours=1), overlap_seconds=0)
    assert sync_deleted(org.client(), "Opportunity", cursor, now=lambda: NOW).gap is True
