"""Domain parsing and evaluation: operators, null semantics, paths, hierarchy, ordering, and
speed over 10,000 records."""

from __future__ import annotations

import time
from typing import Any

import pytest

from lead2cash.emulators.odoo import create_app, errors
from lead2cash.emulators.odoo.orm import domain as dom
from lead2cash.emulators.odoo.service import Services


def test_normalize_inserts_implicit_and() -> None:
    tokens = dom.normalize([("a", "=", 1), ("b", "=", 2), "|", ("c", "=", 3), ("d", "=", 4)])
    assert tokens[:2] == ["&", "&"]
    assert [t.path if isinstance(t, dom.Leaf) else t for t in tokens] == [
        "&",
        "&",
        "a",
        "b",
        "|",
        "c",
        "d",
    ]


@pytest.mark.parametrize(
    "bad",
    [["|", ("a", "=", 1)], [("a", "=")], [("a", "~", 1)], "nope", [("a", "=", 1), "&"]],
)
def test_malformed_domains_are_value_errors(bad: Any) -> None:
    with pytest.raises(errors.PythonError) as info:
        dom.parse(bad)
    assert info.value.odoo_name == "builtins.ValueError"


@pytest.fixture
def partners(rpc: Any, uniq: Any) -> dict[str, Any]:
    prefix = uniq("dom")
    parent = rpc("res.partner", "create", [{"name": f"{prefix} parent", "is_company": True}])
    a, b, c = rpc(
        "res.partner",
        "create",
        [
            [
                {"name": f"{prefix} Alpha", "parent_id": parent, "ref": "R1", "email": "a@x.io"},
                {"name": f"{prefix} beta", "parent_id": parent, "ref": "R2"},
                {"name": f"{prefix} gamma_1", "customer_rank": 3},
            ]
        ],
    )
    return {"prefix": prefix, "parent": parent, "a": a, "b": b, "c": c}


def _ids(rpc: Any, p: dict[str, Any], *terms: Any) -> list[int]:
    return sorted(rpc("res.partner", "search", [[("name", "=like", f"{p['prefix']}%"), *terms]]))


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_operators(rpc: Any, partners: dict[str, Any]) -> None:
    p = partners
    parent, a, b, c = p["parent"], p["a"], p["b"], p["c"]
    assert _ids(rpc, p, ("ref", "=", "R1")) == [a]
    assert _ids(rpc, p, ("ref", "!=", "R1")) == [parent, b, c]  # != includes empty values
    assert _ids(rpc, p, ("ref", "=", False)) == [parent, c]
    assert _ids(rpc, p, ("ref", "!=", False)) == [a, b]
    assert _ids(rpc, p, ("ref", "in", ["R1", "R2"])) == [a, b]
    assert _ids(rpc, p, ("ref", "in", ["R1", False])) == [parent, a, c]
    assert _ids(rpc, p, ("ref", "not in", ["R1"])) == [parent, b, c]
    assert _ids(rpc, p, ("name", "ilike", "ALPHA")) == [a]
    assert _ids(rpc, p, ("name", "like", "ALPHA")) == []
    assert _ids(rpc, p, ("name", "not ilike", "alpha")) == [parent, b, c]
    assert _ids(rpc, p, ("email", "not ilike", "x.io")) == [parent, b, c]  # nulls included
    assert _ids(rpc, p, ("name", "=ilike", f"{p['prefix']} B%")) == [b]
    assert _ids(rpc, p, ("name", "=like", f"{p['prefix']} gamma_1")) == [c]
    assert _ids(rpc, p, ("customer_rank", ">", 0)) == [c]
    assert _ids(rpc, p, ("customer_rank", "<=", 0)) == [parent, a, b]
    assert _ids(rpc, p, ("id", ">=", a), ("id", "<", c)) == [a, b]
    assert _ids(rpc, p, "|", ("ref", "=", "R1"), ("ref", "=", "R2")) == [a, b]
    assert _ids(rpc, p, "!", ("ref", "=", "R1")) == [parent, b, c]
    assert _ids(rpc, p, ("ref", "=?", False)) == [parent, a, b, c]
    assert _ids(rpc, p, ("is_company", "=", False)) == [a, b, c]
    assert _ids(rpc, p, (1, "=", 1)) == [parent, a, b, c]
    assert _ids(rpc, p, (0, "=", 1)) == []


@pytest.mark.parametrize("version", [17], ids=["v17"])
def test_relational_paths_and_hierarchy(rpc: Any, partners: dict[str, Any]) -> None:
    p = partners
    parent, a, b = p["parent"], p["a"], p["b"]
    assert _ids(rpc, p, ("parent_id", "=", parent)) == [a, b]
    assert _ids(rpc, p, ("parent_id.name", "=", f"{p['prefix']} parent")) == [a, b]
    assert _ids(rpc, p, ("parent_id", "ilike", "parent")) == [a, b]
    assert _ids(rpc, p, ("child_ids", "!=", False)) == [parent]
    assert _ids(rpc, p, ("child_ids", "in", [b])) == [parent]
    assert _ids(rpc, p, ("child_ids.ref", "=", "R2")) == [parent]
    assert _ids(rpc, p, ("child_ids", "any", [("ref", "=", "R1")])) == [parent]
    assert _ids(rpc, p, ("id", "child_of", parent)) == [parent, a, b]
    assert _ids(rpc, p, ("id", "parent_of", a)) == [parent, a]
    assert _ids(rpc, p, ("parent_id", "child_of", parent)) == [a, b]


@pytest.mark.parametrize("version", [18], ids=["v18"])
def test_unknown_field_and_operator(rpc: Any) -> None:
    with pytest.raises(errors.PythonError, match=r"Invalid field res\.partner\.nope"):
        rpc("res.partner", "search", [[("nope", "=", 1)]])
    with pytest.raises(errors.PythonError, match="Invalid operator"):
        rpc("res.partner", "search", [[("name", "===", 1)]])


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_order_offset_limit(rpc: Any, uniq: Any) -> None:
    prefix = uniq("order")
    ids = rpc("res.partner", "create", [[{"name": f"{prefix} {n}"} for n in "cab"]])
    domain = [("name", "=like", f"{prefix}%")]
    names = [
        r["name"]
        for r in rpc("res.partner", "search_read", [domain, ["name"]], {"order": "name desc"})
    ]
    assert names == [f"{prefix} c", f"{prefix} b", f"{prefix} a"]
    assert (
        rpc("res.partner", "search", [domain], {"order": "id", "offset": 1, "limit": 1}) == ids[1:2]
    )
    assert rpc("res.partner", "search_count", [domain]) == 3
    with pytest.raises(errors.PythonError, match="Invalid field"):
        rpc("res.partner", "search", [domain], {"order": "bogus desc"})


def test_search_over_ten_thousand_records_is_fast() -> None:
    state = create_app(version=19).state.odoo
    env = state.env()
    projects = env["project.project"]._create([{"name": f"P{i}"} for i in range(10)])
    [employee] = env["hr.employee"]._create([{"name": "Worker"}])
    env["account.analytic.line"]._create(
        [
            {
                "name": f"line {i}",
                "project_id": projects[i % 10],
                "employee_id": employee,
                "unit_amount": 1,
                "date": f"2026-03-{1 + i % 28:02d}",
            }
            for i in range(10_000)
        ]
    )
    services = Services(state)
    started = time.perf_counter()
    for k, project in enumerate(projects):
        expected = sum(1 for i in range(10_000) if i % 10 == k and 1 + i % 28 >= 15)
        found = services.call_kw(
            2,
            "account.analytic.line",
            "search_count",
            [[("project_id", "=", project), ("date", ">=", "2026-03-15")]],
            {},
            protocol="test",
            fault_path="/t",
        )
        assert found == expected
    indexed = time.perf_counter() - started
    started = time.perf_counter()
    rows = services.call_kw(
        2,
        "account.analytic.line",
        "search_read",
        [[("name", "ilike", "line 99"), ("unit_amount", ">", 0)], ["name", "project_id"]],
        {"limit": 5, "order": "date desc, id"},
        protocol="test",
        fault_path="/t",
    )
    scan = time.perf_counter() - started
    assert len(rows) == 5 and all("line 99" in r["name"] for r in rows)
    assert indexed < 1.0, f"10 indexed searches took {indexed:.2f}s"
    assert scan < 1.0, f"a full scan took {scan:.2f}s"
