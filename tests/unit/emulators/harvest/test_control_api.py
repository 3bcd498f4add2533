"""The emulator's ``/_emulator/`` control API: seed, approve, edit, clock, faults, config."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest

from lead2cash.emulators.harvest import create_app


def _seed_entries(control: httpx.Client, n: int = 4) -> list[int]:
    entries = [
        {
            "user_id": 11,
            "project_id": 31 if i < 3 else 32,
            "task_id": 41,
            "spent_date": f"2026-02-{i + 1:02d}",
            "hours": "2",
        }
        for i in range(n)
    ]
    answer = control.post("seed", json={"time_entries": entries})
    assert answer.status_code == 200, answer.text
    return answer.json()["created"]["time_entries"]  # type: ignore[no-any-return]


def test_create_app_keeps_the_cli_signature_and_exposes_state() -> None:
    app = create_app(token="t", account_id="1")
    assert app.state.emulator.token == "t" and app.state.emulator.account_id == "1"


def test_seed_assigns_ids_and_timestamps_from_the_clock(control, seeded) -> None:
    answer = control.post("seed", json={"clients": [{"name": "New"}]}).json()
    (client_id,) = answer["created"]["clients"]
    assert client_id == 5735001
    record = control.get(f"clients/{client_id}").json()
    assert record["created_at"] == record["updated_at"] == "2026-03-02T09:00:00Z"
    assert record["currency"] == "USD" and len(record["statement_key"]) == 32


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"projects": [{"client_id": 999, "name": "X"}]}, "client_id 999 does not exist"),
        ({"clients": [{"id": 21, "name": "dup"}]}, "id 21 exists"),
        ({"time_entries": [{"user_id": 11}]}, "project_id"),
        ({"widgets": []}, "unknown resources"),
        ({"users": {"first_name": "x"}}, "must be a list"),
    ],
)
def test_seed_errors_are_422_and_change_nothing(control, seeded, document, message) -> None:
    before = control.get("clients").json()
    answer = control.post("seed", json={"clients": [{"name": "Never"}], **document})
    assert answer.status_code == 422 and message in answer.json()["message"]
    assert control.get("clients").json() == before


def test_seed_refuses_python_floats(seeded) -> None:
    with pytest.raises(Exception, match="Decimal"):
        seeded.seed(
            {"clients": [{"name": "x"}], "tasks": [{"name": "t", "default_hourly_rate": 1.1}]}
        )


def test_approve_by_ids_and_by_range_bumps_updated_at(control, seeded) -> None:
    ids = _seed_entries(control)
    control.post("clock", json={"advance_seconds": 120})
    answer = control.post(
        "time_entries/approve", json={"project_id": 31, "from": "2026-02-02", "to": "2026-02-28"}
    )
    assert answer.json() == {"updated": ids[1:3]}
    approved = control.get(f"time_entries/{ids[1]}").json()
    assert approved["is_closed"] and approved["is_locked"]
    assert approved["locked_reason"] == "Item Approved and Locked for this Time Period"
    assert approved["updated_at"] == "2026-03-02T09:02:00Z"
    untouched = control.get(f"time_entries/{ids[0]}").json()
    assert untouched["updated_at"] == "2026-03-02T09:00:00Z" and not untouched["is_closed"]
    # Approving again changes nothing; reopening by ids does.
    assert control.post("time_entries/approve", json={"ids": ids[1:3]}).json()["updated"] == []
    control.post("clock", json={"advance_seconds": 60})
    assert control.post("time_entries/unapprove", json={"ids": [ids[1]]}).json() == {
        "updated": [ids[1]]
    }
    reopened = control.get(f"time_entries/{ids[1]}").json()
    assert not reopened["is_closed"] and not reopened["is_locked"]
    assert reopened["updated_at"] == "2026-03-02T09:03:00Z"


def test_approve_needs_a_selector_and_skips_running_timers(control, seeded) -> None:
    assert control.post("time_entries/approve", json={}).status_code == 422
    assert control.post("time_entries/approve", json={"colour": "red"}).status_code == 422
    running = control.post(
        "seed",
        json={
            "time_entries": [
                {
                    "user_id": 11,
                    "project_id": 31,
                    "task_id": 41,
                    "spent_date": "2026-03-02",
                    "is_running": True,
                }
            ]
        },
    ).json()["created"]["time_entries"]
    assert control.post("time_entries/approve", json={"ids": running}).json()["updated"] == []


def test_expenses_approve_and_unapprove(control, seeded) -> None:
    answer = control.post(
        "seed",
        json={
            "expenses": [
                {
                    "user_id": 11,
                    "project_id": 31,
                    "expense_category_id": 51,
                    "spent_date": "2026-02-0" + str(d),
                    "total_cost": "12.5",
                }
                for d in (1, 2)
            ]
        },
    ).json()
    ids = answer["created"]["expenses"]
    assert control.post("expenses/approve", json={"to": "2026-02-01"}).json() == {
        "updated": ids[:1]
    }
    assert control.get(f"expenses/{ids[0]}").json()["is_closed"] is True
    assert control.post("expenses/unapprove", json={"ids": ids}).json() == {"updated": ids[:1]}


def test_edit_and_delete_entries(api, control, seeded) -> None:
    (entry_id,) = _seed_entries(control, 1)
    control.post("clock", json={"advance_seconds": 30})
    edited = control.patch(f"time_entries/{entry_id}", json={"hours": 3.75, "notes": "fixed"})
    assert edited.status_code == 200
    assert edited.json()["hours"] == 3.75 and edited.json()["updated_at"] == "2026-03-02T09:00:30Z"
    assert api.get(f"time_entries/{entry_id}").json()["notes"] == "fixed"
    stamped = control.patch(f"time_entries/{entry_id}", json={"updated_at": "2026-03-01T00:00:00Z"})
    assert stamped.json()["updated_at"] == "2026-03-01T00:00:00Z"
    assert control.patch(f"time_entries/{entry_id}", json={"task_id": 999}).status_code == 422
    assert control.patch(f"time_entries/{entry_id}", json={"id": 5}).status_code == 422
    assert control.delete(f"time_entries/{entry_id}").json() == {"deleted": entry_id}
    assert api.get(f"time_entries/{entry_id}").status_code == 404
    assert control.delete(f"time_entries/{entry_id}").status_code == 404
    # Renaming a project shows in the entries that point to it.
    (other,) = _seed_entries(control, 1)
    control.patch("projects/31", json={"name": "Web v2"})
    assert api.get(f"time_entries/{other}").json()["project"]["name"] == "Web v2"


def test_clock_set_advance_unfreeze(control, state) -> None:
    answer = control.post("clock", json={"set": "2026-05-01T10:00:00Z"}).json()
    assert answer == {"now": "2026-05-01T10:00:00Z", "frozen": True}
    assert (
        control.post("clock", json={"advance_seconds": 90}).json()["now"] == "2026-05-01T10:01:30Z"
    )
    control.post("clock", json={"unfreeze": True})
    time.sleep(1.1)
    moved = datetime.fromisoformat(control.get("clock").json()["now"])
    assert moved > datetime(2026, 5, 1, 10, 1, 30, tzinfo=UTC)
    assert control.get("clock").json()["frozen"] is False


def test_faults_via_the_control_api(api, control, seeded) -> None:
    rule = {"kind": "status", "status": 503, "count": 1, "path_prefix": "/v2/users"}
    assert len(control.post("faults", json=rule).json()["faults"]) == 1
    assert api.get("users").status_code == 503
    assert api.get("users").status_code == 200
    control.post("faults", json={"kind": "status", "status": 429, "retry_after": 2})
    limited = api.get("clients")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert limited.headers["content-type"].startswith("text/html")
    control.post("faults", json={"kind": "rate_limit", "seconds": 30, "retry_after": 1})
    assert api.get("tasks").status_code == 429
    control.post("faults", json={"kind": "latency", "latency": 5, "count": 3})
    assert control.delete("faults").json() == {"faults": []}
    assert api.get("tasks").status_code == 200
    assert control.post("faults", json={"kind": "status", "colour": "red"}).status_code == 422


def test_config_and_reset(api, control, seeded) -> None:
    changed = control.post(
        "config", json={"paging": {"time_entries": "cursor"}, "me_user_id": 12}
    ).json()
    assert changed["paging"]["time_entries"] == "cursor" and changed["me_user_id"] == 12
    assert api.get("users/me").json()["id"] == 12
    assert control.post("config", json={"paging": {"time_entries": "pages"}}).status_code == 422
    assert control.post("config", json={"speed": 1}).status_code == 422
    assert control.post("reset").json() == {"ok": True}
    assert control.get("calls").json() == {"calls": []}
    assert control.get("config").json()["paging"]["time_entries"] == "page"
    assert api.get("users").json()["total_entries"] == 0
    assert api.get("users/me").status_code == 404
