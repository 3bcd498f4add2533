"""Python's own ``xmlrpc.client`` against the emulator on a real socket: the common and object
services, Odoo's fault codes and strings, and the "cannot marshal None" fault after commit."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def xml(served: Any, version: int) -> Iterator[Any]:
    server = served(version)

    class Proxies:
        url = server.url
        state = server.state
        common = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/common")
        models = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/2/object", allow_none=True)
        legacy = xmlrpc.client.ServerProxy(f"{server.url}/xmlrpc/object", allow_none=True)

    yield Proxies
    for proxy in (Proxies.common, Proxies.models, Proxies.legacy):
        proxy("close")()


def test_common_service(xml: Any, version: int, creds: Any) -> None:
    info = xml.common.version()
    assert info == {
        "server_version": f"{version}.0",
        "server_version_info": [version, 0, 0, "final", 0, ""],
        "server_serie": f"{version}.0",
        "protocol_version": 1,
    }
    assert xml.common.authenticate(creds.db, "admin", creds.password, {}) == 2
    assert xml.common.authenticate(creds.db, "admin", creds.key, {}) == 2
    assert xml.common.login(creds.db, "admin", creds.key) == 2
    assert xml.common.authenticate(creds.db, "admin", "wrong", {}) is False
    assert xml.common.login(creds.db, "nobody", creds.password) is False
    with pytest.raises(xmlrpc.client.Fault) as info_:
        xml.common.authenticate("nodb", "admin", creds.password, {})
    assert info_.value.faultCode == 1
    assert "psycopg2.OperationalError: connection to server" in info_.value.faultString
    assert 'database "nodb" does not exist' in info_.value.faultString


def test_execute_kw_crud(xml: Any, creds: Any, uniq: Any) -> None:
    def call(model: str, method: str, *args: Any, **kw: Any) -> Any:
        return xml.models.execute_kw(creds.db, 2, creds.key, model, method, list(args), kw)

    name = uniq("xml")
    pid = call("res.partner", "create", {"name": name, "is_company": True})
    assert isinstance(pid, int)
    more = call(
        "res.partner", "create", [{"name": f"{name} a", "parent_id": pid}, {"name": f"{name} b"}]
    )
    assert isinstance(more, list) and len(more) == 2
    assert call("res.partner", "write", [more[1]], {"ref": "B"}) is True
    rows = call(
        "res.partner",
        "search_read",
        [("name", "=like", f"{name}%")],
        ["name", "parent_id", "ref"],
        order="id",
    )
    assert rows == [
        {"id": pid, "name": name, "parent_id": False, "ref": False},
        {"id": more[0], "name": f"{name} a", "parent_id": [pid, name], "ref": False},
        {"id": more[1], "name": f"{name} b", "parent_id": False, "ref": "B"},
    ]
    bare = call("res.partner", "read", [more[0]], ["parent_id", "display_name"], load=None)
    assert bare == [{"id": more[0], "parent_id": pid, "display_name": f"{name}, {name} a"}]
    assert call("res.partner", "search_count", [("name", "=like", f"{name}%")]) == 3
    assert call("res.partner", "name_search", name, [], "=") == [[pid, name]]
    assert xml.models.execute(creds.db, 2, creds.password, "res.users", "context_get")["uid"] == 2
    assert call("res.partner", "unlink", more) is True
    assert call("res.partner", "read", more, ["name"]) == []


def _fault(call: Any) -> xmlrpc.client.Fault:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call()
    return info.value


def test_fault_codes(xml: Any, version: int, creds: Any, uniq: Any) -> None:
    def call(model: str, method: str, args: list[Any], secret: str = creds.key) -> Any:
        return xml.models.execute_kw(creds.db, 2, secret, model, method, args, {})

    pid = call("res.partner", "create", [{"name": uniq("fault")}])
    denied = _fault(lambda: call("res.partner", "search", [[]], "bad secret"))
    assert (denied.faultCode, denied.faultString) == (3, "Access Denied")
    recursive = _fault(lambda: call("res.partner", "write", [[pid], {"parent_id": pid}]))
    assert (recursive.faultCode, recursive.faultString) == (
        2,
        "You cannot create recursive Partner hierarchies.",
    )
    missing = _fault(lambda: call("res.partner", "write", [[2_000_000_000], {"ref": "x"}]))
    assert missing.faultCode == 2
    assert missing.faultString.startswith("Record does not exist or has been deleted.")
    unknown_model = _fault(lambda: call("res.nope", "search", [[]]))
    assert (unknown_model.faultCode, unknown_model.faultString) == (
        2,
        "Object res.nope doesn't exist",
    )
    private = _fault(lambda: call("res.partner", "_compute_display_name", [[pid]]))
    assert private.faultCode == 4
    assert private.faultString.startswith("Private methods (such as")
    unknown_method = _fault(lambda: call("res.partner", "nope", [[pid]]))
    assert unknown_method.faultCode == 1
    assert unknown_method.faultString.startswith("Traceback (most recent call last):")
    expected = (
        "AttributeError: 'res.partner' object has no attribute 'nope'"
        if version == 17
        else "AttributeError: The method 'res.partner.nope' does not exist"
    )
    assert unknown_method.faultString.rstrip().endswith(expected)
    invalid = _fault(lambda: call("res.partner", "create", [{"nope": 1}]))
    assert invalid.faultCode == 1
    assert "ValueError: Invalid field 'nope' in 'res.partner'" in invalid.faultString


def test_legacy_endpoint_uses_string_codes(xml: Any, creds: Any, uniq: Any) -> None:
    denied = _fault(
        lambda: xml.legacy.execute_kw(creds.db, 2, "bad", "res.partner", "search", [[]])
    )
    # The legacy endpoint sends string fault codes (typeshed says int).
    code: Any = denied.faultCode
    assert (code, denied.faultString) == ("AccessDenied", "Access Denied")
    pid = xml.legacy.execute_kw(
        creds.db, 2, creds.key, "res.partner", "create", [{"name": uniq("l")}]
    )
    user_error = _fault(
        lambda: xml.legacy.execute_kw(
            creds.db, 2, creds.key, "res.partner", "write", [[pid], {"parent_id": pid}]
        )
    )
    code = user_error.faultCode
    assert code == "warning -- UserError\n\nYou cannot create recursive Partner hierarchies."


def test_none_result_faults_after_commit(xml: Any, creds: Any, uniq: Any) -> None:
    def call(model: str, method: str, args: list[Any]) -> Any:
        return xml.models.execute_kw(creds.db, 2, creds.key, model, method, args, {})

    partner = call("res.partner", "create", [{"name": uniq("none")}])
    move = call(
        "account.move",
        "create",
        [
            {
                "move_type": "out_invoice",
                "partner_id": partner,
                "invoice_line_ids": [[0, 0, {"name": "Work", "quantity": 2, "price_unit": 50}]],
            }
        ],
    )
    assert call("account.move", "action_post", [[move]]) is False
    fault = _fault(lambda: call("account.move", "button_draft", [[move]]))
    assert fault.faultCode == 1
    assert fault.faultString.rstrip().endswith(
        "TypeError: cannot marshal None unless allow_none is enabled"
    )
    # The call committed before its answer failed: read back.
    assert call("account.move", "read", [[move], ["state"]]) == [{"id": move, "state": "draft"}]
