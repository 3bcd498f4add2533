"""The Odoo client contract: what must hold against the emulator and against a real Odoo.

Version and protocol detection, auth failures, CRUD, paging, the domain operators the flows
use, the error class of every kind of Odoo failure, company context, and the doctor. Injected
faults (429, 503, serialization failure, dropped connection) run against the emulator only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.doctor import run_doctor
from lead2cash.connectors.odoo.reader import OdooReader, ReferenceCache
from lead2cash.emulators.faults import FaultRule

PATHS = {"json2": "/json/2/", "jsonrpc": "/jsonrpc", "xmlrpc": "/xmlrpc/2/object"}


def _partners(target: Any, client: Any, names: list[str], **vals: Any) -> list[int]:
    ids: list[int] = client.create("res.partner", [{"name": n, **vals} for n in names])
    return list(target.track("res.partner", ids))


def test_version_and_protocol(target: Any) -> None:
    client = target.client(protocol="auto")
    version = client.version
    if target.version is not None:
        assert version.major == target.version
    assert version.major in (17, 18, 19) or version.major > 19
    assert client.protocol == ("json2" if version.major >= 19 else "jsonrpc")
    forced = target.client()
    assert forced.protocol == target.protocol
    assert forced.uid > 0


def test_wrong_key_is_an_auth_error(target: Any) -> None:
    client = target.client(api_key="0" * 40)
    with pytest.raises(errors.AuthError) as info:
        client.connect()
    assert "0" * 40 not in str(info.value)
    assert info.value.failure_class == errors.FailureClass.AUTH


def test_crud(target: Any) -> None:
    client = target.client()
    name = target.unique("crud")
    [pid] = _partners(target, client, [name], is_company=True)
    [row] = client.read("res.partner", [pid], ["name", "is_company", "ref"])
    assert row == {"id": pid, "name": name, "is_company": True, "ref": False}
    assert client.write("res.partner", [pid], {"ref": "CT-1", "email": "ct@example.com"})
    assert client.search_read("res.partner", [("id", "=", pid)], ["ref", "email"]) == [
        {"id": pid, "ref": "CT-1", "email": "ct@example.com"}
    ]
    assert client.search_count("res.partner", [("name", "=", name)]) == 1
    assert client.name_search("res.partner", name, operator="=") == [(pid, name)]
    assert client.unlink("res.partner", [pid])
    assert client.read("res.partner", [pid], ["name"]) == []  # read skips missing records
    with pytest.raises(errors.NotFoundError):
        client.write("res.partner", [pid], {"ref": "gone"})


def test_create_many_returns_ids_in_order(target: Any) -> None:
    client = target.client()
    names = [target.unique(f"many {i}") for i in range(3)]
    ids = _partners(target, client, names)
    assert len(set(ids)) == 3
    rows = client.read("res.partner", ids, ["name"])
    assert [r["name"] for r in rows] == names


def test_search_read_paging(target: Any) -> None:
    client = target.client()
    prefix = target.unique("page")
    ids = _partners(target, client, [f"{prefix} {i:02d}" for i in range(7)])
    reader = OdooReader(client, page_size=3)
    domain = [("name", "=like", f"{prefix}%")]
    pages = list(reader.pages("res.partner", domain, ["name"]))
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [r["id"] for p in pages for r in p] == sorted(ids)
    by_offset = list(
        reader.records("res.partner", domain, ["name"], by="offset", order="name desc")
    )
    assert [r["name"] for r in by_offset] == [f"{prefix} {i:02d}" for i in reversed(range(7))]
    assert client.search("res.partner", domain, offset=2, limit=2, order="id") == sorted(ids)[2:4]


def test_domain_operators(target: Any) -> None:
    client = target.client()
    prefix = target.unique("dom")
    parent, a, b, c = _partners(
        target, client, [f"{prefix} parent", f"{prefix} a", f"{prefix} b", f"{prefix} c"]
    )
    client.write("res.partner", [a, b], {"parent_id": parent})
    client.write("res.partner", [a], {"ref": "R1"})
    client.write("res.partner", [b], {"ref": "R2"})
    mine = [("name", "=like", f"{prefix}%")]

    def ids(*terms: Any) -> list[int]:
        return sorted(client.search("res.partner", [*mine, *terms]))

    assert ids(("ref", "=", "R1")) == [a]
    assert ids(("ref", "!=", "R1")) == [parent, b, c]
    assert ids(("ref", "in", ["R1", "R2"])) == [a, b]
    assert ids(("ref", "not in", ["R1"])) == [parent, b, c]
    assert ids(("ref", "=", False)) == [parent, c]
    assert ids(("parent_id", "=", parent)) == [a, b]
    assert ids(("parent_id", "!=", False)) == [a, b]
    assert ids(("name", "ilike", f"{prefix} A".upper())) == [a]
    assert ids(("id", ">", a)) == [b, c]
    assert ids(("id", ">=", a), ("id", "<=", b)) == [a, b]
    assert ids(("id", "<", a)) == [parent]
    assert ids("|", ("ref", "=", "R1"), ("ref", "=", "R2")) == [a, b]
    assert ids("!", ("ref", "=", "R1")) == [parent, b, c]
    assert ids("&", ("ref", "!=", False), ("ref", "!=", "R2")) == [a]
    assert ids(("parent_id.name", "=", f"{prefix} parent")) == [a, b]
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    assert ids(("write_date", ">=", since)) == [parent, a, b, c]


def test_access_error_for_an_unauthorized_company(target: Any) -> None:
    client = target.client()
    with pytest.raises(errors.AuthError) as info:
        client.search("res.partner", [], company_ids=[987_654])
    assert info.value.details["remote_type"] == "odoo.exceptions.AccessError"
    assert "compan" in info.value.message.lower()


def test_validation_error(target: Any) -> None:
    client = target.client()
    [pid] = _partners(target, client, [target.unique("recursive")])
    with pytest.raises(errors.RejectedError) as info:
        client.write("res.partner", [pid], {"parent_id": pid})
    assert "recursive" in info.value.message.lower()
    expected = "UserError" if target.protocol == "xmlrpc" else "ValidationError"
    assert info.value.details["remote_type"] == f"odoo.exceptions.{expected}"


def test_user_error(target: Any) -> None:
    client = target.client()
    if not client.check_access_rights("res.currency", "write"):
        pytest.skip("provoking this UserError needs a login that may write currencies")
    company = client.search_read("res.company", [], ["currency_id"], limit=1)[0]
    with pytest.raises(errors.RejectedError) as info:
        client.write("res.currency", [company["currency_id"][0]], {"active": False})
    assert info.value.details["remote_type"] == "odoo.exceptions.UserError"
    assert "company" in info.value.message.lower()


def test_missing_record(target: Any) -> None:
    client = target.client()
    with pytest.raises(errors.NotFoundError) as info:
        client.write("res.partner", [2_000_000_000], {"ref": "x"})
    assert "does not exist" in info.value.message
    assert info.value.failure_class == errors.FailureClass.MISSING_REFERENCE


def test_company_context_sets_the_default_company(target: Any) -> None:
    client = target.client()
    companies = client.search("res.company", [], order="id")
    chosen = companies[-1]
    rows = client.search_read("res.company", [], ["id"], company_ids=[chosen])
    assert chosen in [r["id"] for r in rows]
    [partner] = _partners(target, client, [target.unique("customer")])
    [order] = target.track(
        "sale.order",
        client.create("sale.order", [{"partner_id": partner}], company_ids=[chosen]),
    )
    [row] = client.read("sale.order", [order], ["company_id"])
    assert row["company_id"][0] == chosen


def test_reference_lookups(target: Any) -> None:
    client = target.client()
    cache = ReferenceCache(client)
    assert cache.by_xmlid("base.main_company", "res.company") > 0
    with pytest.raises(errors.NotFoundError):
        cache.by_xmlid(f"lead2cash.ct_none_{target.protocol}_x")
    name = target.unique("named")
    [pid] = _partners(target, client, [name])
    assert cache.by_name("res.partner", name) == pid


def test_compat_matches_the_version(target: Any) -> None:
    client = target.client()
    compat = client.compat
    major = client.version.major
    assert compat.project_analytic_field == ("analytic_account_id" if major <= 17 else "account_id")
    assert compat.sale_line_tax_field == ("tax_ids" if major >= 19 else "tax_id")
    assert compat.product_type_field == ("detailed_type" if major <= 17 else "type")
    assert compat.expense_sheets == (major <= 18)
    assert ("blocked" in compat.move_payment_states) == (major >= 18)


def test_doctor_report(target: Any) -> None:
    client = target.client()
    report = run_doctor(client)
    by_name = {c.name: c for c in report.checks}
    assert by_name["server"].status in ("ok", "warning")
    assert by_name["authentication"].status == "ok"
    assert by_name["modules"].status == "ok", by_name["modules"].message
    admin = client.has_group("base.group_system") or client.has_group("base.group_erp_manager")
    assert (by_name["least_privilege"].status == "warning") == admin
    data = report.to_dict()
    assert data["ok"] == (not data["blocking"])


def test_a_method_returning_none_is_a_success(target: Any, request: pytest.FixtureRequest) -> None:
    """``action_archive`` returns None (17-19): JSON protocols carry it; XML-RPC answers Fault 1
    "cannot marshal None" after the commit, which the client confirms by reading back."""
    if target.emulated:
        request.applymarker(
            pytest.mark.xfail(reason="emulator disagreement: no action_archive on models")
        )
    client = target.client()
    [pid] = _partners(target, client, [target.unique("archive")])

    def archived() -> bool:
        rows = client.search_read(
            "res.partner", [("id", "=", pid)], ["active"], context={"active_test": False}
        )
        return bool(rows == [{"id": pid, "active": False}])

    assert client.execute_kw("res.partner", "action_archive", [[pid]], confirm=archived) is None
    assert archived()


# -- injected faults (emulator only) ---------------------------------------------------------


@pytest.fixture
def faults(target: Any) -> Any:
    if not target.emulated:
        pytest.skip("fault injection needs the emulator")
    return target.state.faults


def _path(target: Any, model: str, method: str) -> str:
    return f"/json/2/{model}/{method}" if target.protocol == "json2" else PATHS[target.protocol]


def test_injected_429_is_waited_out(target: Any, faults: Any) -> None:
    client = target.client()
    client.connect()
    faults.fail_next(
        1, status=429, retry_after=2, path_prefix=_path(target, "res.partner", "create")
    )
    [pid] = _partners(target, client, [target.unique("after 429")])
    assert pid > 0
    assert target.sleeps == [2.0]


def test_injected_503_on_a_read_is_retried(target: Any, faults: Any) -> None:
    client = target.client()
    client.connect()
    faults.fail_next(1, status=503, path_prefix=_path(target, "res.partner", "search_count"))
    assert client.search_count("res.partner", [("id", "=", 0)]) == 0
    assert len(target.sleeps) == 1


def test_injected_503_on_a_create_is_transient_and_wrote_nothing(target: Any, faults: Any) -> None:
    client = target.client()
    client.connect()
    name = target.unique("503")
    faults.fail_next(1, status=503, path_prefix=_path(target, "res.partner", "create"))
    with pytest.raises(errors.UnavailableError) as info:
        client.create("res.partner", [{"name": name}])
    assert info.value.failure_class == errors.FailureClass.TRANSIENT
    assert client.search_count("res.partner", [("name", "=", name)]) == 0  # read back


def test_injected_serialization_failure(target: Any, faults: Any) -> None:
    client = target.client()
    client.connect()
    name = target.unique("serialization")
    faults.add(
        FaultRule(
            "custom",
            name="serialization_failure",
            path_prefix=_path(target, "res.partner", "create"),
        )
    )
    with pytest.raises(errors.UnavailableError) as info:
        client.create("res.partner", [{"name": name}])
    assert info.value.details["remote_type"] == "psycopg2.errors.SerializationFailure"
    assert client.search_count("res.partner", [("name", "=", name)]) == 0  # rolled back
    [pid] = _partners(target, client, [name])  # and simply done again
    assert pid > 0


def test_injected_dropped_connection_is_ambiguous_then_read_back(target: Any, faults: Any) -> None:
    client = target.client()
    client.connect()
    name = target.unique("dropped")
    faults.add(FaultRule("drop", path_prefix=_path(target, "res.partner", "create")))
    with pytest.raises(errors.AmbiguousWriteError):
        client.create("res.partner", [{"name": name}])
    # Read back before retrying: the emulator dropped the call before running it.
    if client.search_count("res.partner", [("name", "=", name)]) == 0:
        _partners(target, client, [name])
    assert client.search_count("res.partner", [("name", "=", name)]) == 1
