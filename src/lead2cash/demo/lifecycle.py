"""The lead-to-cash demo: a seeded firm's whole lifecycle through the real flows.

Starts the emulators (HubSpot, Salesforce, Harvest and Odoo, or a real Odoo test database),
prepares Odoo as a firm would once, seeds two legal entities (``be``: HubSpot + Harvest in the
main company's currency; ``uk``: Salesforce + CSV exports in GBP), then runs every flow with
a real worker over the SQLite store: deals won → customers, sale orders and projects; approved
time and expenses → Odoo; a deal won late wakes the work parked on it; a milestone invoiced
and paid → status back to the CRM. Prints a summary and verifies the audit chain.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lead2cash.billing.period import Period
from lead2cash.demo import sources
from lead2cash.demo.stack import RealOdoo, Stack, stack
from lead2cash.flows import billing
from lead2cash.flows.deal_to_project import deal_bindings
from lead2cash.flows.imports import import_file
from lead2cash.store.facade import Store
from lead2cash.store.jobs import JobFilter, NewJob

START = date(2026, 11, 2)
NOVEMBER = Period.parse("2026-11")


@dataclass
class Summary:
    deals: int = 0
    orders: int = 0
    projects: int = 0
    hours: float = 0.0
    timesheet_lines: int = 0
    expenses: int = 0
    feedback: int = 0
    invoices: int = 0
    billed: dict[str, Decimal] = field(default_factory=dict)  # currency → untaxed drafted
    billing_problems: int = 0
    jobs: dict[str, int] = field(default_factory=dict)
    exceptions: Counter[str] = field(default_factory=Counter)
    audit_ok: bool = False


def _steps(
    st: Stack, csv_dir: Path, billed: dict[str, billing.RunOutcome]
) -> list[tuple[str, object]]:
    hub = st.hub
    state: dict[str, dict[str, str]] = {}

    def seed() -> None:
        state["hubspot"] = sources.seed_hubspot(st.control["hubspot"], st.facts.currencies["be"])
        state["salesforce"] = sources.seed_salesforce(st.control["salesforce"])
        sources.seed_harvest(
            st.control["harvest"], state["hubspot"], st.facts.currencies["be"], start=START
        )

    def run(kind: str, key: str) -> None:
        hub.store.jobs.enqueue([NewJob(kind, key, {})])
        st.drain()

    def import_csv() -> None:
        times, expenses = sources.write_uk_csv(csv_dir, state["salesforce"], start=START)
        import_file(hub.store, "timesheets", times, "generic")
        import_file(hub.store, "expenses", expenses, "generic")
        st.drain()

    def win_late() -> None:
        sources.win_hubspot(st.control["hubspot"], state["hubspot"]["ret"])
        run("deal_to_project.poll", "demo:poll:2")

    def bill_november() -> None:
        from lead2cash.model.base import SourceRef

        deal = SourceRef(system="hubspot", object_type="deal", external_id=state["hubspot"]["ms"])
        lines = st.control["hubspot"].get("/_emulator/objects/line_items").json()["results"]
        first = min(
            int(li["id"]) for li in lines if li["properties"].get("name") == "Design signed off"
        )
        # the project manager ticks the first milestone in Odoo; then finance runs billing
        hub.gateway.projects.reach_milestone(hub.gateway.scope("be"), deal, str(first))
        for outcome in billing.run(hub, NOVEMBER, actor="demo"):
            billed[outcome.contract] = outcome

    def post_milestone_invoice() -> None:
        outcome = billed.get(f"hubspot:deal:{state['hubspot']['ms']}")
        if outcome is not None and outcome.invoice_ids:
            st.admin.execute_kw("account.move", "action_post", [list(outcome.invoice_ids)])
        run("status_feedback.run", "demo:feedback:1")

    return [
        ("Seeding the firm: deals, time, expenses", seed),
        ("deal_to_project: won deals → Odoo", lambda: run("deal_to_project.poll", "demo:poll:1")),
        ("timesheets: approved Harvest time → Odoo", lambda: run("timesheets.run", "demo:ts:1")),
        ("expenses: approved Harvest expenses → Odoo", lambda: run("expenses.run", "demo:ex:1")),
        ("CSV imports: UK time and expenses", import_csv),
        ("A retainer deal is won late: parked work wakes", win_late),
        ("billing: November drafted by contract terms", bill_november),
        ("The milestone invoice is posted: status back to HubSpot", post_milestone_invoice),
        (
            "status_feedback: invoice status → CRMs",
            lambda: run("status_feedback.run", "demo:feedback:2"),
        ),
    ]


def summarize(st: Stack, billed: dict[str, billing.RunOutcome]) -> Summary:
    odoo, store = st.admin, st.hub.store
    s = Summary()
    for outcome in billed.values():
        if outcome.status == "drafted" and outcome.invoiced is not None:
            s.invoices += len(outcome.invoice_ids)
            money = outcome.invoiced
            s.billed[money.currency] = s.billed.get(money.currency, Decimal(0)) + money.amount
        elif outcome.status not in ("nothing", "already"):
            s.billing_problems += 1
    s.deals = len(deal_bindings(st.hub))
    s.orders = odoo.search_count("sale.order", [("state", "=", "sale")])
    s.projects = odoo.search_count("project.project", [("sale_order_id", "!=", False)])
    lines = odoo.search_read(
        "account.analytic.line",
        [("project_id", "!=", False), ("ref", "!=", False)],
        ["unit_amount"],
    )
    s.timesheet_lines = len(lines)
    s.hours = sum(float(line["unit_amount"]) for line in lines)
    s.expenses = odoo.search_count("hr.expense", [])
    s.feedback = len(
        [b for b in store.bindings.of_model("sale.order") if b.key.object_type == "feedback"]
    )
    s.jobs = store.jobs.counts()
    for job in store.jobs.find(JobFilter(states=["exception", "dead", "parked"], limit=1000)):
        s.exceptions[f"{job.state}/{job.error_class}"] += 1
    s.audit_ok = store.audit.verify().ok
    return s


def print_summary(console: Console, s: Summary) -> None:
    table = Table(title="lead2cash demo: what reached Odoo and the CRMs")
    table.add_column("what")
    table.add_column("count", justify="right")
    for what, value in (
        ("deals synced (sale orders bound)", s.deals),
        ("confirmed sale orders in Odoo", s.orders),
        ("projects Odoo created from them", s.projects),
        ("timesheet lines synced", s.timesheet_lines),
        ("hours synced", f"{s.hours:,.2f}"),
        ("expenses synced", s.expenses),
        ("deals with status fed back", s.feedback),
        ("invoices drafted by contract terms", s.invoices),
        *((f"amount drafted ({c}, untaxed)", f"{a:,.2f}") for c, a in sorted(s.billed.items())),
        ("billing runs to check", s.billing_problems),
    ):
        table.add_row(what, str(value))
    console.print(table)
    jobs = Table(title="jobs by state; exceptions by class")
    jobs.add_column("state or class")
    jobs.add_column("jobs", justify="right")
    for state, n in sorted(s.jobs.items()):
        jobs.add_row(state, str(n))
    for klass, n in sorted(s.exceptions.items()):
        jobs.add_row(f"  {klass}", str(n))
    console.print(jobs)
    console.print(
        "audit chain: " + ("[green]intact[/green]" if s.audit_ok else "[red]BROKEN[/red]")
    )
    console.print(
        "Try: l2c jobs list --state exception, l2c jobs show <id>, l2c trace hubspot:deal:9001"
    )


def run(console: Console, store: Store, *, odoo: RealOdoo | None = None) -> Summary:
    """The whole lifecycle; returns its summary (also printed)."""
    with tempfile.TemporaryDirectory(prefix="l2c-demo-") as tmp, stack(store, odoo=odoo) as st:
        billed: dict[str, billing.RunOutcome] = {}
        steps = _steps(st, Path(tmp), billed)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task("lead-to-cash lifecycle", total=len(steps))
            for description, step in steps:
                progress.update(task, description=description)
                step()  # type: ignore[operator]
                progress.advance(task)
        summary = summarize(st, billed)
    print_summary(console, summary)
    return summary
