"""status_feedback: project stage, invoiced and paid to date, the last invoice's state and an
overdue flag, from Odoo back to the CRM deal (and totals to the company).

``status_feedback.run`` (scheduled; ``flows.status_feedback.schedule``) polls Odoo's
``write_date`` on sale orders, invoices and projects since its cursor (the overlap window
keeps late commits) and enqueues one ``status_feedback.deal`` job per deal whose records moved;
the first run, and ``l2c sync status_feedback``, look at every synced deal. A deal job reads the
order's invoice status, and writes the values to the CRM only when they differ from what it
wrote last (the hash on the ``<crm>:feedback:<deal>`` binding), so a rerun writes nothing.
Only fields the system-of-record table gives to Odoo are written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.gateway import InvoiceStatus
from lead2cash.connectors.salesforce.writeback import InvoiceFeedback, write_invoice_feedback
from lead2cash.engine.handlers import JobContext
from lead2cash.flows.deal_to_project import deal_bindings, deal_ref, project_ref
from lead2cash.flows.runtime import Hub, hub_of
from lead2cash.model.base import SourceRef
from lead2cash.store.bindings import Binding, content_hash
from lead2cash.store.jobs import NewJob

CURSOR = "status_feedback.odoo"
_STAMP = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Feedback:
    deal: str
    values: dict[str, Any]
    written: bool


def feedback_ref(deal: SourceRef) -> SourceRef:
    return SourceRef(system=deal.system, object_type="feedback", external_id=deal.external_id)


def _amount(value: Decimal) -> str:
    return f"{value:f}"


def values_for(
    hub: Hub, deal: SourceRef, status: InvoiceStatus, stage: str | None
) -> dict[str, Any]:
    """The CRM fields of the deal's status (names of the HubSpot properties; mapped to the
    Salesforce feedback fields on write)."""
    values: dict[str, Any] = {
        "invoiced_to_date": _amount(status.invoiced.amount),
        "paid_to_date": _amount(status.paid.amount),
        "last_invoice_state": status.last_invoice_state.value if status.last_invoice_state else "",
        "overdue": "true" if status.overdue else "false",
    }
    if stage is not None:
        values["project_stage"] = stage
    hub.ownership.check_write("odoo", "deal", values)
    return values


def stage_of(hub: Hub, deal: SourceRef, company_ids: list[int]) -> str | None:
    project = hub.binding(project_ref(deal))
    if project is None or not project.odoo_id:
        return None
    rows = hub.odoo.read(
        "project.project", [project.odoo_id], ["stage_id"], company_ids=company_ids
    )
    if not rows or not rows[0].get("stage_id"):
        return None
    return str(rows[0]["stage_id"][1])


def feed_deal(hub: Hub, ctx: JobContext | None, deal_key: str) -> Feedback:
    """Write one deal's status to its CRM when it changed."""
    binding = hub.binding(deal_key)
    if binding is None or binding.odoo_model != "sale.order" or not binding.odoo_id:
        raise errors.MissingReferenceError(
            f"deal {deal_key} has no sale order in Odoo yet", reference=deal_key
        )
    deal = deal_ref(binding)
    scope = hub.gateway.scope(binding.company or "")
    status = hub.gateway.invoices.status(scope, binding.odoo_id, contract=deal, today=hub.today())
    values = values_for(hub, deal, status, stage_of(hub, deal, scope.company_ids))
    digest = content_hash(values)
    last = hub.binding(feedback_ref(deal))
    if last is not None and last.last_hash == digest:
        return Feedback(deal.key, values, written=False)
    if deal.system == "hubspot":
        hub.hubspot_writeback.update_deal(deal.external_id, values)
    elif deal.system == "salesforce":
        write_invoice_feedback(
            hub.need_salesforce(),
            deal.external_id,
            InvoiceFeedback(
                status=values["last_invoice_state"] or "none",
                invoice_number=status.invoices[-1].number if status.invoices else None,
                amount_invoiced=status.invoiced.amount,
                amount_paid=status.paid.amount,
            ),
        )
    else:
        raise errors.ConfigError(f"no status feedback for CRM {deal.system!r}")
    hub.bind(
        feedback_ref(deal),
        odoo_model="sale.order",
        odoo_id=binding.odoo_id,
        company=binding.company,
        last_hash=digest,
        audit=hub.entry(ctx, f"{deal.system}.deal.feedback", deal, after=values),
    )
    return Feedback(deal.key, values, written=True)


def _changed_orders(hub: Hub, since: str, bound: dict[int, Binding]) -> set[int]:
    """Bound orders whose order, invoices or project Odoo changed since ``since``."""
    ids = list(bound)
    companies = hub.company_ids()
    changed: set[int] = set()
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        orders = hub.odoo.read(
            "sale.order", chunk, ["write_date", "invoice_ids"], company_ids=companies
        )
        by_move: dict[int, int] = {}
        for order in orders:
            if str(order["write_date"]) >= since:
                changed.add(int(order["id"]))
            by_move.update({int(m): int(order["id"]) for m in order["invoice_ids"]})
        if by_move:
            moves = hub.odoo.search_read(
                "account.move",
                [("id", "in", list(by_move)), ("write_date", ">=", since)],
                ["id"],
                company_ids=companies,
            )
            changed |= {by_move[int(m["id"])] for m in moves}
        projects = {
            p.odoo_id: order_id
            for order_id in chunk
            if (p := hub.binding(project_ref(deal_ref(bound[order_id])))) and p.odoo_id
        }
        if projects:
            moved = hub.odoo.search_read(
                "project.project",
                [("id", "in", list(projects)), ("write_date", ">=", since)],
                ["id"],
                company_ids=companies,
            )
            changed |= {projects[int(p["id"])] for p in moved}
    return changed


def run(hub: Hub, *, everything: bool = False, run_id: str | None = None) -> int:
    """Enqueue a feedback job per deal whose Odoo records moved; returns how many.

    ``run_id`` names this run in the deal jobs' keys (the run job's id: a retried run enqueues
    nothing twice); without one, the run's start time to the microsecond."""
    started = hub.clock()
    bound = {int(b.odoo_id): b for b in deal_bindings(hub) if b.odoo_id}
    since = hub.store.cursors.get(CURSOR)
    order_ids = set(bound)
    if since and not everything:
        order_ids = _changed_orders(hub, str(since), bound)
    stamp = run_id or started.strftime("%Y%m%dT%H%M%S.%f")
    jobs = [
        NewJob(
            "status_feedback.deal",
            f"status_feedback:{bound[o].key}:{stamp}",
            {"deal": str(bound[o].key)},
        )
        for o in sorted(order_ids)
    ]
    overlap = timedelta(minutes=hub.flow("status_feedback").overlap_minutes)
    with hub.store.engine.begin() as conn:
        created = sum(e.created for e in hub.store.jobs.enqueue(jobs, conn=conn))
        hub.store.cursors.put(CURSOR, (started - overlap).strftime(_STAMP), conn=conn)
    return created


def handle_run(ctx: JobContext) -> None:
    found = run(hub_of(ctx), run_id=f"job{ctx.job.id}")
    ctx.log.info("status_feedback: %d deals to feed back", found)


def handle_deal(ctx: JobContext) -> None:
    feed_deal(hub_of(ctx), ctx, str(ctx.payload["deal"]))
