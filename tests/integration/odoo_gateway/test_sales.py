"""Contracts become confirmed sale orders with a project: every billing type, re-runs, and the
configuration errors a person must fix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.gateway import ContractProducts, OdooGateway
from lead2cash.model import (
    FixedFee,
    Instalment,
    Milestone,
    MilestoneTerms,
    Retainer,
)


def _customer(target: Any, gateway: OdooGateway, make: Any) -> Any:
    customer = make.customer()
    gateway.partners.upsert_customer(target.scope, customer)
    return customer


def _lines(target: Any, order_id: int) -> dict[int, dict[str, Any]]:
    rows = target.bot.search_read(
        "sale.order.line",
        [("order_id", "=", order_id)],
        ["product_id", "product_uom_qty", "price_unit", "qty_delivered_method", "task_id", "name"],
    )
    return {int(r["id"]): r for r in rows}


def test_tm_contract_becomes_a_confirmed_order_with_project_and_task(
    target: Any, gateway: OdooGateway, make: Any
) -> None:
    target.require("employee_map")
    customer = _customer(target, gateway, make)
    contract = make.tm_contract(customer.source, overrides={"u2": "180"})
    result = gateway.sales.upsert_contract(target.scope, contract, estimated_hours=Decimal(40))
    assert result.created and result.confirmed_now
    assert result.state == "sale"
    assert set(result.line_ids) == {"tm", "tm-rate-180.00"}
    assert result.project_id is not None
    assert result.task_ids
    assert result.analytic_account_id is not None
    lines = _lines(target, result.order_id)
    tm = lines[result.line_ids["tm"]]
    assert (tm["product_uom_qty"], tm["price_unit"]) == (40.0, 150.0)
    assert tm["qty_delivered_method"] == "timesheet"
    assert lines[result.line_ids["tm-rate-180.00"]]["price_unit"] == 180.0
    order = target.bot.read(
        "sale.order", [result.order_id], ["client_order_ref", "partner_id", "currency_id"]
    )[0]
    assert order["client_order_ref"] == contract.source.external_id
    assert order["currency_id"][1] == "USD"
    maps = target.bot.search_read(
        "project.sale.line.employee.map",
        [("project_id", "=", result.project_id)],
        ["employee_id", "sale_line_id", "price_unit"],
    )
    assert [(m["employee_id"][0], m["sale_line_id"][0], m["price_unit"]) for m in maps] == [
        (target.employees["u2"], result.line_ids["tm-rate-180.00"], 180.0)
    ]
    project = target.bot.read("project.project", [result.project_id], ["pricing_type", "name"])[0]
    assert project["pricing_type"] == "employee_rate"
    assert project["name"] == contract.name  # the CRM owns the project's name

    again = gateway.sales.upsert_contract(target.scope, contract, estimated_hours=Decimal(40))
    assert (again.order_id, again.project_id, again.line_ids) == (
        result.order_id,
        result.project_id,
        result.line_ids,
    )
    assert not again.created and not again.confirmed_now
    assert _lines(target, result.order_id).keys() == lines.keys()
    projects = target.bot.search_count("project.project", [("sale_order_id", "=", result.order_id)])
    assert projects == 1
    assert again.employee_map_ids == result.employee_map_ids


def test_confirmed_order_takes_new_prices_but_not_a_new_customer(
    target: Any, gateway: OdooGateway, make: Any
) -> None:
    customer = _customer(target, gateway, make)
    contract = make.tm_contract(customer.source)
    result = gateway.sales.upsert_contract(target.scope, contract)
    dearer = make.tm_contract(customer.source, rate="165").model_copy(
        update={"source": contract.source, "name": contract.name}
    )
    again = gateway.sales.upsert_contract(target.scope, dearer)
    assert again.line_ids == result.line_ids
    assert _lines(target, result.order_id)[result.line_ids["tm"]]["price_unit"] == 165.0
    other = _customer(target, gateway, make)
    moved = dearer.model_copy(update={"customer": other.source})
    with pytest.raises(errors.ConflictError) as caught:
        gateway.sales.upsert_contract(target.scope, moved)
    assert caught.value.details["field"] == "customer"


def test_milestone_contract_gets_its_milestones(
    target: Any, gateway: OdooGateway, make: Any
) -> None:
    customer = _customer(target, gateway, make)
    terms = MilestoneTerms(
        contract_value=make.usd("10000"),
        milestones=[
            Milestone(key="design", name="Design signed off", share=Decimal("0.4")),
            Milestone(key="golive", name="Go-live", share=Decimal("0.6"), due_date=make.today),
        ],
    )
    contract = make.contract(customer.source, terms)
    result = gateway.sales.upsert_contract(target.scope, contract)
    assert list(result.line_ids) == ["milestones"]
    assert set(result.milestone_ids) == {"design", "golive"}
    milestones = target.bot.search_read(
        "project.milestone",
        [("project_id", "=", result.project_id)],
        ["name", "sale_line_id", "quantity_percentage", "deadline"],
    )
    got = {m["name"]: (m["sale_line_id"][0], m["quantity_percentage"]) for m in milestones}
    line = result.line_ids["milestones"]
    # Odoo's own milestone (added on confirmation) is gone: only ours remain
    assert got == {"Design signed off": (line, 0.4), "Go-live": (line, 0.6)}
    project = target.bot.read("project.project", [result.project_id], ["allow_milestones"])[0]
    assert project["allow_milestones"] is True
    again = gateway.sales.upsert_contract(target.scope, contract)
    assert again.milestone_ids == result.milestone_ids
    gateway.projects.reach_milestone(target.scope, contract.source, "design")
    sol = target.bot.read("sale.order.line", [line], ["qty_delivered"])[0]
    assert sol["qty_delivered"] == 0.4


def test_milestone_amounts_that_do_not_divide_get_a_line_each(
    target: Any, gateway: OdooGateway, make: Any
) -> None:
    customer = _customer(target, gateway, make)
    terms = MilestoneTerms(
        milestones=[
            Milestone(key=f"m{i}", name=f"Phase {i}", amount=make.usd(amount))
            for i, amount in enumerate(("1000.00", "1000.00", "1000.01"), start=1)
        ]
    )
    result = gateway.sales.upsert_contract(target.scope, make.contract(customer.source, terms))
    assert list(result.line_ids) == ["milestone-m1", "milestone-m2", "milestone-m3"]
    lines = _lines(target, result.order_id)
    assert [lines[result.line_ids[k]]["price_unit"] for k in result.line_ids] == [
        1000.0,
        1000.0,
        1000.01,
    ]
    assert len(result.milestone_ids) == 3


def test_retainer_and_fixed_fee_lines_bill_as_their_products_say(
    target: Any, gateway: OdooGateway, make: Any
) -> None:
    customer = _customer(target, gateway, make)
    retainer = make.contract(
        customer.source,
        Retainer(
            monthly_fee=make.usd("5000"), included_hours=Decimal(30), overage_rate=make.usd("170")
        ),
    )
    r = gateway.sales.upsert_contract(target.scope, retainer)
    assert set(r.line_ids) == {"retainer", "retainer-overage"}
    assert r.project_id is not None
    lines = _lines(target, r.order_id)
    assert lines[r.line_ids["retainer"]]["price_unit"] == 5000.0
    assert lines[r.line_ids["retainer-overage"]]["product_uom_qty"] == 0.0
    fee = make.contract(
        customer.source,
        FixedFee(
            total=make.usd("1000"),
            instalments=[
                Instalment(key=k, due_date=make.today, share=Decimal(1) / Decimal(3))
                for k in ("a", "b")
            ]
            + [
                Instalment(
                    key="c", due_date=make.today, share=Decimal(1) - 2 * (Decimal(1) / Decimal(3))
                )
            ],
        ),
    )
    f = gateway.sales.upsert_contract(target.scope, fee)
    prices = [_lines(target, f.order_id)[f.line_ids[k]]["price_unit"] for k in f.line_ids]
    assert prices == [333.33, 333.33, 333.34]  # the last instalment takes the remainder
    assert f.project_id is not None


def test_inactive_currency_is_a_config_error(target: Any, gateway: OdooGateway, make: Any) -> None:
    inactive = target.bot.search_read(
        "res.currency",
        [("active", "=", False), ("name", "in", ["EUR", "GBP", "CHF"])],
        ["name"],
        context={"active_test": False},
    )
    if not inactive:
        pytest.skip("EUR, GBP and CHF are all active here")
    code = inactive[0]["name"]
    customer = _customer(target, gateway, make)
    contract = make.tm_contract(customer.source)
    card = contract.terms.rate_card.model_copy(
        update={
            "roles": [
                r.model_copy(update={"rate": r.rate.model_copy(update={"currency": code})})
                for r in contract.terms.rate_card.roles
            ]
        }
    )
    foreign = contract.model_copy(
        update={"currency": code, "terms": contract.terms.model_copy(update={"rate_card": card})}
    )
    with pytest.raises(errors.ConfigError) as caught:
        gateway.sales.upsert_contract(target.scope, foreign)
    assert code in caught.value.message


def test_a_product_that_bills_otherwise_is_refused(
    target: Any, make: Any, bindings: dict[str, int]
) -> None:
    wrong = dict(target.products, milestone=target.products["time_and_materials"])
    gateway = target.gateway(bindings, products=ContractProducts(wrong))
    customer = _customer(target, gateway, make)
    terms = MilestoneTerms(
        contract_value=make.usd("100"), milestones=[Milestone(key="x", name="X", share=Decimal(1))]
    )
    with pytest.raises(errors.ConfigError) as caught:
        gateway.sales.upsert_contract(target.scope, make.contract(customer.source, terms))
    assert "delivered_milestones" in caught.value.message


def test_unsynced_customer_parks_the_contract(target: Any, gateway: OdooGateway, make: Any) -> None:
    contract = make.tm_contract(make.customer().source)
    with pytest.raises(errors.MissingReferenceError) as caught:
        gateway.sales.upsert_contract(target.scope, contract)
    assert caught.value.reference == contract.customer.key


def test_an_order_set_back_to_quotation_is_confirmed_again_without_a_second_project(
    target: Any, gateway: OdooGateway, make: Any
) -> None:
    customer = _customer(target, gateway, make)
    contract = make.tm_contract(customer.source)
    first = gateway.sales.upsert_contract(target.scope, contract)
    target.bot.execute_kw(
        "sale.order", "action_cancel", [[first.order_id]], context={"disable_cancel_warning": True}
    )
    with pytest.raises(errors.ConflictError):
        gateway.sales.upsert_contract(target.scope, contract)
    target.bot.execute_kw("sale.order", "action_draft", [[first.order_id]])
    again = gateway.sales.upsert_contract(target.scope, contract)
    assert again.confirmed_now and not again.created
    assert (again.order_id, again.project_id, again.line_ids) == (
        first.order_id,
        first.project_id,
        first.line_ids,
    )
    # Odoo dropped the project's sale line on cancel; the gateway gave it back
    assert target.bot.search_count("project.project", [("sale_order_id", "=", first.order_id)]) == 1
