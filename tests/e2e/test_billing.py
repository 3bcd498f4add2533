"""Contract billing end to end, on the Odoo emulator and on a real Odoo.

One month of approved Harvest time on three contracts: time and materials billed at the rate of
each consultant's role (three rates), milestones with one reached, a retainer with overage. The
readiness report shows what each would invoice; the billing run drafts the invoices through
Odoo's own invoicing, with exactly the totals computed here from the source data; a second run,
and a run that died after Odoo drafted, create nothing new.

The real target needs ``L2C_TEST_ODOO_URL``, ``_DB``, ``_LOGIN``, ``_API_KEY`` (and, for the
flows, ``_BOT_LOGIN``/``_BOT_API_KEY``); its deals and time use ids unique to the run, so runs
on the same database do not meet.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from lead2cash.billing.period import Period
from lead2cash.demo import sources
from lead2cash.demo.firm import PEOPLE
from lead2cash.demo.stack import Stack, real_odoo_from_env, stack
from lead2cash.flows import billing, readiness
from lead2cash.model.base import SourceRef
from lead2cash.store.facade import Store
from lead2cash.store.jobs import NewJob
from lead2cash.store.tables import billing_runs

NOVEMBER = Period.parse("2026-11")
START = date(2026, 11, 2)
RATES = {"partner": Decimal(220), "senior": Decimal(150), "junior": Decimal(95)}
TM, MS, RET = (next(d for d in sources.BE_DEALS if d.key == k) for k in ("tm", "ms", "ret"))
DEALS = (
    dataclasses.replace(TM, properties={"not_to_exceed": "250000"}),
    MS,
    dataclasses.replace(RET, won=True),
)


@pytest.fixture(params=["emulator", "real"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Stack, int]]:
    real = None
    ids = 0
    if request.param == "real":
        real, missing = real_odoo_from_env(os.environ)
        if real is None:
            pytest.skip(f"a real Odoo needs {', '.join(missing)} (see docs/development.md)")
        ids = int(time.time() * 10) % 10**9 * 1000
    store = Store.open(f"sqlite:///{tmp_path / 'l2c.db'}", upgrade=True)
    try:
        with stack(store, odoo=real) as st:
            yield st, ids
    finally:
        store.close()


def _expected(st: Stack, projects: dict[str, int]) -> dict[str, Decimal]:
    """The invoice totals, from the Harvest data and the contract terms alone."""
    roles = {p.harvest_id: p.role for p in PEOPLE if p.harvest_id}
    entries = st.control["harvest"].get("/_emulator/time_entries").json()["time_entries"]
    billable = [e for e in entries if e["is_closed"] and e["task"]["name"] != "Internal"]
    tm = sum(
        Decimal(e["hours"]) * RATES[roles[e["user"]["id"]]]
        for e in billable
        if e["project"]["id"] == projects["tm"]
    )
    retainer_hours = sum(
        Decimal(e["hours"]) for e in billable if e["project"]["id"] == projects["ret"]
    )
    overage = max(Decimal(0), retainer_hours - Decimal(30)) * Decimal(170)
    return {"tm": tm, "ms": Decimal("9600.00"), "ret": Decimal(5000) + overage}


def _invoices(st: Stack, order_ids: list[int]) -> list[dict[str, Any]]:
    ctx = {"allowed_company_ids": sorted(st.facts.company_ids.values())}
    return st.admin.search_read(
        "account.move",
        [
            ("move_type", "=", "out_invoice"),
            ("invoice_line_ids.sale_line_ids.order_id", "in", order_ids),
        ],
        ["amount_untaxed", "state"],
        context=ctx,
    )


def test_a_month_of_three_contracts_is_billed_once_with_the_expected_totals(
    target: tuple[Stack, int],
) -> None:
    st, base = target
    first = 9001 + base
    ids = sources.seed_hubspot(
        st.control["hubspot"], st.facts.currencies["be"], DEALS, first_id=first
    )
    st.hub.store.jobs.enqueue([NewJob("deal_to_project.poll", "poll", {})])
    st.drain(max_seconds=300)
    projects = sources.seed_harvest(
        st.control["harvest"], ids, st.facts.currencies["be"], start=START, id_base=base
    )
    st.hub.store.jobs.enqueue([NewJob("timesheets.run", "time", {})])
    st.drain(max_seconds=300)
    assert not st.problems()
    expected = _expected(st, projects)
    contract = {k: f"hubspot:deal:{v}" for k, v in ids.items()}

    # readiness: what each contract would invoice, nothing missing from Odoo, no milestone yet
    rows = {
        r.contract: r for r in readiness.report(st.hub, NOVEMBER) if r.contract in contract.values()
    }
    assert rows[contract["tm"]].would_invoice == expected["tm"]
    assert rows[contract["ret"]].would_invoice == expected["ret"]
    assert rows[contract["ms"]].status == "nothing"
    assert all(r.not_in_odoo_hours == 0 and r.held_records == 0 for r in rows.values())
    assert all(r.rate_mismatch_amount == 0 for r in rows.values())

    # the first milestone is reached (an operator ticks it in Odoo): ready to invoice
    milestone = next(
        str(li["id"])
        for li in st.control["hubspot"].get("/_emulator/objects/line_items").json()["results"]
        if li["properties"].get("name") == "Design signed off"
        and int(li["id"]) >= 301 + (first - 9001) * 1000
    )
    deal = SourceRef(system="hubspot", object_type="deal", external_id=ids["ms"])
    st.hub.gateway.projects.reach_milestone(st.hub.gateway.scope("be"), deal, milestone)
    ms_row = next(r for r in readiness.report(st.hub, NOVEMBER) if r.contract == contract["ms"])
    assert (ms_row.milestones_ready, ms_row.milestones_ready_amount) == (1, expected["ms"])

    # the run: one draft per contract, Odoo's totals are the terms' totals
    mine = tuple(contract.values())
    outcomes = {
        o.contract: o for o in billing.run(st.hub, NOVEMBER, actor="finance", contracts=mine)
    }
    assert {o.status for o in outcomes.values()} == {"drafted"}, [o.note for o in outcomes.values()]
    for key, deal_key in contract.items():
        outcome = outcomes[deal_key]
        assert len(outcome.invoice_ids) == 1
        assert outcome.invoiced is not None and outcome.invoiced.amount == expected[key], key
        moves = st.admin.read(
            "account.move", list(outcome.invoice_ids), ["amount_untaxed", "state"]
        )
        assert Decimal(str(moves[0]["amount_untaxed"])) == expected[key]
        assert moves[0]["state"] == "draft"
    # every billed hour of the T&M contract is traceable to its invoice
    tm_order = st.hub.binding(contract["tm"])
    assert tm_order is not None and tm_order.odoo_id
    tm_project = st.hub.binding(f"hubspot:project:{ids['tm']}")
    assert tm_project is not None
    lines = st.admin.search_read(
        "account.analytic.line",
        [("project_id", "=", tm_project.odoo_id), ("so_line", "!=", False)],
        ["timesheet_invoice_id"],
    )
    assert lines and {line["timesheet_invoice_id"][0] for line in lines} == set(
        outcomes[contract["tm"]].invoice_ids
    )

    # a second run bills nothing; a run that died after Odoo drafted adopts its draft
    orders = [b.odoo_id for k in contract.values() if (b := st.hub.binding(k)) and b.odoo_id]
    before = len(_invoices(st, orders))
    again = billing.run(st.hub, NOVEMBER, actor="finance", contracts=mine)
    assert {o.status for o in again} == {"already"}
    with st.hub.store.engine.begin() as conn:
        conn.execute(
            update(billing_runs)
            .where(billing_runs.c.contract == contract["ret"])
            .values(status="drafting", invoice_ids=[])
        )
    resumed = billing.run(st.hub, NOVEMBER, actor="finance", contracts=(contract["ret"],))
    assert [o.status for o in resumed] == ["drafted"]
    assert resumed[0].invoice_ids == outcomes[contract["ret"]].invoice_ids
    assert len(_invoices(st, orders)) == before
