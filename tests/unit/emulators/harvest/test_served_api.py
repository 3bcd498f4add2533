"""The emulator's ``/v2/`` API: auth, paging, filters, derived fields, errors, limits."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from lead2cash.emulators.faults import FaultRule

INVALID_TOKEN = {
    "error": "invalid_token",
    "error_description": (
        "The access token provided is expired, revoked, malformed or invalid for other reasons."
    ),
}


def _entries(n: int, **extra: object) -> list[dict[str, object]]:
    return [
        {
            "user_id": 11,
            "project_id": 31,
            "task_id": 41,
            "spent_date": f"2026-02-{i + 1:02d}",
            "hours": "1.5",
        }
        | extra
        for i in range(n)
    ]


@pytest.mark.parametrize(
    "headers",
    [
        {"Harvest-Account-Id": "7654321"},
        {"Authorization": "Bearer wrong", "Harvest-Account-Id": "7654321"},
        {"Authorization": "Bearer emulator-unit-token"},
        {"Authorization": "Bearer emulator-unit-token", "Harvest-Account-Id": "1"},
        {"Authorization": "Basic emulator-unit-token", "Harvest-Account-Id": "7654321"},
    ],
)
def test_auth_failures_answer_401_with_harvests_body(server, state, headers) -> None:
    running, _ = server
    response = httpx.get(f"{running.url}/v2/users", headers=headers)
    assert response.status_code == 401
    assert response.json() == INVALID_TOKEN
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-request-id"]


def test_query_string_auth_works(server, seeded) -> None:
    running, _ = server
    response = httpx.get(
        f"{running.url}/v2/users/me",
        params={"access_token": "emulator-unit-token", "account_id": "7654321"},
    )
    assert response.status_code == 200 and response.json()["id"] == 11


def test_a_missing_user_agent_is_refused(api, seeded) -> None:
    request = api.build_request("GET", "users")
    del request.headers["user-agent"]
    response = api.send(request)
    assert response.status_code == 400
    seeded.configure({"require_user_agent": False})
    assert api.send(request).status_code == 200


def test_offset_paging_envelope_and_links(api, seeded) -> None:
    seeded.seed({"time_entries": _entries(5)})
    body = api.get("time_entries", params={"per_page": 2, "page": 2, "project_id": 31}).json()
    assert [e["spent_date"] for e in body["time_entries"]] == ["2026-02-03", "2026-02-02"]
    envelope = {k: v for k, v in body.items() if k != "time_entries"}
    base = str(api.base_url).rstrip("/") + "/time_entries"
    assert envelope == {
        "per_page": 2,
        "total_pages": 3,
        "total_entries": 5,
        "next_page": 3,
        "previous_page": 1,
        "page": 2,
        "links": {
            "first": f"{base}?page=1&per_page=2&project_id=31",
            "next": f"{base}?page=3&per_page=2&project_id=31",
            "previous": f"{base}?page=1&per_page=2&project_id=31",
            "last": f"{base}?page=3&per_page=2&project_id=31",
        },
    }
    last = api.get(body["links"]["next"]).json()
    assert last["next_page"] is None and last["links"]["next"] is None
    assert len(last["time_entries"]) == 1


def test_cursor_paging_walks_every_record_once(api, seeded) -> None:
    seeded.seed({"users": [{"first_name": f"U{i}"} for i in range(5)]})  # 7 users
    body = api.get("users", params={"per_page": 3, "is_active": "true"}).json()
    assert body["page"] == 1 and body["next_page"] == 2 and body["total_entries"] == 6
    seen = [u["id"] for u in body["users"]]
    pages = [body]
    while body["links"]["next"]:
        nxt = body["links"]["next"]
        query = parse_qs(urlsplit(nxt).query)
        assert query["ref"] == ["next_cursor"] and query["is_active"] == ["true"]
        assert "page" not in query
        body = api.get(nxt).json()
        pages.append(body)
        seen += [u["id"] for u in body["users"]]
    assert len(seen) == len(set(seen)) == 6
    assert [p["page"] for p in pages] == [1, 2]  # 2 is also the last page
    previous = api.get(pages[-1]["links"]["previous"]).json()
    assert [u["id"] for u in previous["users"]] == [u["id"] for u in pages[0]["users"]]


def test_cursor_pages_in_the_middle_have_null_page_numbers(api, seeded) -> None:
    seeded.seed({"clients": [{"name": f"C{i}"} for i in range(4)]})  # 5 clients
    first = api.get("clients", params={"per_page": 2}).json()
    middle = api.get(first["links"]["next"]).json()
    last = api.get(middle["links"]["next"]).json()
    assert (middle["page"], middle["next_page"], middle["previous_page"]) == (None, None, None)
    assert (last["page"], last["previous_page"], last["links"]["next"]) == (3, 2, None)
    assert middle["links"]["first"].endswith("page=1&per_page=2&ref=first")


def test_per_page_limits_and_bad_filters_answer_422(api, seeded) -> None:
    for params in (
        {"per_page": 2001},
        {"per_page": 0},
        {"updated_since": "yesterday"},
        {"is_running": "maybe"},
        {"from": "2026-02-30"},
        {"cursor": "garbage"},
    ):
        response = api.get("time_entries" if "cursor" not in params else "users", params=params)
        assert response.status_code == 422, params
        assert "message" in response.json()


def test_unknown_paths_and_ids_answer_404(api, seeded) -> None:
    for path in ("time_entries/999", "nothing", "projects/999/task_assignments", "a/b/c"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"status": 404, "error": "Not Found"}


def test_filters(api, seeded) -> None:
    seeded.seed({"time_entries": _entries(4)})
    seeded.clock.advance(3600)
    ids = seeded.seed({"time_entries": _entries(1, is_running=True, task_id=42)})["time_entries"]
    since = (seeded.clock.now() - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    got = api.get("time_entries", params={"updated_since": since}).json()["time_entries"]
    assert [e["id"] for e in got] == ids
    assert api.get("time_entries", params={"is_running": "true"}).json()["total_entries"] == 1
    window = {"from": "2026-02-02", "to": "2026-02-03"}
    assert api.get("time_entries", params=window).json()["total_entries"] == 2
    assert api.get("time_entries", params={"client_id": 21}).json()["total_entries"] == 5
    assert api.get("time_entries", params={"client_id": 22}).json()["total_entries"] == 0
    assert api.get("users", params={"is_active": "false"}).json()["users"][0]["id"] == 12
    assert api.get("projects", params={"is_active": "true"}).json()["total_entries"] == 1
    scoped = api.get("projects/31/task_assignments", params={"is_active": "true"}).json()
    assert {a["task"]["id"] for a in scoped["task_assignments"]} == {41, 42}
    assert scoped["links"]["next"] is None and scoped["page"] == 1


def test_time_entry_derived_fields(api, seeded) -> None:
    seeded.seed({"time_entries": _entries(1) + _entries(1, task_id=42)})
    design, admin = sorted(
        api.get("time_entries").json()["time_entries"], key=lambda e: e["task"]["id"]
    )
    assert design["billable"] is True and admin["billable"] is False
    assert design["billable_rate"] == 110.5 and admin["billable_rate"] is None  # bill_by People
    assert design["cost_rate"] == 50
    assert design["client"] == {"id": 21, "name": "ABC"}
    assert design["user"] == {"id": 11, "name": "Kim Allen"}
    assert design["user_assignment"]["hourly_rate"] == 110.5
    assert "project" not in design["user_assignment"]  # nested as in Harvest's examples
    assert design["is_locked"] is False and design["locked_reason"] is None


def test_numbers_are_written_digit_for_digit(api, seeded) -> None:
    seeded.seed({"time_entries": _entries(1, hours="0.1", billable_rate="1234567.89")})
    raw = api.get("time_entries").text
    assert '"hours":0.1,' in raw and '"billable_rate":1234567.89' in raw
    entry = json.loads(raw, parse_float=Decimal)["time_entries"][0]
    assert entry["billable_rate"] == Decimal("1234567.89")


def test_expense_shape(api, seeded) -> None:
    seeded.seed(
        {
            "expenses": [
                {
                    "user_id": 11,
                    "project_id": 31,
                    "expense_category_id": 51,
                    "spent_date": "2026-02-03",
                    "units": 100,
                    "is_closed": True,
                }
            ]
        }
    )
    (expense,) = api.get("expenses").json()["expenses"]
    assert expense["total_cost"] == 30 and expense["units"] == 100
    assert expense["expense_category"]["unit_price"] == "0.3"  # a string, as the spec types it
    assert expense["client"] == {"id": 21, "name": "ABC", "currency": "EUR"}
    assert expense["is_locked"] and expense["locked_reason"].startswith("Item Approved")


def test_the_rate_limit_answers_429_with_retry_after_and_html(api, seeded) -> None:
    seeded.configure({"rate_limit": {"requests": 3, "period_seconds": 2}})
    statuses = [api.get("users").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("users")
    assert response.status_code == 429
    assert response.headers["retry-after"] in ("1", "2")
    assert response.headers["content-type"].startswith("text/html")
    assert "Too Many Requests" in response.text


def test_a_429_fault_rule_uses_harvests_answer(api, seeded) -> None:
    seeded.plan.add(FaultRule("custom", 1, "/v2/users", name="rate_limit", retry_after=7))
    response = api.get("users")
    assert (response.status_code, response.headers["retry-after"]) == (429, "7")
    assert api.get("users").status_code == 200


def test_the_call_log_records_api_calls_without_secrets(api, control, seeded) -> None:
    api.get("users", params={"per_page": 5})
    calls: list[dict[str, object]] = []
    for _ in range(100):  # the call is logged just after it is answered
        calls = control.get("calls", params={"path_prefix": "/v2/"}).json()["calls"]
        if calls:
            break
        time.sleep(0.01)
    assert [(c["method"], c["path"], c["query"], c["status"]) for c in calls] == [
        ("GET", "/v2/users", "per_page=5", 200)
    ]
    assert "authorization" not in calls[0]["headers"]
    assert calls[0]["headers"]["harvest-account-id"] == "7654321"
