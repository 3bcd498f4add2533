"""Approved time as timesheets: idempotent batches, adjustments, and the invoiced lock."""

from __future__ import annotations

from typing import Any

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.gateway import OdooGateway


@pytest.fixture
def project(target: Any, gateway: OdooGateway, make: Any, bindings: dict[str, int]) -> Any:
    """``project(overrides)``: a confirmed T&M contract and a time-tool project bound to its
    Odoo project, as the deal_to_project flow leaves them."""

    def build(overrides: dict[str, str] | None = None) -> Any:
        customer = make.customer()
        gateway.partners.upsert_customer(target.scope, customer)
        contract = make.tm_contract(customer.source, overrides=overrides)
        result = gateway.sales.upsert_contract(target.scope, contract)
        harvest_project = customer.source.model_copy(
            update={"system": "harvest", "object_type": "project", "external_id": target.uid()}
        )
        assert result.project_id is not None
        bindings[harvest_project.key] = result.project_id
        return harvest_project, result

    return build


def _delivered(target: Any, line_id: int) -> float:
    return float(
        target.bot.read("sale.order.line", [line_id], ["qty_delivered"])[0]["qty_delivered"]
    )


def test_timesheets_twice_give_the_same_lines_and_delivered_hours(
    target: Any, gateway: OdooGateway, make: Any, project: Any
) -> None:
    target.require("employee_map")
    harvest_project, order = project({"u2": "180"})  # u2 bills at an own rate
    uid = target.uid()
    entries = [
        make.time_entry(harvest_project, "u1", "3", entry_id=f"{uid}-1"),
        make.time_entry(harvest_project, "u1", "2.5", entry_id=f"{uid}-2", notes="review"),
        make.time_entry(harvest_project, "u2", "2", entry_id=f"{uid}-3"),
    ]
    first = gateway.timesheets.sync(target.scope, entries)
    assert [r.status for r in first] == ["created"] * 3, [r.error for r in first]
    second = gateway.timesheets.sync(target.scope, entries)
    assert [r.status for r in second] == ["unchanged"] * 3
    assert [r.odoo_id for r in second] == [r.odoo_id for r in first]
    lines = target.bot.read(
        "account.analytic.line",
        [r.odoo_id for r in first],
        ["employee_id", "project_id", "unit_amount", "name", "so_line", "ref"],
    )
    assert [line["employee_id"][0] for line in lines] == [
        target.employees["u1"],
        target.employees["u1"],
        target.employees["u2"],
    ]
    assert {line["project_id"][0] for line in lines} == {order.project_id}
    assert lines[1]["name"] == "review"
    assert _delivered(target, order.line_ids["tm"]) == 5.5
    # u2's hours go to the line at u2's own rate (employee map)
    assert _delivered(target, order.line_ids["tm-rate-180.00"]) == 2.0

    edited = [
        entries[0].model_copy(update={"hours": entries[0].hours + 1}),
        entries[1].model_copy(update={"approved": False}),
        entries[2].model_copy(update={"deleted": True}),
        make.time_entry(harvest_project, "u1", "1", entry_id=f"{uid}-4", billable=False),
    ]
    third = gateway.timesheets.sync(target.scope, edited)
    assert [r.status for r in third] == ["updated", "deleted", "deleted", "created"]
    assert third[0].odoo_id == first[0].odoo_id
    assert _delivered(target, order.line_ids["tm"]) == 4.0
    assert _delivered(target, order.line_ids["tm-rate-180.00"]) == 0.0
    assert (
        target.bot.read("account.analytic.line", [third[3].odoo_id], ["so_line"])[0]["so_line"]
        is False
    )
    gone = gateway.timesheets.sync(target.scope, [edited[1]])
    assert gone[0].status == "absent"


def test_unbound_project_and_unknown_consultant_park_only_their_entry(
    target: Any, gateway: OdooGateway, make: Any, project: Any
) -> None:
    harvest_project, _ = project()
    uid = target.uid()
    unbound = harvest_project.model_copy(update={"external_id": f"{uid}-nowhere"})
    entries = [
        make.time_entry(unbound, "u1", "1", entry_id=f"{uid}-a"),
        make.time_entry(harvest_project, "nobody", "1", entry_id=f"{uid}-b"),
        make.time_entry(harvest_project, "u1", "1", entry_id=f"{uid}-c"),
    ]
    results = gateway.timesheets.sync(target.scope, entries)
    assert [r.status for r in results] == ["failed", "failed", "created"]
    assert isinstance(results[0].error, errors.MissingReferenceError)
    assert results[0].error.reference == unbound.key
    assert isinstance(results[1].error, errors.MissingReferenceError)
    assert results[1].error.reference == "harvest:user:nobody"


def test_editing_an_invoiced_timesheet_is_locked(
    target: Any, gateway: OdooGateway, make: Any, project: Any
) -> None:
    harvest_project, order = project()
    uid = target.uid()
    entries = [
        make.time_entry(harvest_project, "u1", "3", entry_id=f"{uid}-1"),
        make.time_entry(harvest_project, "u1", "2", entry_id=f"{uid}-2"),
    ]
    gateway.timesheets.sync(target.scope, entries)
    drafted = gateway.invoices.draft_invoices(target.scope, order.order_id)
    assert len(drafted.invoice_ids) == 1
    changed = [
        entries[0].model_copy(update={"hours": entries[0].hours + 1}),  # invoiced: locked
        entries[1].model_copy(update={"notes": "renamed"}),  # description only: allowed
        make.time_entry(harvest_project, "u1", "1", entry_id=f"{uid}-3"),  # new: fine
    ]
    results = gateway.timesheets.sync(target.scope, changed)
    assert [r.status for r in results] == ["failed", "updated", "created"]
    assert isinstance(results[0].error, errors.LockedError)
    assert results[0].error.failure_class == errors.FailureClass.LOCKED
    withdrawn = gateway.timesheets.sync(
        target.scope, [entries[1].model_copy(update={"deleted": True})]
    )
    assert isinstance(withdrawn[0].error, errors.LockedError)
    hours = target.bot.search_read(
        "account.analytic.line", [("ref", "=", entries[0].source.key)], ["unit_amount"]
    )
    assert [h["unit_amount"] for h in hours] == [3.0]
