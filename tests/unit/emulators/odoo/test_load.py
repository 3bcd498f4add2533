"""``Model.load``: upsert by external id, relation columns, per-row messages, all-or-nothing."""

from __future__ import annotations

import time
from typing import Any

import pytest

from lead2cash.emulators.odoo import errors


def test_upsert_by_external_id(rpc: Any, uniq: Any) -> None:
    name = uniq("load")
    fields = ["id", "name", "is_company", "ref"]
    first = rpc(
        "res.partner",
        "load",
        [fields, [["l2c.p1", f"{name} 1", "1", "A"], ["p2", f"{name} 2", "0", "B"]]],
    )
    assert first["messages"] == [] and first["nextrow"] == 0
    ids = first["ids"]
    assert len(ids) == 2
    again = rpc(
        "res.partner",
        "load",
        [
            fields,
            [["l2c.p1", f"{name} 1b", "true", "A2"], ["__import__.p2", f"{name} 2", "no", "B"]],
        ],
    )
    assert again == {"ids": ids, "messages": [], "nextrow": 0}
    rows = rpc("res.partner", "read", [ids, ["name", "is_company", "ref"]])
    assert [(r["name"], r["is_company"], r["ref"]) for r in rows] == [
        (f"{name} 1b", True, "A2"),
        (f"{name} 2", False, "B"),
    ]
    assert rpc("ir.model.data", "check_object_reference", ["__import__", "p2"]) == [
        "res.partner",
        ids[1],
    ]


def test_relation_columns(rpc: Any, uniq: Any) -> None:
    name = uniq("rel")
    [company] = rpc("res.partner", "load", [["id", "name", "is_company"], [["rel.co", name, "1"]]])[
        "ids"
    ]
    by_xmlid = rpc(
        "res.partner",
        "load",
        [
            ["id", "name", "parent_id/id", "country_id/id"],
            [
                ["rel.boss", f"{name} boss", "", ""],
                ["rel.c1", f"{name} c1", "rel.co", "base.be"],
                ["rel.c4", f"{name} c4", "rel.boss", ""],
            ],
        ],
    )
    assert by_xmlid["messages"] == []
    by_id = rpc("res.partner", "load", [["name", "parent_id/.id"], [[f"{name} c2", str(company)]]])
    by_name = rpc("res.partner", "load", [["name", "parent_id"], [[f"{name} c3", name]]])
    ids = by_xmlid["ids"] + by_id["ids"] + by_name["ids"]
    rows = rpc("res.partner", "read", [ids, ["parent_id", "country_id"]], {"load": None})
    boss = by_xmlid["ids"][0]
    assert [r["parent_id"] for r in rows] == [False, company, boss, company, company]
    assert (
        rows[1]["country_id"] == rpc("ir.model.data", "check_object_reference", ["base", "be"])[1]
    )
    ambiguous = rpc(
        "res.partner",
        "load",
        [["name", "parent_id/id", "parent_id/.id"], [[f"{name} x", "rel.co", ""]]],
    )
    assert ambiguous["ids"] is False
    assert ambiguous["messages"][0]["message"] == (
        "Ambiguous specification for field 'Related Company', only provide one of name, "
        "external id or database id"
    )


def test_a_bad_row_rolls_back_the_whole_call(rpc: Any, uniq: Any) -> None:
    name = uniq("bad")
    result = rpc(
        "res.partner",
        "load",
        [
            ["id", "name", "type", "parent_id/id"],
            [
                ["bad.ok1", f"{name} ok", "contact", ""],
                ["bad.sel", f"{name} sel", "no-such-type", ""],
                ["bad.ok2", f"{name} ok2", "", ""],
                ["bad.ref", f"{name} ref", "", "bad.missing"],
            ],
        ],
    )
    assert result["ids"] is False
    by_record = {m["record"]: m for m in result["messages"]}
    assert sorted(by_record) == [1, 3]
    selection = by_record[1]
    assert selection["type"] == "error"
    assert selection["field"] == "type"
    assert selection["field_name"] == "Address Type"
    assert selection["rows"] == {"from": 1, "to": 1}
    assert (
        selection["message"] == "Value 'no-such-type' not found in selection field 'Address Type'"
    )
    assert "Contact" in selection["moreinfo"]
    reference = by_record[3]
    assert reference["message"] == (
        "No matching record found for external id 'bad.missing' in field 'Related Company'"
    )
    assert reference["moreinfo"]["res_model"] == "res.partner"
    assert rpc("res.partner", "search_count", [[("name", "like", name)]]) == 0


def test_constraint_error_reporting(version: int, rpc: Any, uniq: Any) -> None:
    name = uniq("bc")
    rpc("res.partner", "create", [{"name": f"{name} owner", "barcode": f"BC-{name}"}])
    rows = [[f"bc.r{i}", f"{name} {i}", f"BC-{name}" if i == 2 else ""] for i in range(4)]
    result = rpc("res.partner", "load", [["id", "name", "barcode"], rows])
    assert result["ids"] is False
    errors_only = [m for m in result["messages"] if m["type"] == "error"]
    culprit = {
        "rows": {"from": 2, "to": 2},
        "record": 2,
        "type": "error",
        "message": "Another partner already has this barcode",
    }
    if version >= 18:
        # 18/19 repeat the batch's error first, with the first row's position.
        assert errors_only == [{**culprit, "rows": {"from": 0, "to": 0}, "record": 0}, culprit]
    else:
        assert errors_only == [culprit]
    assert rpc("res.partner", "search_count", [[("name", "like", name)]]) == 1


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_sql_errors_name_the_field(rpc: Any) -> None:
    result = rpc("product.template", "load", [["id", "name", "list_price"], [["x.p", "", "abc"]]])
    assert result["ids"] is False
    [price, required] = sorted(result["messages"], key=lambda m: m.get("field", ""))
    assert price["message"] == "'abc' does not seem to be a number for field 'Sales Price'"
    assert required["field"] == "name"
    assert required["message"].startswith("Missing required value for the field 'Name' (name)")


@pytest.mark.parametrize("version", [18], ids=["v18"])
def test_warnings_do_not_fail_the_call(rpc: Any, uniq: Any) -> None:
    result = rpc("res.partner", "load", [["name", "is_company"], [[uniq("warn"), "maybe"]]])
    assert isinstance(result["ids"], list) and len(result["ids"]) == 1
    [warning] = result["messages"]
    assert warning["type"] == "warning"
    assert warning["message"] == "Unknown value 'maybe' for boolean field 'Is a Company'"
    assert warning["moreinfo"] == "Use '1' for yes and '0' for no"


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_cells_must_be_text(rpc: Any) -> None:
    with pytest.raises(errors.PythonError) as info:
        rpc("res.partner", "load", [["name", "is_company"], [["X", True]]])
    assert info.value.odoo_name == "builtins.AttributeError"
    assert info.value.message == "'bool' object has no attribute 'lower'"
    with pytest.raises(errors.PythonError, match="Invalid field name 'nope'"):
        rpc("res.partner", "load", [["name", "nope"], [["X", "1"]]])


@pytest.mark.parametrize("version", [17], ids=["v17"])
def test_datetimes_are_read_in_the_context_timezone(rpc: Any, uniq: Any) -> None:
    project = rpc("project.project", "create", [{"name": uniq("tz")}])
    result = rpc(
        "project.task",
        "load",
        [["name", "project_id/.id", "date_deadline"], [["T", str(project), "2026-03-02 10:00:00"]]],
        context={"tz": "Europe/Brussels"},
    )
    [task] = result["ids"]
    assert rpc("project.task", "read", [[task], ["date_deadline"]])[0]["date_deadline"] == (
        "2026-03-02 09:00:00"
    )


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_database_id_column_updates(rpc: Any, uniq: Any) -> None:
    pid = rpc("res.partner", "create", [{"name": uniq("dbid")}])
    result = rpc("res.partner", "load", [[".id", "ref"], [[str(pid), "UPDATED"]]])
    assert result == {"ids": [pid], "messages": [], "nextrow": 0}
    unknown = rpc("res.partner", "load", [[".id", "ref"], [["999999", "X"]]])
    assert unknown["ids"] is False
    assert unknown["messages"][0]["message"] == "Unknown database identifier '999999'"


@pytest.mark.parametrize("version", [19], ids=["v19"])
def test_ten_thousand_timesheets_by_load_twice(rpc: Any, state: Any) -> None:
    project = rpc("project.project", "create", [{"name": "Bulk", "allow_timesheets": True}])
    employee = rpc("hr.employee", "create", [{"name": "Bulk worker"}])
    fields = ["id", "name", "date", "unit_amount", "project_id/.id", "employee_id/.id"]
    rows = [
        [
            f"bulk.ts_{i}",
            f"work {i}",
            "2026-03-02",
            str(0.25 * (1 + i % 8)),
            str(project),
            str(employee),
        ]
        for i in range(10_000)
    ]
    started = time.perf_counter()
    first: list[int] = []
    for start in range(0, len(rows), 500):
        answer = rpc("account.analytic.line", "load", [fields, rows[start : start + 500]])
        assert answer["messages"] == []
        first += answer["ids"]
    second: list[int] = []
    for start in range(0, len(rows), 500):
        second += rpc("account.analytic.line", "load", [fields, rows[start : start + 500]])["ids"]
    elapsed = time.perf_counter() - started
    assert second == first and len(set(first)) == 10_000
    assert rpc("account.analytic.line", "search_count", [[("project_id", "=", project)]]) == 10_000
    assert elapsed < 20, f"20,000 rows through load took {elapsed:.1f}s"
