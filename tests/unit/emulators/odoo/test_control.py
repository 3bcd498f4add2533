"""The ``/_emulator/`` control API: reset, seed (least-privilege users included), state, faults
on every protocol, call logs, clock."""

from __future__ import annotations

import time
import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from lead2cash.emulators.server import serving

BOT_KEY = "b0" * 20


@pytest.fixture(scope="module")
def server() -> Iterator[Any]:
    from lead2cash.emulators.odoo import create_app

    app = create_app(version=19, db="odoo", login="admin", password="admin-pw", api_key="a1" * 20)
    with serving(app) as running:
        yield running


@pytest.fixture
def http(server: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert client.post("/_emulator/reset").json() == {"ok": True}
        yield client


def _json2(http: httpx.Client, path: str, body: Any, key: str = "a1" * 20) -> httpx.Response:
    return http.post(f"/json/2/{path}", json=body, headers={"Authorization": f"bearer {key}"})


SEED = {
    "companies": [{"key": "eu", "name": "Acme EU", "currency": "EUR", "country": "BE"}],
    "users": [
        {
            "key": "bot",
            "login": "bot",
            "name": "Integration Bot",
            "api_key": BOT_KEY,
            "groups": [
                "base.group_user",
                "sales_team.group_sale_salesman",
                "project.group_project_user",
                "hr_timesheet.group_hr_timesheet_approver",
                "account.group_account_invoice",
            ],
            "companies": ["main", "eu"],
            "employee": {"hourly_cost": 50},
        }
    ],
    "partners": [
        {"key": "acme", "name": "ACME", "is_company": True, "ref": "CRM-1", "company": "eu"}
    ],
    "products": [
        {
            "key": "tm",
            "name": "Consulting",
            "default_code": "CONS",
            "service_policy": "delivered_timesheet",
            "service_tracking": "project_only",
            "list_price": 150,
            "uom": "hour",
        }
    ],
    "pricelists": [{"key": "eur", "name": "EUR", "currency": "EUR", "company": "eu"}],
    "records": [
        {
            "key": "ops",
            "model": "project.project",
            "values": {"name": "Ops"},
            "xmlid": "lead2cash.ops",
        }
    ],
}


def test_reset_seed_and_state(http: httpx.Client) -> None:
    before = http.get("/_emulator/state").json()
    assert before["version"] == "19.0" and before["db"] == "odoo"
    seeded = http.post("/_emulator/seed", json=SEED)
    assert seeded.status_code == 200, seeded.text
    body = seeded.json()
    assert set(body["keys"]) == {"eu", "bot", "acme", "tm", "eur", "ops"}
    assert body["created"]["users"] == [body["keys"]["bot"]]
    after = http.get("/_emulator/state").json()["counts"]
    assert after["res.company"] == 2
    assert after["hr.employee"] == before["counts"]["hr.employee"] + 2  # one per company
    records = http.get(
        "/_emulator/records/res.partner",
        params={"domain": '[["ref", "=", "CRM-1"]]', "fields": "name,company_id"},
    ).json()
    assert records == {
        "records": [{"id": body["keys"]["acme"], "name": "ACME", "company_id": body["keys"]["eu"]}]
    }
    product = http.get(
        "/_emulator/records/product.product",
        params={
            "domain": '[["default_code", "=", "CONS"]]',
            "fields": "service_policy,service_tracking",
        },
    ).json()["records"]
    assert product[0]["service_policy"] == "delivered_timesheet"
    ops = _json2(
        http, "ir.model.data/check_object_reference", {"module": "lead2cash", "xml_id": "ops"}
    )
    assert ops.json() == ["project.project", body["keys"]["ops"]]
    http.post("/_emulator/reset")
    assert http.get("/_emulator/state").json()["counts"] == before["counts"]


def test_seed_is_all_or_nothing(http: httpx.Client) -> None:
    bad = http.post(
        "/_emulator/seed",
        json={"partners": [{"name": "kept?"}], "users": [{"login": "x", "groups": ["base.nope"]}]},
    )
    assert bad.status_code == 422
    assert bad.json()["message"] == "unknown group 'base.nope'"
    found = _json2(http, "res.partner/search_count", {"domain": [["name", "=", "kept?"]]})
    assert found.json() == 0
    assert http.post("/_emulator/seed", json={"nope": []}).status_code == 422


def test_least_privilege_user(http: httpx.Client) -> None:
    http.post("/_emulator/seed", json=SEED).raise_for_status()

    def allowed(model: str, operation: str) -> bool:
        answer = _json2(
            http,
            f"{model}/check_access_rights",
            {"operation": operation, "raise_exception": False},
            BOT_KEY,
        )
        result: bool = answer.json()
        return result

    assert allowed("sale.order", "create") and allowed("account.analytic.line", "unlink")
    assert not allowed("project.project", "create") and not allowed("ir.model.data", "read")
    assert not allowed("hr.employee", "read") and allowed("hr.employee.public", "read")
    assert not allowed("res.currency", "write")
    me = _json2(http, "res.users/context_get", {}, BOT_KEY).json()
    bot = me["uid"]
    assert (
        _json2(
            http,
            "res.users/has_group",
            {"ids": [bot], "group_ext_id": "base.group_system"},
            BOT_KEY,
        ).json()
        is False
    )
    denied = _json2(http, "project.project/create", {"vals_list": [{"name": "x"}]}, BOT_KEY)
    assert denied.status_code == 403
    assert denied.json()["message"].startswith(
        "You are not allowed to create 'Project' (project.project) records."
    )
    hidden = _json2(http, "ir.model.data/search_read", {"domain": [], "fields": ["name"]}, BOT_KEY)
    assert hidden.status_code == 403
    employees = _json2(
        http,
        "hr.employee.public/search_read",
        {"domain": [["user_id", "=", bot]], "fields": ["company_id"]},
        BOT_KEY,
    )
    assert len(employees.json()) == 2
    restricted = _json2(http, "hr.employee/read", {"ids": [1], "fields": ["hourly_cost"]}, BOT_KEY)
    assert restricted.status_code == 403


def test_status_latency_and_drop_faults(http: httpx.Client) -> None:
    http.post(
        "/_emulator/faults",
        json={"kind": "rate_limit", "retry_after": 2, "path_prefix": "/json/2/res.partner"},
    )
    limited = _json2(http, "res.partner/search_count", {"domain": []})
    assert limited.status_code == 429 and limited.headers["retry-after"] == "2"
    assert _json2(http, "res.partner/search_count", {"domain": []}).status_code == 200
    http.post("/_emulator/faults", json={"kind": "status", "status": 503, "count": 2})
    assert http.get("/faults-listed").status_code == 503
    listed = http.get("/_emulator/faults").json()["faults"]
    assert listed[0]["status"] == 503 and listed[0]["count"] == 1
    assert http.delete("/_emulator/faults").json() == {"faults": []}
    http.post("/_emulator/faults", json={"kind": "latency", "latency": 0.2})
    started = time.perf_counter()
    _json2(http, "res.partner/search_count", {"domain": []})
    assert time.perf_counter() - started >= 0.2
    http.post(
        "/_emulator/faults", json={"kind": "drop", "path_prefix": "/json/2/res.partner/create"}
    )
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):  # reset or cut short
        _json2(http, "res.partner/create", {"vals_list": [{"name": "dropped"}]})
    assert (
        _json2(http, "res.partner/search_count", {"domain": [["name", "=", "dropped"]]}).json() == 0
    )


def test_serialization_failure_on_every_protocol(http: httpx.Client, server: Any) -> None:
    fault = {"kind": "serialization_failure"}
    http.post("/_emulator/faults", json={**fault, "path_prefix": "/json/2/res.partner/create"})
    failed = _json2(http, "res.partner/create", {"vals_list": [{"name": "sf json2"}]})
    assert failed.status_code == 500
    assert failed.json()["name"] == "psycopg2.errors.SerializationFailure"
    assert failed.json()["message"] == "could not serialize access due to concurrent update"

    http.post("/_emulator/faults", json={**fault, "path_prefix": "/jsonrpc/res.partner/create"})
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["odoo", 2, "admin-pw", "res.partner", "create", [{"name": "sf jsonrpc"}], {}],
        },
    }
    answer = http.post("/jsonrpc", json=payload).json()
    assert answer["error"]["data"]["name"] == "psycopg2.errors.SerializationFailure"

    http.post(
        "/_emulator/faults", json={**fault, "path_prefix": "/xmlrpc/2/object/res.partner/create"}
    )
    with xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object") as proxy:
        with pytest.raises(xmlrpc.client.Fault) as info:
            proxy.execute_kw(
                "odoo", 2, "admin-pw", "res.partner", "create", [{"name": "sf xmlrpc"}]
            )
        assert info.value.faultCode == 1
        assert info.value.faultString.rstrip().endswith(
            "psycopg2.errors.SerializationFailure: "
            "could not serialize access due to concurrent update"
        )
        assert (
            proxy.execute_kw(
                "odoo", 2, "admin-pw", "res.partner", "search_count", [[("name", "like", "sf ")]]
            )
            == 0
        )
    calls = http.get("/_emulator/calls").json()
    outcomes = [(c["protocol"], c["model"], c["method"], c["outcome"]) for c in calls["rpc"]]
    assert ("json2", "res.partner", "create", "psycopg2.errors.SerializationFailure") in outcomes
    assert ("xmlrpc", "res.partner", "create", "psycopg2.errors.SerializationFailure") in outcomes
    assert ("xmlrpc", "res.partner", "search_count", "ok") in outcomes
    assert any(c["path"] == "/xmlrpc/2/object" for c in calls["calls"])
    assert http.delete("/_emulator/calls").json() == {"calls": [], "rpc": []}


def test_clock(http: httpx.Client) -> None:
    frozen = http.post(
        "/_emulator/clock", json={"set": "2030-03-01T12:00:00Z", "frozen": True}
    ).json()
    assert frozen == {"now": "2030-03-01 12:00:00", "frozen": True}
    [pid] = _json2(http, "res.partner/create", {"vals_list": [{"name": "clocked"}]}).json()
    [row] = _json2(http, "res.partner/read", {"ids": [pid], "fields": ["write_date"]}).json()
    assert row["write_date"] == "2030-03-01 12:00:00"
    later = http.post("/_emulator/clock", json={"advance_seconds": 3600}).json()
    assert later["now"] == "2030-03-01 13:00:00"
    _json2(http, "res.partner/write", {"ids": [pid], "vals": {"ref": "x"}})
    changed = _json2(
        http, "res.partner/search", {"domain": [["write_date", ">", "2030-03-01 12:30:00"]]}
    ).json()
    assert changed == [pid]
    assert http.post("/_emulator/clock", json={"reset": True}).json()["frozen"] is False
