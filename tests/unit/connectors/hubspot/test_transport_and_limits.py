"""Status → error mapping with HubSpot's bodies, 429 waits by policy, the send loop, the rolling
window and the daily quota (MockTransport and fake clocks; no sockets)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from lead2cash import errors
from lead2cash.connectors.hubspot import HubSpotClient, HubSpotSettings
from lead2cash.connectors.hubspot.ratelimit import DailyQuota, RollingWindow, next_midnight
from lead2cash.connectors.hubspot.transport import Classifier

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _response(status: int, body: object = None, headers: dict[str, str] | None = None):
    content = (
        b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    )
    request = httpx.Request("GET", "https://api.hubapi.com/crm/v3/objects/deals/1")
    return httpx.Response(status, content=content, headers=headers, request=request)


def _error(category: str, message: str = "boom") -> dict[str, str]:
    return {"status": "error", "message": message, "correlationId": "c-1", "category": category}


CLASSIFY = Classifier(ZoneInfo("UTC"), burst_window=10.0, now=lambda: NOW)


@pytest.mark.parametrize(
    ("status", "category", "cls"),
    [
        (400, "VALIDATION_ERROR", errors.RejectedError),
        (401, "INVALID_AUTHENTICATION", errors.AuthError),
        (403, "MISSING_SCOPES", errors.AuthError),
        (404, "OBJECT_NOT_FOUND", errors.NotFoundError),
        (409, "CONFLICT", errors.RemoteConflictError),
        (423, "LOCKED", errors.UnavailableError),
        (500, "INTERNAL_ERROR", errors.UnavailableError),
        (502, "BAD_GATEWAY", errors.UnavailableError),
        (504, "TIMEOUT", errors.UnavailableError),
    ],
)
def test_statuses_map_to_the_hub_errors(status: int, category: str, cls: type) -> None:
    error = CLASSIFY(_response(status, _error(category, "Property values were not valid")), "x")
    assert type(error) is cls
    assert error is not None
    assert error.details["request_id"] == "c-1"
    assert error.details["remote_type"] == category
    assert error.details["system"] == "hubspot" and error.details["status"] == status
    assert f"HTTP {status} {category}: Property values were not valid" in error.message


def test_success_is_no_error_and_odd_bodies_still_map() -> None:
    assert CLASSIFY(_response(200, {"ok": True}), "x") is None
    html = CLASSIFY(_response(502, b"<html>Bad gateway</html>"), "get deal")
    assert isinstance(html, errors.UnavailableError) and "Bad gateway" in html.message
    listed = CLASSIFY(_response(400, [1, 2]), "x")
    assert isinstance(listed, errors.RejectedError)
    header_id = CLASSIFY(_response(404, None, {"X-HubSpot-Correlation-Id": "h-9"}), "x")
    assert header_id is not None and header_id.details["request_id"] == "h-9"


@pytest.mark.parametrize(
    ("policy", "headers", "wait"),
    [
        ("TEN_SECONDLY_ROLLING", {}, 10.0),
        ("TEN_SECONDLY_ROLLING", {"Retry-After": "3"}, 3.0),
        ("SECONDLY", {}, 1.0),
        ("DAILY", {}, 15 * 3600.0),
        ("DAILY", {"Retry-After": "3"}, 15 * 3600.0),
        (None, {}, None),
        (None, {"Retry-After": "2"}, 2.0),
    ],
)
def test_429_waits_by_policy(policy, headers, wait) -> None:
    body = {"status": "error", "message": "limit", "errorType": "RATE_LIMIT"}
    if policy:
        body["policyName"] = policy
    error = CLASSIFY(_response(429, body, headers), "x")
    assert isinstance(error, errors.RateLimitedError)
    assert error.retry_after == wait
    assert error.details.get("policy") == policy


def test_daily_waits_until_midnight_in_the_portal_zone() -> None:
    tokyo = Classifier(ZoneInfo("Asia/Tokyo"), now=lambda: NOW)  # 18:00 in Tokyo
    error = tokyo(_response(429, {"policyName": "DAILY"}), "x")
    assert isinstance(error, errors.RateLimitedError) and error.retry_after == 6 * 3600.0
    assert next_midnight(NOW, ZoneInfo("America/New_York")) == datetime(
        2026, 3, 3, 5, 0, tzinfo=UTC
    )


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_the_rolling_window_never_lets_more_than_its_limit_through() -> None:
    clock = FakeClock()
    window = RollingWindow(3, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    sends = []
    for _ in range(7):
        window.acquire()
        sends.append(clock.now)
        clock.now += 0.1
    assert clock.slept == [0.7, 0.7]
    assert max(sum(1 for t in sends if s <= t < s + 1.0) for s in sends) == 3
    assert RollingWindow.shared("burst", "k", 3, 1.0) is RollingWindow.shared("burst", "k", 3, 1.0)
    with pytest.raises(ValueError, match="requests"):
        RollingWindow(0, 1.0)


def test_the_daily_quota_fails_fast_until_midnight() -> None:
    quota = DailyQuota()
    quota.check(NOW, system="hubspot", operation="x")
    until = quota.spent(NOW, ZoneInfo("UTC"))
    assert until == datetime(2026, 3, 3, tzinfo=UTC)
    with pytest.raises(errors.RateLimitedError) as stopped:
        quota.check(NOW, system="hubspot", operation="get deal")
    assert stopped.value.retry_after == 15 * 3600.0
    quota.check(until, system="hubspot", operation="x")
    assert quota.seconds_left(until) is None


def _client(handler, **settings) -> tuple[HubSpotClient, list[float]]:
    slept: list[float] = []
    base = {"token": "pat-secret-token", "retry_base_seconds": 0.0}
    config = HubSpotSettings.model_validate(base | settings)
    client = HubSpotClient(
        httpx.Client(transport=httpx.MockTransport(handler)),
        config,
        burst=RollingWindow(1000, 1.0),
        search_window=RollingWindow(1000, 1.0),
        quota=DailyQuota(),
        sleep=slept.append,
        now=lambda: NOW,
    )
    return client, slept


def test_the_client_waits_as_told_then_succeeds() -> None:
    answers = [
        _response(429, {"policyName": "TEN_SECONDLY_ROLLING"}, {"Retry-After": "2"}),
        _response(503, _error("UNAVAILABLE")),
        _response(200, {"id": "1", "properties": {}, "createdAt": 0, "updatedAt": 0}),
    ]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[len(seen) - 1]

    client, slept = _client(handler)
    assert client.get_object("deals", "1", properties=["a", "b"]).id == "1"
    assert slept[0] == 2.0 and len(slept) == 2
    assert seen[0].headers["authorization"] == "Bearer pat-secret-token"
    assert seen[0].url.params["properties"] == "a,b"
    assert "pat-secret-token" not in repr(client)


def test_a_wait_longer_than_allowed_goes_to_the_job_engine_at_once() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return _response(429, {"policyName": "DAILY"})

    client, slept = _client(handler, max_retry_after=60)
    with pytest.raises(errors.RateLimitedError):
        client.get_object("deals", "1")
    assert len(calls) == 1 and slept == []
    with pytest.raises(errors.RateLimitedError):  # the quota is known spent: no request
        client.get_object("deals", "1")
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("family", "paths"),
    [
        (
            "v3",
            [
                "/crm/v3/objects/deals/1",
                "/crm/v4/objects/deals/1/associations/companies",
                "/crm/v4/associations/deals/companies/batch/read",
                "/crm/v3/pipelines/deals/p%2F1",
            ],
        ),
        (
            "2026-03",
            [
                "/crm/objects/2026-03/deals/1",
                "/crm/objects/2026-03/deals/1/associations/companies",
                "/crm/associations/2026-03/deals/companies/batch/read",
                "/crm/pipelines/2026-03/deals/p%2F1",
            ],
        ),
    ],
)
def test_paths_follow_the_family(family: str, paths: list[str]) -> None:
    client, _ = _client(lambda r: _response(200, {}), api_family=family)
    assert [
        client.objects_path("deal", "1"),
        client.object_associations_path("0-3", "1", "companies"),
        client.associations_path("deals", "companies", "batch", "read"),
        client.pipelines_path("deals", "p/1"),
    ] == paths


def test_a_partial_batch_update_is_rejected() -> None:
    body = {
        "status": "COMPLETE",
        "results": [],
        "errors": [_error("OBJECT_NOT_FOUND", "Could not update some DEAL objects")],
        "numErrors": 1,
    }
    client, _ = _client(lambda r: _response(207, body))
    with pytest.raises(errors.RejectedError, match="Could not update"):
        client.batch_update("deals", {"1": {"a": "b"}})


def test_paging_that_loops_is_an_error() -> None:
    page = {"results": [], "paging": {"next": {"after": "5"}}}
    client, _ = _client(lambda r: _response(200, page))
    with pytest.raises(errors.UnavailableError, match="loops"):
        list(client.pages("deals"))


def test_a_body_that_is_not_json_is_unavailable() -> None:
    client, _ = _client(lambda r: _response(200, b"<html>maintenance</html>"))
    with pytest.raises(errors.UnavailableError, match="not JSON"):
        client.pipelines()
