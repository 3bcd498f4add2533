"""``l2c sync <flow> --dry-run``: what a run would write, and where, without writing anything.

A dry run reads the sources from the stored cursors (which it does not move) and Odoo, and
returns one :class:`Planned` line per write the run would make: the target system, the model
or object, the external id or record, and the values. Nothing is enqueued, bound, audited or
sent; the store and every remote system are left as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lead2cash import errors
from lead2cash.connectors.harvest import canonical as harvest_canonical
from lead2cash.connectors.harvest.sync import sync_expenses, sync_time_entries
from lead2cash.connectors.hubspot.sync import sync as hubspot_sync
from lead2cash.connectors.odoo.gateway.common import own_xmlid
from lead2cash.connectors.salesforce.sync import sync_records
from lead2cash.flows import expenses, status_feedback, timesheets, work
from lead2cash.flows.deal_to_project import deal_bindings, deal_ref, load_bundle, validate
from lead2cash.flows.runtime import Hub
from lead2cash.model.work import Expense, TimeEntry
from lead2cash.store.bindings import content_hash


@dataclass(frozen=True)
class Planned:
    system: str
    target: str
    reference: str
    values: dict[str, Any]
    note: str = ""


def _work(hub: Hub, kind: work.Kind, items: Sequence[TimeEntry | Expense]) -> list[Planned]:
    out: list[Planned] = []
    planned: work.Planned[Any] = work.plan(hub, list(items))
    for item, exc in planned.unplaced:
        out.append(Planned("lead2cash", "exception", item.source.key, {}, str(exc)))
    for project, batch in planned.by_project.items():
        bound = hub.binding(project)
        note = "" if bound and bound.odoo_id else f"parked until {project} is bound"
        for item in batch:
            values: dict[str, Any] = {"project": project, "day": item.day.isoformat()}
            if isinstance(item, TimeEntry):
                values |= {"hours": str(item.hours), "billing_code": item.billing_code}
            else:
                values |= {"amount": str(item.amount), "category": item.category}
            if not item.approved or item.deleted:
                values["action"] = "remove if synced"
            out.append(
                Planned(
                    "odoo",
                    work.ODOO_MODEL[kind],
                    own_xmlid(item.source, "time_entry" if kind == "timesheets" else "expense"),
                    values,
                    note,
                )
            )
    return out


def _deals(hub: Hub) -> list[Planned]:
    found: list[tuple[str, str]] = []
    if hub.hubspot is not None:
        result = hubspot_sync(
            hub.hubspot, "deals", hub.cursor("deal_to_project.hubspot", "deal_to_project")
        )
        found += [("hubspot", v.id) for v in result.records]
    if hub.salesforce is not None:
        records = sync_records(
            hub.salesforce,
            "Opportunity",
            ["Id", "StageName", "SystemModstamp"],
            hub.cursor("deal_to_project.salesforce", "deal_to_project"),
        )
        found += [("salesforce", str(r["Id"])) for r in records.records]
    out: list[Planned] = []
    for system, deal_id in found:
        bundle = load_bundle(hub, system, deal_id)
        if not hub.mapper.is_trigger(system, bundle.deal):
            continue
        try:
            contract = validate(hub, bundle)
        except errors.Lead2CashError as exc:
            out.append(Planned("lead2cash", "exception", bundle.deal.source.key, {}, str(exc)))
            continue
        assert bundle.customer is not None
        out.append(
            Planned(
                "odoo",
                "res.partner",
                own_xmlid(bundle.customer.source, "customer"),
                {"name": bundle.customer.name, "vat": bundle.customer.vat},
                "matched by binding, VAT, domain or name before creating",
            )
        )
        out.append(
            Planned(
                "odoo",
                "sale.order",
                own_xmlid(bundle.deal.source, "contract"),
                {
                    "company": contract.company,
                    "currency": contract.currency,
                    "terms": contract.terms.model_dump(mode="json"),
                },
                "confirmed; Odoo creates the project",
            )
        )
        out.append(
            Planned(system, "deal", deal_id, {"odoo_sale_order": "<order name>"}, "write-back")
        )
    return out


def _feedback(hub: Hub) -> list[Planned]:
    out: list[Planned] = []
    for binding in deal_bindings(hub):
        assert binding.odoo_id is not None
        deal = deal_ref(binding)
        scope = hub.gateway.scope(binding.company or "")
        status = hub.gateway.invoices.status(scope, binding.odoo_id, today=hub.today())
        values = status_feedback.values_for(
            hub, deal, status, status_feedback.stage_of(hub, deal, scope.company_ids)
        )
        last = hub.binding(status_feedback.feedback_ref(deal))
        if last is None or last.last_hash != content_hash(values):
            out.append(Planned(deal.system, "deal", deal.external_id, values))
    return out


def plan(hub: Hub, flow: str) -> list[Planned]:
    """The writes ``flow`` would make now."""
    if flow == "timesheets":
        client = hub.need_harvest()
        found = sync_time_entries(client, hub.cursor(timesheets.CURSOR, "timesheets"))
        codes = harvest_canonical.project_codes(client) if found.records else {}
        return _work(
            hub, "timesheets", [harvest_canonical.time_entry(r, codes) for r in found.records]
        )
    if flow == "expenses":
        found_expenses = sync_expenses(hub.need_harvest(), hub.cursor(expenses.CURSOR, "expenses"))
        return _work(
            hub, "expenses", [harvest_canonical.expense(r) for r in found_expenses.records]
        )
    if flow == "deal_to_project":
        return _deals(hub)
    if flow == "status_feedback":
        return _feedback(hub)
    raise errors.ValidationError(f"no dry run for flow {flow!r}", field="flow", rule="known flow")
