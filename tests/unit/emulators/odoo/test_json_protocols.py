"""JSON-2 (19) and JSON-RPC over plain httpx: success bodies, status codes and error bodies."""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any

import httpx
import pytest


@pytest.fixture
def http(served: Any, version: int) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served(version).url, timeout=10) as client:
        yield client


def _json2(http: httpx.Client, creds: Any, path: str, body: Any, **headers: str) -> httpx.Response:
    base = {
        "Authorization": f"bearer {creds.key}",
        "Content-Type": "application/json",
        "X-Odoo-Database": creds.db,
    }
    base.update(headers)
    return http.post(f"/json/2/{path}", json=body, headers=base)


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_json2_calls(http: httpx.Client, creds: Any, uniq: Any) -> None:
    version = http.get("/web/version")
    assert version.json() == {"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}
    assert _json2(http, creds, "res.users/context_get", {}).json() == {
        "lang": "en_US",
        "tz": "Europe/Brussels",
        "uid": 2,
    }
    name = uniq("j2")
    created = _json2(
        http, creds, "res.partner/create", {"vals_list": [{"name": name}, {"name": f"{name} b"}]}
    )
    assert created.status_code == 200
    ids = created.json()
    assert isinstance(ids, list) and len(ids) == 2
    # A single dict still answers a list: JSON-2 returns ``recordset.ids`` (no call_kw case).
    [child] = _json2(
        http, creds, "res.partner/create", {"vals_list": {"name": f"{name} c", "parent_id": ids[0]}}
    ).json()
    read = _json2(
        http, creds, "res.partner/read", {"ids": [child], "fields": ["parent_id"], "load": None}
    )
    assert read.json() == [{"id": child, "parent_id": ids[0]}]
    found = _json2(
        http,
        creds,
        "res.partner/search_read",
        {"domain": [["name", "=", name]], "fields": ["name"], "context": {"active_test": False}},
    )
    assert found.json() == [{"id": ids[0], "name": name}]
    count = _json2(http, creds, "res.partner/search_count", {"domain": [["name", "like", name]]})
    assert count.json() == 3
    assert (
        _json2(
            http, creds, "res.users/has_group", {"ids": [2], "group_ext_id": "base.group_system"}
        ).json()
        is True
    )
    assert (
        _json2(http, creds, "res.partner/write", {"ids": [child], "vals": {"ref": "X"}}).json()
        is True
    )


def _error(response: httpx.Response, status: int, name: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["name"] == name
    assert set(body) == {"name", "message", "arguments", "context", "debug"}
    return body


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_json2_errors(http: httpx.Client, creds: Any, uniq: Any) -> None:
    bad_key = _json2(http, creds, "res.partner/search", {"domain": []}, Authorization="bearer nope")
    body = _error(bad_key, 401, "werkzeug.exceptions.Unauthorized")
    assert body["message"] == "Invalid apikey"
    assert body["arguments"] == ["Invalid apikey", 401]
    assert bad_key.headers["www-authenticate"] == "Bearer"
    password = _json2(
        http, creds, "res.partner/search", {"domain": []}, Authorization=f"Bearer {creds.password}"
    )
    _error(password, 401, "werkzeug.exceptions.Unauthorized")
    no_type = http.post(
        "/json/2/res.partner/search",
        content=b'{"domain": []}',
        headers={"Authorization": f"bearer {creds.key}"},
    )
    assert no_type.status_code == 415
    assert no_type.headers["content-type"].startswith("text/html")
    assert "Please verify the Content-Type request header" in no_type.text
    model = _error(
        _json2(http, creds, "res.nope/search", {"domain": []}), 404, "werkzeug.exceptions.NotFound"
    )
    assert model["message"] == "the model 'res.nope' does not exist"
    method = _error(
        _json2(http, creds, "res.partner/nope", {}), 404, "werkzeug.exceptions.NotFound"
    )
    assert method["message"] == "The method 'res.partner.nope' does not exist"
    route = _error(_json2(http, creds, "res.partner", {}), 404, "werkzeug.exceptions.NotFound")
    assert route["message"] == "Did you mean POST /json/2/<model>/<method>?"
    private = _error(
        _json2(http, creds, "res.partner/_search", {"domain": []}),
        403,
        "odoo.exceptions.AccessError",
    )
    assert (
        private["message"]
        == "Private methods (such as 'res.partner._search') cannot be called remotely."
    )
    with_ids = _error(
        _json2(http, creds, "res.partner/search", {"ids": [1], "domain": []}),
        422,
        "werkzeug.exceptions.UnprocessableEntity",
    )
    assert with_ids["message"] == "cannot call res.partner.search with ids"
    missing = _error(
        _json2(http, creds, "res.partner/search", {}),
        422,
        "werkzeug.exceptions.UnprocessableEntity",
    )
    assert missing["message"] == "missing a required argument: 'domain'"
    pid = _json2(http, creds, "res.partner/create", {"vals_list": [{"name": uniq("err")}]}).json()[
        0
    ]
    recursive = _error(
        _json2(http, creds, "res.partner/write", {"ids": [pid], "vals": {"parent_id": pid}}),
        422,
        "odoo.exceptions.ValidationError",
    )
    assert recursive["arguments"] == ["You cannot create recursive Partner hierarchies."]
    gone = _error(
        _json2(http, creds, "res.partner/write", {"ids": [2_000_000_000], "vals": {"ref": "x"}}),
        404,
        "odoo.exceptions.MissingError",
    )
    assert gone["message"].startswith("Record does not exist or has been deleted.")
    crash = _error(
        _json2(http, creds, "res.partner/create", {"vals_list": [{"nope": 1}]}),
        500,
        "builtins.ValueError",
    )
    assert crash["debug"].startswith("Traceback (most recent call last):")
    not_json = http.post(
        "/json/2/res.partner/search",
        content=b"{nope",
        headers={"Authorization": f"bearer {creds.key}", "Content-Type": "application/json"},
    )
    assert _error(not_json, 400, "werkzeug.exceptions.BadRequest")["message"].startswith(
        "could not parse the body as json"
    )
    other_db = _json2(
        http, creds, "res.partner/search", {"domain": []}, **{"X-Odoo-Database": "other"}
    )
    assert other_db.status_code == 404
    assert other_db.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("version", [17, 18], ids=["v17", "v18"])
def test_no_json2_before_19(http: httpx.Client, creds: Any) -> None:
    answer = _json2(http, creds, "res.partner/search", {"domain": []})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert http.get("/web/version").status_code == 404


def _jsonrpc(http: httpx.Client, service: str, method: str, *args: Any) -> dict[str, Any]:
    payload = {
        "jsonrpc": "2.0",
        "method": "call",
        "id": 3,
        "params": {"service": service, "method": method, "args": list(args)},
    }
    response = http.post("/jsonrpc", json=payload)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_jsonrpc(http: httpx.Client, version: int, creds: Any, uniq: Any) -> None:
    assert _jsonrpc(http, "common", "version")["result"]["server_version_info"][0] == version
    assert _jsonrpc(http, "common", "login", creds.db, "admin", creds.key) == {
        "jsonrpc": "2.0",
        "id": 3,
        "result": 2,
    }
    assert _jsonrpc(http, "common", "authenticate", creds.db, "admin", "bad", {})["result"] is False
    denied = _jsonrpc(
        http, "object", "execute_kw", creds.db, 2, "bad", "res.partner", "search", [[]]
    )
    error = denied["error"]
    assert error["code"] == (0 if version >= 19 else 200)
    assert error["message"] == "Odoo Server Error"
    assert error["data"]["name"] == "odoo.exceptions.AccessDenied"
    assert error["data"]["message"] == "Access Denied"
    assert set(error["data"]) == {"name", "message", "arguments", "context", "debug"}
    pid = _jsonrpc(
        http,
        "object",
        "execute_kw",
        creds.db,
        2,
        creds.key,
        "res.partner",
        "create",
        [{"name": uniq("jr")}],
    )["result"]
    validation = _jsonrpc(
        http,
        "object",
        "execute_kw",
        creds.db,
        2,
        creds.key,
        "res.partner",
        "write",
        [[pid], {"parent_id": pid}],
    )
    assert validation["error"]["data"]["name"] == "odoo.exceptions.ValidationError"
    move = _jsonrpc(
        http,
        "object",
        "execute_kw",
        creds.db,
        2,
        creds.key,
        "account.move",
        "create",
        [
            {
                "move_type": "out_invoice",
                "partner_id": pid,
                "invoice_line_ids": [[0, 0, {"name": "x", "quantity": 1, "price_unit": 10}]],
            }
        ],
    )["result"]
    _jsonrpc(
        http,
        "object",
        "execute_kw",
        creds.db,
        2,
        creds.key,
        "account.move",
        "action_post",
        [[move]],
    )
    none = _jsonrpc(
        http,
        "object",
        "execute_kw",
        creds.db,
        2,
        creds.key,
        "account.move",
        "button_draft",
        [[move]],
    )
    assert none == {"jsonrpc": "2.0", "id": 3}  # a None result has no "result" key
    wrong_type = http.post("/jsonrpc", content=b"{}", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == (415 if version >= 19 else 400)
    assert "Request inferred type is compatible with ['http']" in html.unescape(wrong_type.text)
