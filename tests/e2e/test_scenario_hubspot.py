"""Scenario (b) of the seed document: HubSpot, Odoo and an expense platform.

Won deals become Odoo customers, confirmed sale orders and projects with the service products
of their contract type; approved expenses import in the nightly batch; invoice and payment
milestones flow back to HubSpot. Every step is run twice to show it duplicates nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from lead2cash.config.schema import FlowSection
from lead2cash.demo import sources
from lead2cash.demo.stack import StackFactory
from lead2cash.engine.scheduler import Scheduler
from lead2cash.flows.handlers import schedules
from lead2cash.store.jobs import JobFilter, NewJob

START = date(2026, 11, 2)


def _deal(st: Any, deal_id: str) -> dict[str, Any]:
    props: dict[str, Any] = (
        st.control["hubspot"].get(f"/_emulator/objects/deals/{deal_id}").json()["properties"]
    )
    return props


def test_won_deals_become_orders_and_projects_and_expenses_and_payments_flow_back(
    make_stack: StackFactory,
) -> None:
    with make_stack(flows={"expenses": FlowSection(schedule="0 2 * * *")}) as st:
        ids = sources.seed_hubspot(st.control["hubspot"], st.facts.currencies["be"])
        st.hub.store.jobs.enqueue([NewJob("deal_to_project.poll", "poll-1", {})])
        st.drain()
        odoo = st.admin
        orders = odoo.search_read(
            "sale.order", [], ["name", "state", "client_order_ref", "partner_id", "project_ids"]
        )
        # three deals are won (T&M, milestones, fixed fee); the Barter deal is an exception and
        # the retainer deal is still open
        assert sorted(o["client_order_ref"] for o in orders) == sorted(
            ids[k] for k in ("tm", "ms", "ff")
        )
        assert all(o["state"] == "sale" for o in orders)
        assert len({o["partner_id"][0] for o in orders}) == len(orders)
        assert odoo.search_count("project.project", [("sale_order_id", "!=", False)]) == len(orders)
        products = {
            p["product_id"][1] for p in odoo.search_read("sale.order.line", [], ["product_id"])
        }
        assert {
            "Consulting (time & materials)",
            "Consulting (milestones)",
            "Fixed-fee engagement",
        } <= products
        assert [(k, s, c) for k, s, c, _ in st.problems()] == [
            ("deal_to_project.deal", "exception", "validation")
        ]
        # the Odoo references went back to the deal, and only the fields Odoo owns
        tm = _deal(st, ids["tm"])
        order = next(o for o in orders if o["client_order_ref"] == ids["tm"])
        assert tm["odoo_sale_order"] == order["name"]
        assert tm["odoo_project"] == str(order["project_ids"][0])
        assert tm["dealname"] == "Northwind data platform"

        # the same deals again (a retried webhook, a second poll): nothing new anywhere
        partners = odoo.search_count("res.partner", [])
        for deal_id in ids.values():
            st.hub.store.jobs.enqueue(
                [
                    NewJob(
                        "deal_to_project.deal",
                        f"again-{deal_id}",
                        {"system": "hubspot", "deal_id": deal_id},
                    )
                ]
            )
        st.drain()
        assert odoo.search_count("sale.order", []) == len(orders)
        assert odoo.search_count("res.partner", []) == partners

        # the retainer deal is won later: its project appears, the parked expenses wake up
        sources.seed_harvest(st.control["harvest"], ids, st.facts.currencies["be"], start=START)
        scheduler = Scheduler(st.hub.store, schedules(st.hub.flows))
        night = datetime(2026, 12, 1, 2, 0, 30, tzinfo=UTC)
        enqueued = scheduler.tick(night)
        assert any(e.created for e in enqueued)
        st.drain()
        parked = [p for p in st.problems() if p[1] == "parked"]
        assert parked and parked[0][3] == f"hubspot:project:{ids['ret']}"
        sources.win_hubspot(st.control["hubspot"], ids["ret"])
        st.hub.store.jobs.enqueue([NewJob("deal_to_project.poll", "poll-2", {})])
        st.drain()
        assert not [p for p in st.problems() if p[1] == "parked"]
        expenses = odoo.search_read(
            "hr.expense",
            [],
            ["name", "total_amount_currency", "analytic_distribution", "sale_order_id"],
        )
        harvest = st.control["harvest"].get("/_emulator/expenses").json()
        approved = [
            e
            for e in harvest["expenses"]
            if e["is_closed"] and e["expense_category"]["name"] != "Gifts"
        ]
        assert len(expenses) == len(approved)
        assert all(e["analytic_distribution"] for e in expenses)
        # the unmapped category is a validation exception; fixed payload, replayed, done
        gift = st.hub.store.jobs.find(JobFilter(kinds=["expenses.entry"], states=["exception"]))
        assert len(gift) == 1 and gift[0].error_class == "validation"
        fixed = dict(gift[0].payload)
        fixed["items"] = [dict(fixed["items"][0], category="Travel")]
        st.hub.store.jobs.replay(JobFilter(ids=[gift[0].id]), actor="test", payload=fixed)
        st.drain()
        assert odoo.search_count("hr.expense", []) == len(approved) + 1
        # a second nightly run in the same night enqueues nothing new
        assert not any(e.created for e in scheduler.tick(night))

        # a milestone is reached, invoiced, posted and paid: status flows back to HubSpot
        ms = st.hub.binding(f"hubspot:deal:{ids['ms']}")
        assert ms is not None and ms.odoo_id
        gateway = st.hub.gateway
        scope = gateway.scope("be")
        from lead2cash.model.base import SourceRef

        gateway.projects.reach_milestone(
            scope,
            SourceRef(system="hubspot", object_type="deal", external_id=ids["ms"]),
            ms_key(st, ids["ms"]),
        )
        draft = gateway.invoices.draft_invoices(scope, ms.odoo_id)
        assert len(draft.invoice_ids) == 1
        odoo.execute_kw("account.move", "action_post", [list(draft.invoice_ids)])
        ctx = {"active_model": "account.move", "active_ids": list(draft.invoice_ids)}
        wizard = odoo.create("account.payment.register", [{"amount": 5000.0}], context=ctx)[0]
        odoo.execute_kw(
            "account.payment.register", "action_create_payments", [[wizard]], context=ctx
        )
        st.hub.store.jobs.enqueue([NewJob("status_feedback.run", "feedback-1", {})])
        st.drain()
        props = _deal(st, ids["ms"])
        total = odoo.read(
            "account.move", list(draft.invoice_ids), ["amount_total", "amount_untaxed"]
        )[0]
        assert total["amount_untaxed"] == 9600.0  # 0.4 of 24,000
        assert props["invoiced_to_date"] == f"{total['amount_total']:.2f}"
        assert props["paid_to_date"] == "5000.00"
        assert props["last_invoice_state"] == "posted"
        assert props["overdue"] == "false"
        calls = len(
            st.control["hubspot"]
            .get("/_emulator/calls", params={"path_prefix": "/crm/v3/objects/deals"})
            .json()["calls"]
        )
        st.hub.store.jobs.enqueue([NewJob("status_feedback.run", "feedback-2", {})])
        st.drain()
        after = (
            st.control["hubspot"]
            .get("/_emulator/calls", params={"path_prefix": "/crm/v3/objects/deals"})
            .json()["calls"]
        )
        assert not [c for c in after[calls:] if c["method"] == "PATCH"]


def ms_key(st: Any, deal_id: str) -> str:
    bundle_lines = st.control["hubspot"].get("/_emulator/objects/line_items").json()
    first = min(
        int(li["id"])
        for li in bundle_lines["results"]
        if li["properties"].get("name") == "Design signed off"
    )
    return str(first)
