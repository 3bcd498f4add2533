"""deal_to_project: a won (or contract-approved) deal becomes an Odoo customer, a confirmed
sale order and the project Odoo creates from it; the Odoo references go back to the CRM.

One job per deal version (``deal_to_project.deal``, or ``hubspot.deal.import`` from a
webhook). The step, each part idempotent so a rerun or a worker killed half-way duplicates
nothing:

1. read the deal with its company and contacts from the CRM (canonical
   :class:`~lead2cash.model.deal.DealBundle`); a deal not at the mapping's trigger stage is
   left alone;
2. echo suppression: the hash of the CRM-owned content is kept on the deal's binding; the same
   content again (our own write-back echoing, a webhook retried) is not new work;
3. validation checkpoints: customer present and named, contract type, currency, company and
   terms mapped (each failure a ``validation`` exception naming the field and the rule);
4. the optional approval gate: the job parks on ``approval:<crm>:<deal>`` until a person runs
   ``l2c approvals approve`` (or ``reject``);
5. customer and contacts upserted in Odoo (binding first, then VAT, e-mail domain or name under
   the partner policy: never a duplicate partner), bound;
6. the contract compiled into a sale order and confirmed (Odoo creates the project; milestones
   and per-consultant rates set), bound: the deal → ``sale.order`` and ``<crm>:project:<deal>``
   → ``project.project``, which wakes the time entries parked on the project;
7. the Odoo references written back to the CRM deal (and the partner id to the company), only
   the fields Odoo owns, only when they differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from lead2cash import errors
from lead2cash.connectors.hubspot.canonical import deal_bundle
from lead2cash.connectors.salesforce.canonical import opportunity_bundle
from lead2cash.engine.handlers import JobContext
from lead2cash.flows.runtime import HUBSPOT_DEAL_PROPERTIES, Hub
from lead2cash.model.base import SourceRef
from lead2cash.model.contract import Contract
from lead2cash.model.deal import DealBundle
from lead2cash.store.bindings import Binding, content_hash

CRMS = ("hubspot", "salesforce")
_PROPERTY = re.compile(r"properties\.([A-Za-z0-9_]+)")

Status = Literal["not_trigger", "unchanged", "rejected", "synced"]


@dataclass(frozen=True)
class DealOutcome:
    status: Status
    deal: str
    order_id: int | None = None
    order_name: str | None = None
    project_id: int | None = None
    partner_id: int | None = None
    company: str | None = None


def project_ref(deal: SourceRef) -> SourceRef:
    """The binding of the Odoo project a deal's sale order created."""
    return SourceRef(system=deal.system, object_type="project", external_id=deal.external_id)


def deal_bindings(hub: Hub) -> list[Binding]:
    """The CRM deals bound to a sale order (what this flow binds), in key order."""
    return sorted(
        (
            b
            for b in hub.store.bindings.of_model("sale.order")
            if b.odoo_id and b.key.system in CRMS and b.key.object_type != "feedback"
        ),
        key=lambda b: str(b.key),
    )


def deal_ref(binding: Binding) -> SourceRef:
    """The deal a binding of :func:`deal_bindings` is for."""
    key = binding.key
    return SourceRef(system=key.system, object_type=key.object_type, external_id=key.external_id)


def approval_key(deal: SourceRef) -> str:
    return f"approval:{deal.system}:{deal.external_id}"


def mapped_properties(hub: Hub, system: str, *, lines: bool = False) -> list[str]:
    """The deal properties the mapping's contract expressions read (``lines``: the line-item
    properties of the milestone and instalment expressions instead)."""
    spec = hub.mapper.contract_spec(system)
    texts = [v for k, v in spec.model_dump().items() if k != "terms" and isinstance(v, str)]
    for name, text in spec.terms.model_dump().items():
        if isinstance(text, str) and name.startswith("line_") == lines:
            texts.append(text)
    names: set[str] = set()
    for text in texts:
        names.update(_PROPERTY.findall(text))
    return sorted(names)


def load_bundle(hub: Hub, system: str, deal_id: str) -> DealBundle:
    """The deal, its customer and contacts, read from its CRM."""
    wanted = mapped_properties(hub, system)
    if system == "hubspot":
        return deal_bundle(
            hub.need_hubspot(),
            deal_id,
            properties=[*wanted, *HUBSPOT_DEAL_PROPERTIES],
            line_item_properties=mapped_properties(hub, system, lines=True),
        )
    if system == "salesforce":
        extra = [f for f in (hub.salesforce_order_field, hub.salesforce_project_field) if f]
        return opportunity_bundle(hub.need_salesforce(), deal_id, fields=[*wanted, *extra])
    raise errors.ValidationError(
        f"unknown CRM {system!r}", field="system", rule="one of " + ", ".join(CRMS)
    )


def crm_content_hash(hub: Hub, bundle: DealBundle) -> str:
    """The fingerprint of what the CRM owns in the bundle, and the mapping it ran with."""
    data = bundle.model_dump(mode="json")
    owned = {
        k: v
        for k, v in data["deal"]["properties"].items()
        if hub.ownership.owner("deal", k) != "odoo"
        and not k.startswith("hs_")
        and k not in _VOLATILE
    }
    data["deal"]["properties"] = owned
    for part in [data["deal"], data.get("customer") or {}, *data.get("contacts", [])]:
        part.get("source", {}).pop("modified_at", None)
        part.pop("archived", None)
    return content_hash({"bundle": data, "mapping": hub.mapper.version})


#: CRM properties that change without the deal changing (timestamps, Odoo references).
_VOLATILE = frozenset(
    {
        "lastmodifieddate",
        "SystemModstamp",
        "LastModifiedDate",
        "LastViewedDate",
        "LastReferencedDate",
        "odoo_sale_order",
        "odoo_project",
    }
)


def validate(hub: Hub, bundle: DealBundle) -> Contract:
    """The validation checkpoints; the contract the deal commits to."""
    deal = bundle.deal
    customer = bundle.customer
    if customer is None:
        raise errors.ValidationError(
            f"deal {deal.source.key} has no customer company", field="customer", rule="required"
        )
    contract = hub.mapper.contract(deal, customer.source)
    hub.mapper.company(contract.company)
    return contract


def sync_deal(hub: Hub, ctx: JobContext | None, system: str, deal_id: str) -> DealOutcome:
    """Run deal_to_project for one deal (idempotent)."""
    bundle = load_bundle(hub, system, deal_id)
    deal = bundle.deal
    if not hub.mapper.is_trigger(system, deal):
        return DealOutcome("not_trigger", deal.source.key)
    fingerprint = crm_content_hash(hub, bundle)
    bound = hub.binding(deal.source)
    if bound is not None and bound.last_hash == fingerprint and bound.odoo_id:
        return DealOutcome("unchanged", deal.source.key, order_id=bound.odoo_id)
    contract = validate(hub, bundle)
    if hub.flow("deal_to_project").approval_gate:
        decision = hub.binding(approval_key(deal.source))
        if decision is None:
            raise errors.MissingReferenceError(
                f"deal {deal.source.key} waits for approval (l2c approvals approve)",
                reference=approval_key(deal.source),
            )
        if decision.canonical_id == "rejected":
            return DealOutcome("rejected", deal.source.key)
    assert bundle.customer is not None  # checked by validate
    gateway = hub.gateway
    scope = gateway.scope(contract.company)
    customer = gateway.partners.upsert_customer(scope, bundle.customer, bundle.contacts)
    partner_id = customer.customer.odoo_id
    hub.bind(
        bundle.customer.source,
        odoo_model="res.partner",
        odoo_id=partner_id,
        company=contract.company,
        audit=hub.entry(
            ctx,
            "odoo.partner.upsert",
            bundle.customer.source,
            after={
                "res.partner": partner_id,
                "created": customer.customer.created,
                "matched_by": customer.customer.matched_by,
            },
        ),
    )
    for contact, result in zip(bundle.contacts, customer.contacts, strict=True):
        hub.bind(contact.source, odoo_model="res.partner", odoo_id=result.odoo_id)
    order = gateway.sales.upsert_contract(scope, contract, today=hub.today())
    hub.bind(
        deal.source,
        odoo_model="sale.order",
        odoo_id=order.order_id,
        company=contract.company,
        audit=hub.entry(
            ctx,
            "odoo.sale_order.upsert",
            deal.source,
            after={
                "sale.order": order.order_id,
                "name": order.order_name,
                "state": order.state,
                "created": order.created,
                "project.project": order.project_id,
                "lines": dict(order.line_ids),
                "milestones": dict(order.milestone_ids),
            },
        ),
    )
    if order.project_id is not None:
        hub.bind(
            project_ref(deal.source),
            odoo_model="project.project",
            odoo_id=order.project_id,
            company=contract.company,
            audit=hub.entry(
                ctx, "odoo.project.bound", project_ref(deal.source), after=order.project_id
            ),
        )
    write_back(hub, ctx, bundle, order.order_name, order.project_id, partner_id)
    # the fingerprint last: a failure before it (say, in the write-back) reruns every step
    hub.bind(deal.source, last_hash=fingerprint)
    return DealOutcome(
        "synced",
        deal.source.key,
        order.order_id,
        order.order_name,
        order.project_id,
        partner_id,
        contract.company,
    )


def write_back(
    hub: Hub,
    ctx: JobContext | None,
    bundle: DealBundle,
    order_name: str,
    project_id: int | None,
    partner_id: int,
) -> None:
    """The Odoo references on the CRM deal (and company), only where they differ."""
    deal = bundle.deal
    current = deal.properties
    if deal.source.system == "hubspot":
        values: dict[str, Any] = {"odoo_sale_order": order_name}
        if project_id is not None:
            values["odoo_project"] = str(project_id)
        changed = {k: v for k, v in values.items() if str(current.get(k) or "") != v}
        hub.ownership.check_write("odoo", "deal", changed)
        if changed:
            hub.hubspot_writeback.update_deal(deal.source.external_id, changed)
            hub.audit(hub.entry(ctx, "hubspot.deal.writeback", deal.source, after=changed))
        if bundle.customer is not None:
            company = {"odoo_partner_id": str(partner_id)}
            hub.ownership.check_write("odoo", "customer", company)
            hub.hubspot_writeback.update_company(bundle.customer.source.external_id, company)
        return
    fields = {
        name: value
        for name, value in (
            (hub.salesforce_order_field, order_name),
            (hub.salesforce_project_field, None if project_id is None else str(project_id)),
        )
        if name and value is not None and str(current.get(name) or "") != value
    }
    if fields:
        hub.need_salesforce().update("Opportunity", deal.source.external_id, fields)
        hub.audit(hub.entry(ctx, "salesforce.opportunity.writeback", deal.source, after=fields))
