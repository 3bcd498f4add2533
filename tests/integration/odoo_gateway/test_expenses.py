"""Approved expenses land on the project's analytic account, re-invoiced per category, and
are submitted the way the version wants (sheets on 17/18, per expense on 19)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.gateway import OdooGateway
from lead2cash.model import Money


@pytest.fixture
def project(target: Any, gateway: OdooGateway, make: Any, bindings: dict[str, int]) -> Any:
    customer = make.customer()
    gateway.partners.upsert_customer(target.scope, customer)
    result = gateway.sales.upsert_contract(target.scope, make.tm_contract(customer.source))
    harvest_project = customer.source.model_copy(
        update={"system": "harvest", "object_type": "project", "external_id": target.uid()}
    )
    assert result.project_id is not None
    bindings[harvest_project.key] = result.project_id
    return harvest_project, result


def _read(target: Any, ids: list[int]) -> list[dict[str, Any]]:
    fields = [
        "state",
        "total_amount_currency",
        "currency_id",
        "analytic_distribution",
        "sale_order_id",
        "employee_id",
        "product_id",
    ]
    if target.version <= 18:
        fields.append("sheet_id")
    rows: list[dict[str, Any]] = target.bot.read("hr.expense", ids, fields)
    return rows


def test_expenses_land_reinvoiced_and_submitted(
    target: Any, gateway: OdooGateway, make: Any, project: Any
) -> None:
    target.require("load_json", "expense_reset", "sheet_reset")
    harvest_project, order = project
    uid = target.uid()
    expenses = [
        make.expense(harvest_project, "u1", make.usd("123.45"), expense_id=f"{uid}-1"),
        make.expense(
            harvest_project, "u1", make.usd("19.99"), expense_id=f"{uid}-2", category="Office"
        ),
        make.expense(harvest_project, "u2", make.usd("80"), expense_id=f"{uid}-3"),
    ]
    batch = f"2026-12-04 {uid}"
    first = gateway.expenses.sync(target.scope, expenses, batch=batch)
    assert [r.status for r in first] == ["created"] * 3, [r.error for r in first]
    assert all(r.submitted for r in first)
    ids = [r.odoo_id for r in first if r.odoo_id is not None]
    rows = _read(target, ids)
    assert [Decimal(str(r["total_amount_currency"])) for r in rows] == [
        Decimal("123.45"),
        Decimal("19.99"),
        Decimal("80.0"),
    ]
    account = str(order.analytic_account_id)
    assert all(r["analytic_distribution"] == {account: 100.0} for r in rows)
    assert rows[0]["sale_order_id"][0] == order.order_id  # Travel re-invoices at cost
    assert rows[1]["sale_order_id"] is False  # Office does not
    if target.version >= 19:
        assert {r["state"] for r in rows} == {"approved"}  # the bot's submission approves
    else:
        sheets = {r["sheet_id"][0] for r in rows}
        assert len(sheets) == 2  # one per employee and batch
        states = target.bot.read("hr.expense.sheet", sorted(sheets), ["state"])
        assert {s["state"] for s in states} == {"submit"}

    again = gateway.expenses.sync(target.scope, expenses, batch=batch)
    assert [r.status for r in again] == ["unchanged"] * 3
    assert [r.odoo_id for r in again] == [r.odoo_id for r in first]

    dearer = expenses[0].model_copy(update={"amount": make.usd("130.00")})
    withdrawn = expenses[1].model_copy(update={"approved": False})
    adjusted = gateway.expenses.sync(target.scope, [dearer, withdrawn], batch=batch)
    assert [r.status for r in adjusted] == ["updated", "deleted"], [r.error for r in adjusted]
    assert adjusted[0].odoo_id == first[0].odoo_id
    assert adjusted[0].submitted
    assert first[0].odoo_id is not None
    row = _read(target, [first[0].odoo_id])[0]
    assert Decimal(str(row["total_amount_currency"])) == Decimal("130.00")
    assert target.bot.search_count("hr.expense", [("id", "=", first[1].odoo_id)]) == 0


def test_expense_problems_fail_only_their_expense(
    target: Any, gateway: OdooGateway, make: Any, project: Any
) -> None:
    harvest_project, _ = project
    uid = target.uid()
    inactive = target.bot.search_read(
        "res.currency",
        [("active", "=", False), ("name", "in", ["EUR", "GBP", "CHF"])],
        ["name"],
        context={"active_test": False},
    )
    expenses = [
        make.expense(harvest_project, "u1", make.usd("10"), expense_id=f"{uid}-1", category="Golf"),
        make.expense(
            harvest_project.model_copy(update={"external_id": f"{uid}-unbound"}),
            "u1",
            make.usd("10"),
            expense_id=f"{uid}-2",
        ),
        make.expense(None, "u1", make.usd("10"), expense_id=f"{uid}-3", billable=False),
    ]
    if inactive:
        code = inactive[0]["name"]
        expenses.append(
            make.expense(harvest_project, "u1", Money.of("10", code), expense_id=f"{uid}-4")
        )
    results = gateway.expenses.sync(target.scope, expenses, batch=f"b {uid}")
    assert isinstance(results[0].error, errors.MappingError)
    assert isinstance(results[1].error, errors.MissingReferenceError)
    assert results[2].status == "created"
    if inactive:
        assert isinstance(results[3].error, errors.ConfigError)
        assert inactive[0]["name"] in results[3].error.message


def test_expense_product_with_a_cost_is_refused(
    target: Any, make: Any, bindings: dict[str, int], project: Any
) -> None:
    harvest_project, _ = project
    costly = target.unique("costly expense")
    type_field = "detailed_type" if target.version <= 17 else "type"
    target.admin.create(
        "product.product",
        [
            {
                "name": costly,
                type_field: "service",
                "can_be_expensed": True,
                "standard_price": 0.3,
                "expense_policy": "cost",
            }
        ],
    )
    gateway = target.gateway(bindings)
    spec = gateway.resolver.mapper.spec
    categories = {**spec.expense_categories, "Mileage": spec.expense_categories["Travel"]}
    categories["Mileage"] = categories["Mileage"].model_copy(update={"product": costly})
    gateway.resolver.mapper.spec = spec.model_copy(update={"expense_categories": categories})
    result = gateway.expenses.sync(
        target.scope,
        [
            make.expense(
                harvest_project,
                "u1",
                make.usd("42"),
                expense_id=target.uid(),
                category="Mileage",
            )
        ],
        batch="b",
    )[0]
    assert isinstance(result.error, errors.ConfigError)
    assert "cost" in result.error.message


def test_expenses_are_submitted_per_version(target: Any, gateway: OdooGateway, make: Any) -> None:
    """17/18: one sheet per employee and batch, submitted; 19: each expense submitted."""
    uid = target.uid()
    expenses = [
        make.expense(None, user, make.usd(amount), expense_id=f"{uid}-{n}", billable=False)
        for n, (user, amount) in enumerate((("u1", "10.10"), ("u1", "20.20"), ("u2", "30.30")))
    ]
    first = gateway.expenses.sync(target.scope, expenses, batch=f"b {uid}")
    assert [r.status for r in first] == ["created"] * 3, [r.error for r in first]
    assert all(r.submitted for r in first)
    ids = [r.odoo_id for r in first if r.odoo_id is not None]
    rows = _read(target, ids)
    assert [r["employee_id"][0] for r in rows] == [
        target.employees["u1"],
        target.employees["u1"],
        target.employees["u2"],
    ]
    if target.version <= 18:
        sheets = [r["sheet_id"][0] for r in rows]
        assert sheets[0] == sheets[1] != sheets[2]
        assert [r.sheet_id for r in first] == sheets
        states = target.bot.read("hr.expense.sheet", sorted(set(sheets)), ["state"])
        assert {s["state"] for s in states} == {"submit"}
    else:
        # real 19 approves at once when the employee has no expense approver
        assert {r["state"] for r in rows} <= {"submitted", "approved"}
    again = gateway.expenses.sync(target.scope, expenses, batch=f"b {uid}")
    assert [(r.status, r.odoo_id) for r in again] == [("unchanged", i) for i in ids]
