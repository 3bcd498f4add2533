"""The unchanged ``odoorpc`` client against the emulator on a real socket (JSON-RPC and the web
client's JSON routes)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import odoorpc
import pytest


@pytest.mark.parametrize("version", [17, 19], ids=["v17", "v19"])
def test_odoorpc_session(served: Any, version: int, creds: Any, uniq: Any) -> None:
    server = served(version)
    odoo = odoorpc.ODOO("127.0.0.1", port=server.port)
    assert odoo.version == f"{version}.0"
    assert odoo.db.list() == [creds.db]
    odoo.login(creds.db, "admin", creds.key)
    assert odoo.env.uid == 2
    assert odoo.env.user.name == "Administrator"
    partners = odoo.env["res.partner"]
    name = uniq("orpc")
    pid = partners.create({"name": name, "is_company": True})
    assert partners.search([("name", "=", name)]) == [pid]
    record = partners.browse(pid)
    assert record.name == name
    record.email = "orpc@example.com"
    assert partners.browse(pid).email == "orpc@example.com"
    child = partners.create({"name": f"{name} child", "parent_id": pid})
    assert partners.browse(child).parent_id.id == pid
    assert "res.partner" in odoo.env
    assert "res.nope" not in odoo.env
    with pytest.raises(odoorpc.error.RPCError) as info:
        partners.browse(pid).write({"parent_id": pid})
    assert info.value.info["data"]["name"] == "odoo.exceptions.ValidationError"
    assert info.value.info["code"] == (0 if version >= 19 else 200)
    odoo.logout()


def _web(url: str, route: str, params: dict[str, Any], cookie: str | None = None) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params, "id": 7}).encode()
    request = urllib.request.Request(f"{url}{route}", data=body)  # noqa: S310 - 127.0.0.1
    request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request) as response:  # noqa: S310
        return json.loads(response.read()), response.headers.get("Set-Cookie")


def test_web_session_routes(served: Any, creds: Any) -> None:
    url = served(18).url
    answer, _ = _web(
        url,
        "/web/dataset/call_kw",
        {"model": "res.partner", "method": "search", "args": [[]], "kwargs": {}},
    )
    assert answer["error"]["code"] == 100
    assert answer["error"]["message"] == "Odoo Session Expired"
    assert answer["error"]["data"]["name"] == "odoo.http.SessionExpiredException"
    denied, _ = _web(
        url, "/web/session/authenticate", {"db": creds.db, "login": "admin", "password": "x"}
    )
    assert denied["error"]["data"]["name"] == "odoo.exceptions.AccessDenied"
    info, cookie = _web(
        url,
        "/web/session/authenticate",
        {"db": creds.db, "login": "admin", "password": creds.password},
    )
    assert info["result"]["uid"] == 2
    assert info["result"]["server_version_info"][0] == 18
    assert cookie and cookie.startswith("session_id=")
    session = cookie.split(";")[0]
    found, _ = _web(
        url,
        "/web/dataset/call_kw/res.partner/search_count",
        {"model": "res.partner", "method": "search_count", "args": [[]], "kwargs": {}},
        session,
    )
    assert found["result"] >= 3
    version, _ = _web(url, "/web/webclient/version_info", {})
    assert version["result"]["server_version"] == "18.0"
