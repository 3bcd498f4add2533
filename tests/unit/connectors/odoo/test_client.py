"""OdooClient and its transports against the fake's wire formats: version detection, protocol
choice, request bodies, error mapping per protocol, retries, company context, None results."""

from __future__ import annotations

import json
import xmlrpc.client
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.client import OdooClient, ServerVersion
from lead2cash.connectors.odoo.settings import OdooSettings
from lead2cash.connectors.odoo.transports import NONE_RESULT, CountingTransport, encode
from lead2cash.connectors.odoo.transports.json2 import named_body

MakeClient = Callable[..., OdooClient]


@pytest.mark.parametrize(("version", "protocol"), [(17, "jsonrpc"), (18, "jsonrpc"), (19, "json2")])
def test_auto_protocol_by_version(
    fake: Any, make_client: MakeClient, version: int, protocol: str
) -> None:
    fake.version = version
    client = make_client(fake)
    assert client.version.major == version
    assert client.protocol == protocol
    assert client.uid == fake.uid


def test_version_comes_from_web_version_on_19(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake)
    client.connect()
    assert [c[2] for c in fake.calls] == ["context_get"]  # no RPC version call needed


def test_17_falls_back_to_common_version(fake: Any, make_client: MakeClient) -> None:
    fake.version = 17
    client = make_client(fake, protocol="xmlrpc")
    assert client.version == ServerVersion(17, 0, "17.0")
    assert client.protocol == "xmlrpc"


def test_saas_versions_parse() -> None:
    v = ServerVersion.parse(["saas~18", 4, 0, "final", 0, ""])
    assert (v.major, v.minor, v.saas, v.has_json2) == (18, 4, True, True)
    assert not ServerVersion.parse([18, 0, 0, "final", 0, ""]).has_json2
    assert ServerVersion.parse([19, 0, 0, "final", 0, ""]).protocols == (
        "json2",
        "jsonrpc",
        "xmlrpc",
    )
    with pytest.raises(errors.ConfigError):
        ServerVersion.parse([])


def test_forcing_json2_on_18_is_a_config_error(fake: Any, make_client: MakeClient) -> None:
    fake.version = 18
    with pytest.raises(errors.ConfigError, match="JSON-2 needs Odoo 19"):
        make_client(fake, protocol="json2").connect()


def test_not_an_odoo_server(make_client: MakeClient) -> None:
    class Nothing:
        db, login = "x", "y"

        def __call__(self, request: httpx.Request) -> httpx.Response:
            return httpx.Response(404, text="nope")

    with pytest.raises(errors.ConfigError, match="does not look like an Odoo server"):
        make_client(Nothing()).connect()


@pytest.mark.parametrize("protocol", ["json2", "jsonrpc", "xmlrpc"])
def test_bad_key_is_an_auth_error(fake: Any, make_client: MakeClient, protocol: str) -> None:
    client = make_client(fake, protocol=protocol, api_key="wrong")
    with pytest.raises(errors.AuthError) as info:
        client.connect()
    assert "wrong" not in str(info.value)


def test_json2_request_shape(fake: Any, make_client: MakeClient, key: str) -> None:
    seen: list[httpx.Request] = []

    def spy(request: httpx.Request) -> None:
        seen.append(request)

    client = make_client(fake, company_ids=(3,))
    fake.records["res.partner"][1] = {"name": "Acme"}
    fake.before.append(lambda r: spy(r))  # records without answering
    client.search_read("res.partner", [("name", "=", "Acme")], ["name"], limit=5)
    request = seen[-1]
    assert request.url.path == "/json/2/res.partner/search_read"
    assert request.headers["authorization"] == f"bearer {key}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-odoo-database"] == "l2c"
    assert json.loads(request.content) == {
        "domain": [["name", "=", "Acme"]],
        "fields": ["name"],
        "offset": 0,
        "limit": 5,
        "order": None,
        "context": {"allowed_company_ids": [3]},
    }


def test_json2_named_bodies() -> None:
    assert named_body("read", [[1, 2], ["name"]], {}, {}) == {"ids": [1, 2], "fields": ["name"]}
    assert named_body("write", [[1], {"a": 1}], {}, {"x": 1}) == {
        "ids": [1],
        "vals": {"a": 1},
        "context": {"x": 1},
    }
    assert named_body("action_confirm", [[5]], {}, {}) == {"ids": [5]}
    assert named_body("create", [[{"a": 1}]], {}, {}) == {"vals_list": [{"a": 1}]}
    assert named_body("check_access_rights", ["read"], {"raise_exception": False}, {}) == {
        "operation": "read",
        "raise_exception": False,
    }
    with pytest.raises(TypeError, match="named arguments"):
        named_body("action_confirm", [[5], "extra"], {}, {})
    with pytest.raises(TypeError, match="multiple values"):
        named_body("read", [[1], ["name"]], {"fields": ["x"]}, {})


def test_jsonrpc_request_shape(fake: Any, make_client: MakeClient, key: str) -> None:
    seen: list[dict[str, Any]] = []
    fake.before.append(
        lambda r: (
            seen.append(json.loads(r.content))
            if r.url.path == "/jsonrpc" and b"execute_kw" in r.content
            else None
        )
    )
    client = make_client(fake, protocol="jsonrpc", company_ids=(1, 2))
    client.create("res.partner", [{"name": "A"}])
    body = seen[0]
    assert body["jsonrpc"] == "2.0" and body["method"] == "call"
    assert body["params"]["service"] == "object"
    assert body["params"]["method"] == "execute_kw"
    assert body["params"]["args"] == [
        "l2c",
        fake.uid,
        key,
        "res.partner",
        "create",
        [[{"name": "A"}]],
        {"context": {"allowed_company_ids": [1, 2]}},
    ]


def test_xmlrpc_request_shape(fake: Any, make_client: MakeClient) -> None:
    seen: list[tuple[Any, ...]] = []

    def spy(request: httpx.Request) -> None:
        if request.url.path == "/xmlrpc/2/object":
            seen.append(xmlrpc.client.loads(request.content))

    fake.before.append(spy)
    client = make_client(fake, protocol="xmlrpc")
    assert client.search("res.partner", [("id", ">", 0)]) == []
    params, method = seen[0]
    assert method == "execute_kw"
    assert params[3:6] == ("res.partner", "search", [[["id", ">", 0]], 0, None, None])


@pytest.mark.parametrize("protocol", ["json2", "jsonrpc", "xmlrpc"])
def test_crud_round_trip(fake: Any, make_client: MakeClient, protocol: str) -> None:
    client = make_client(fake, protocol=protocol)
    [pid] = client.create("res.partner", [{"name": "Acme", "is_company": True}])
    assert client.write("res.partner", [pid], {"ref": "A1"})
    [row] = client.read("res.partner", [pid], ["name", "ref"])
    assert row == {"id": pid, "name": "Acme", "ref": "A1"}
    assert client.search_count("res.partner", [("ref", "=", "A1")]) == 1
    assert client.name_search("res.partner", "Acme", operator="=") == [(pid, "Acme")]
    assert client.unlink("res.partner", [pid])
    assert client.search("res.partner", []) == []


@pytest.mark.parametrize("protocol", ["json2", "jsonrpc", "xmlrpc"])
@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("odoo.exceptions.AccessError", errors.AuthError),
        ("odoo.exceptions.ValidationError", errors.RejectedError),
        ("odoo.exceptions.UserError", errors.RejectedError),
        ("odoo.exceptions.MissingError", errors.NotFoundError),
        ("psycopg2.errors.SerializationFailure", errors.UnavailableError),
    ],
)
def test_errors_per_protocol(
    fake: Any,
    make_client: MakeClient,
    odoo_fault: Any,
    protocol: str,
    name: str,
    cls: type[errors.ConnectorError],
) -> None:
    text = "it went wrong"
    if name.endswith("MissingError"):
        text = "Record does not exist or has been deleted.\n(Record: res.partner(9,), User: 7)"

    def boom(*args: Any, **kwargs: Any) -> None:
        raise odoo_fault(name, text)

    fake.overrides[("res.partner", "create")] = boom
    client = make_client(fake, protocol=protocol)
    with pytest.raises(cls) as info:
        client.create("res.partner", [{"name": "A"}])
    assert text.splitlines()[0] in info.value.message
    remote = info.value.details["remote_type"]
    if protocol == "xmlrpc" and cls is errors.RejectedError:
        assert remote == "odoo.exceptions.UserError"  # /xmlrpc/2 code 2 loses the class
    else:
        assert remote == name


def test_missing_record_per_protocol(fake: Any, make_client: MakeClient) -> None:
    for protocol in ("json2", "jsonrpc", "xmlrpc"):
        client = make_client(fake, protocol=protocol)
        assert client.read("res.partner", [999], ["name"]) == []  # read skips missing ids
        with pytest.raises(errors.NotFoundError) as info:
            client.write("res.partner", [999], {"name": "x"})
        assert "Record does not exist" in info.value.message
        assert info.value.details["remote_type"] == "odoo.exceptions.MissingError"


def test_reads_are_retried_on_transient_failures(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake)
    client.connect()
    fake.before.append(lambda r: httpx.Response(503, text="busy"))
    fake.before.append(lambda r: _raise(httpx.ReadTimeout("slow", request=r)))
    assert client.search("res.partner", []) == []
    assert len(client.sleeps) == 2  # type: ignore[attr-defined]


def test_reads_give_up_after_the_configured_attempts(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake, retry_attempts=2)
    client.connect()
    for _ in range(3):
        fake.before.append(lambda r: httpx.Response(503, text="busy"))
    with pytest.raises(errors.UnavailableError):
        client.search("res.partner", [])


def test_a_create_that_timed_out_is_ambiguous_and_not_retried(
    fake: Any, make_client: MakeClient
) -> None:
    client = make_client(fake)
    client.connect()
    fake.before.append(lambda r: _raise(httpx.ReadTimeout("slow", request=r)))
    with pytest.raises(errors.AmbiguousWriteError, match="read back"):
        client.create("res.partner", [{"name": "A"}])
    assert client.sleeps == []  # type: ignore[attr-defined]


def test_429_is_waited_out_even_for_writes(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake)
    client.connect()
    fake.before.append(
        lambda r: httpx.Response(429, headers={"retry-after": "2"}, text="slow down")
    )
    assert client.create("res.partner", [{"name": "A"}]) == [1]
    assert client.sleeps == [2.0]  # type: ignore[attr-defined]


def test_429_longer_than_allowed_is_raised(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake, max_retry_after=5)
    client.connect()
    fake.before.append(lambda r: httpx.Response(429, headers={"retry-after": "60"}))
    with pytest.raises(errors.RateLimitedError) as info:
        client.create("res.partner", [{"name": "A"}])
    assert info.value.retry_after == 60.0


def test_xmlrpc_none_result_is_confirmed_by_read_back(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake, protocol="xmlrpc")
    [pid] = client.create("res.partner", [{"name": "A"}])
    counter = client.wrap_transport(CountingTransport)
    assert client.execute_kw("res.partner", "action_none", [[pid]]) is None
    assert fake.records["res.partner"][pid]["done"] is True
    assert counter.calls == {"res.partner.action_none": 1, "res.partner.search_count": 1}


def test_xmlrpc_none_result_with_failed_confirmation(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake, protocol="xmlrpc")
    [pid] = client.create("res.partner", [{"name": "A"}])
    with pytest.raises(errors.AmbiguousWriteError):
        client.execute_kw("res.partner", "action_none", [[pid]], confirm=lambda: False)
    assert client.execute_kw("res.partner", "action_none", [[pid]], confirm=lambda: True) is None


@pytest.mark.parametrize("protocol", ["json2", "jsonrpc"])
def test_none_results_on_json_protocols(fake: Any, make_client: MakeClient, protocol: str) -> None:
    client = make_client(fake, protocol=protocol)
    [pid] = client.create("res.partner", [{"name": "A"}])
    assert client.execute_kw("res.partner", "action_none", [[pid]]) is None


def test_company_context_per_call_and_default(fake: Any, make_client: MakeClient) -> None:
    client = make_client(fake, company_ids=(1,))
    client.search("res.partner", [])
    client.search("res.partner", [], company_ids=[2, 1])
    client.search("res.partner", [], company_ids=[], context={"lang": "fr_FR"})
    contexts = [c[3] for c in fake.calls if c[2] == "search"]
    assert contexts[0]["allowed_company_ids"] == [1]
    assert contexts[1]["allowed_company_ids"] == [2, 1]
    assert "allowed_company_ids" not in contexts[2] and contexts[2]["lang"] == "fr_FR"


@pytest.mark.parametrize(("version", "args"), [(17, ["g"]), (18, [[7], "g"]), (19, [[7], "g"])])
def test_has_group_signature_by_version(
    fake: Any, make_client: MakeClient, version: int, args: list[Any]
) -> None:
    fake.version = version
    fake.groups = {"g"}
    client = make_client(fake, protocol="jsonrpc")
    assert client.has_group("g")
    assert [c[3]["args"] for c in fake.calls if c[2] == "has_group"] == [args]


def test_encode_values() -> None:
    when = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert encode({"d": date(2026, 3, 1), "t": when, "m": Decimal("1.50"), "c": (4, 5, 0)}) == {
        "d": "2026-03-01",
        "t": "2026-03-01 10:30:00",
        "m": 1.5,
        "c": [4, 5, 0],
    }
    with pytest.raises(ValueError, match="timezone-aware"):
        encode(datetime(2026, 3, 1))
    assert repr(NONE_RESULT) == "NONE_RESULT" and not NONE_RESULT


def test_settings_never_show_the_secret(key: str) -> None:
    s = OdooSettings(url="https://erp.example.com/", db="x", login="bot", api_key=key)
    assert s.url == "https://erp.example.com"
    assert key not in repr(s) and key not in str(s.redacted())
    assert key not in repr(OdooClient(s))
    with pytest.raises(ValueError, match="http"):
        OdooSettings(url="erp.example.com", db="x", login="bot", api_key=key)


def _raise(exc: Exception) -> httpx.Response:
    raise exc
