"""Scenario (a) of the seed document: Salesforce, a time-tracking platform (Harvest) and Odoo.

A contract-approved opportunity creates, then updates, the customer, the sale order and the
project; approved timesheets sync on a 30-minute schedule, mapped to project, task, consultant
and billing code; invoice status flows back to the opportunity. Every step is run twice.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from lead2cash.config.schema import FlowSection
from lead2cash.demo import sources
from lead2cash.demo.firm import PEOPLE
from lead2cash.demo.stack import StackFactory
from lead2cash.engine.scheduler import Scheduler
from lead2cash.flows.handlers import schedules
from lead2cash.store.jobs import JobFilter, NewJob

START = date(2026, 11, 2)
#: The UK consultants, as Harvest users of the UK entity.
UK_STAFF = tuple(
    dataclasses.replace(p, harvest_id=1101 + i)
    for i, p in enumerate(p for p in PEOPLE if p.company == "uk")
)
CONSULTANTS = {
    "harvest": {str(p.harvest_id): {"employee": p.name, "role": p.role} for p in UK_STAFF},
    "csv": {p.email: {"employee": p.name, "role": p.role} for p in UK_STAFF},
}


def _opportunity(st: Any, opp_id: str) -> dict[str, Any]:
    record: dict[str, Any] = (
        st.control["salesforce"].get(f"/_emulator/records/Opportunity/{opp_id}").json()["record"]
    )
    return record


def _tick(scheduler: Scheduler, now: datetime) -> Counter[str]:
    """The kinds of the jobs one scheduler tick created."""
    enqueued = scheduler.tick(now)
    return Counter(s.kind for s, e in zip(scheduler.schedules, enqueued, strict=True) if e.created)


def test_approved_opportunities_time_every_30_minutes_and_invoice_status_back_to_salesforce(
    make_stack: StackFactory,
) -> None:
    with make_stack(
        harvest_crm="salesforce",
        flows={"timesheets": FlowSection(schedule="*/30 * * * *")},
        mapping_overrides={"consultants": CONSULTANTS},
    ) as st:
        odoo, uk = st.admin, st.facts.company_ids["uk"]
        ids = sources.seed_salesforce(st.control["salesforce"])
        scheduler = Scheduler(st.hub.store, schedules(st.hub.flows))
        morning = datetime(2026, 12, 1, 9, 0, 5, tzinfo=UTC)
        assert _tick(scheduler, morning)["deal_to_project.poll"] == 1
        st.drain()

        # both contract-approved opportunities: customer, confirmed order and project in the UK
        # company, in GBP, with the references written back to the opportunity
        orders = odoo.search_read(
            "sale.order",
            [("company_id", "=", uk)],
            ["name", "state", "client_order_ref", "partner_id", "currency_id", "project_ids"],
        )
        assert sorted(o["client_order_ref"] for o in orders) == sorted(ids.values())
        assert {o["state"] for o in orders} == {"sale"}
        assert {o["currency_id"][1] for o in orders} == {"GBP"}
        assert all(len(o["project_ids"]) == 1 for o in orders)
        by_opp = {o["client_order_ref"]: o for o in orders}
        for opp_id, order in by_opp.items():
            opp = _opportunity(st, opp_id)
            assert opp["Odoo_Sale_Order__c"] == order["name"]
            assert opp["Odoo_Project__c"] == str(order["project_ids"][0])
        stark = by_opp[ids["uktm"]]["partner_id"][0]

        # the account and the opportunity change in Salesforce (in the same second as the sync:
        # the version key is not the stamp alone): the same partner is updated, nothing is
        # duplicated
        accounts = st.control["salesforce"].get("/_emulator/records/Account").json()["records"]
        account = next(a for a in accounts if a["Name"] == "Stark Industries Ltd")
        st.control["salesforce"].patch(
            f"/_emulator/records/Account/{account['Id']}",
            json={"Name": "Stark Industries Limited", "Phone": "+44 20 7946 0000"},
        ).raise_for_status()
        st.control["salesforce"].patch(
            f"/_emulator/records/Opportunity/{ids['uktm']}", json={"Amount": 42000}
        ).raise_for_status()
        partners = odoo.search_count("res.partner", [])
        assert _tick(scheduler, datetime(2026, 12, 1, 9, 5, 5, tzinfo=UTC))["deal_to_project.poll"]
        st.drain()
        assert odoo.read("res.partner", [stark], ["name"])[0]["name"] == "Stark Industries Limited"
        assert odoo.search_count("res.partner", []) == partners
        assert odoo.search_count("sale.order", [("company_id", "=", uk)]) == len(orders)
        assert not st.problems()

        # a month of Harvest time on both projects; the 30-minute schedule picks it up
        sources.seed_harvest(
            st.control["harvest"],
            ids,
            "GBP",
            start=START,
            people=UK_STAFF,
            expense_keys=(),
        )
        harvest = st.control["harvest"].get("/_emulator/time_entries").json()["time_entries"]
        approved = [e for e in harvest if e["is_closed"]]
        assert len(approved) < len(harvest)  # the last day is not approved yet
        ten = datetime(2026, 12, 1, 10, 0, 5, tzinfo=UTC)
        assert _tick(scheduler, ten)["timesheets.run"] == 1
        assert not _tick(scheduler, ten.replace(minute=15))["timesheets.run"]
        st.drain()
        lines = odoo.search_read(
            "account.analytic.line",
            [("project_id", "!=", False)],
            ["unit_amount", "project_id", "task_id", "employee_id", "so_line", "company_id"],
        )
        assert len(lines) == len(approved)
        assert sum(Decimal(str(line["unit_amount"])) for line in lines) == sum(
            Decimal(e["hours"]) for e in approved
        )
        assert {line["company_id"][0] for line in lines} == {uk}
        assert {line["employee_id"][1] for line in lines} == {p.name for p in UK_STAFF}
        projects = {by_opp[o]["project_ids"][0] for o in ids.values()}
        assert {line["project_id"][0] for line in lines} == projects
        assert {line["task_id"][1] for line in lines if line["task_id"]} >= {"Development", "PM"}
        # billing codes: billable work on a sale order line, internal work on none
        internal = [e for e in approved if e["task"]["name"] == "Internal"]
        assert internal
        assert len([line for line in lines if not line["so_line"]]) == len(internal)

        # the half-hour later run, and a rerun of the same slot, write nothing new
        assert _tick(scheduler, ten.replace(minute=30))["timesheets.run"] == 1
        st.drain()
        assert odoo.search_count("account.analytic.line", [("project_id", "!=", False)]) == len(
            lines
        )
        assert not st.problems()

        # the T&M contract is invoiced and half paid: status flows back to the opportunity
        tm = st.hub.binding(f"salesforce:opportunity:{ids['uktm']}")
        assert tm is not None and tm.odoo_id
        scope = st.hub.gateway.scope("uk")
        draft = st.hub.gateway.invoices.draft_invoices(scope, tm.odoo_id)
        assert len(draft.invoice_ids) == 1
        ctx = {"allowed_company_ids": [uk]}
        odoo.execute_kw("account.move", "action_post", [list(draft.invoice_ids)], context=ctx)
        invoice = odoo.read(
            "account.move", list(draft.invoice_ids), ["name", "amount_total"], context=ctx
        )[0]
        pay = {"active_model": "account.move", "active_ids": list(draft.invoice_ids), **ctx}
        wizard = odoo.create("account.payment.register", [{"amount": 1000.0}], context=pay)[0]
        odoo.execute_kw(
            "account.payment.register", "action_create_payments", [[wizard]], context=pay
        )
        feedback = _tick(scheduler, datetime(2026, 12, 1, 11, 0, 5, tzinfo=UTC))
        assert feedback["status_feedback.run"] == 1
        st.drain()
        opp = _opportunity(st, ids["uktm"])
        assert opp["Odoo_Invoice_Status__c"] == "posted"
        assert opp["Odoo_Invoice_Number__c"] == invoice["name"]
        assert Decimal(str(opp["Odoo_Amount_Paid__c"])) == Decimal("1000")
        assert invoice["amount_total"] > 1000
        # a second feedback run finds nothing to write
        sf_calls = len(st.control["salesforce"].get("/_emulator/calls").json()["calls"])
        st.hub.store.jobs.enqueue([NewJob("status_feedback.run", "feedback-again", {})])
        st.drain()
        after = st.control["salesforce"].get("/_emulator/calls").json()["calls"][sf_calls:]
        assert not [c for c in after if c["method"] == "PATCH"]
        done = st.hub.store.jobs.find(JobFilter(kinds=["status_feedback.deal"], states=["done"]))
        assert done
