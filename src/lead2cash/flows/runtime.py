"""The hub at run time: the store, the mapping, and a client per connected system.

Flows get a :class:`Hub` from the worker's services (``ctx.services["hub"]``), built once per
process from the configuration file (:func:`lead2cash.flows.build.hub_from_config`) or, in
tests and the demo, from clients pointed at the emulators. The hub offers what every flow
step shares: the Odoo gateway with the bindings as its reference lookup, bindings and audit
entries written together, and the flow settings (schedules, overlap, the approval gate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Connection

from lead2cash import errors
from lead2cash.config.schema import FlowSection
from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.harvest.client import HarvestClient
from lead2cash.connectors.hubspot.client import HubSpotClient
from lead2cash.connectors.hubspot.writeback import HubSpotWriteback
from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.gateway import OdooGateway, PartnerPolicy
from lead2cash.connectors.salesforce.client import SalesforceClient
from lead2cash.engine.handlers import JobContext
from lead2cash.flows.ownership import DEFAULT, Ownership
from lead2cash.mapping.engine import Mapper
from lead2cash.model.base import SourceRef
from lead2cash.store.audit import AuditEntry
from lead2cash.store.bindings import Binding, BindingKey
from lead2cash.store.facade import Store

#: HubSpot properties the hub writes (Odoo owns them in the system-of-record table).
HUBSPOT_DEAL_PROPERTIES = (
    "odoo_sale_order",
    "odoo_project",
    "project_stage",
    "invoiced_to_date",
    "paid_to_date",
    "last_invoice_state",
    "overdue",
)
HUBSPOT_COMPANY_PROPERTIES = ("odoo_partner_id", "invoiced_to_date", "paid_to_date", "overdue")


def key_of(ref: SourceRef | str) -> BindingKey:
    return (
        BindingKey.parse(ref)
        if isinstance(ref, str)
        else BindingKey(ref.system, ref.object_type, ref.external_id)
    )


@dataclass
class Hub:
    """Everything a flow step needs, for one process."""

    store: Store
    mapper: Mapper
    odoo: OdooClient
    hubspot: HubSpotClient | None = None
    salesforce: SalesforceClient | None = None
    harvest: HarvestClient | None = None
    flows: Mapping[str, FlowSection] = field(default_factory=dict)
    #: The secrets the hub's clients hold (for log redaction; never logged or stored).
    secrets: list[SecretStr] = field(default_factory=list, repr=False)
    partner_policy: PartnerPolicy | None = None
    ownership: Ownership = DEFAULT
    #: Salesforce opportunity fields that receive the Odoo references (None: not written).
    salesforce_order_field: str | None = "Odoo_Sale_Order__c"
    salesforce_project_field: str | None = "Odoo_Project__c"
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    actor: str = "lead2cash"

    # -- systems ---------------------------------------------------------------------------

    @cached_property
    def gateway(self) -> OdooGateway:
        return OdooGateway(
            self.odoo, mapper=self.mapper, lookup=self.lookup, partner_policy=self.partner_policy
        )

    @cached_property
    def hubspot_writeback(self) -> HubSpotWriteback:
        return HubSpotWriteback(
            self.need_hubspot(),
            {"deals": HUBSPOT_DEAL_PROPERTIES, "companies": HUBSPOT_COMPANY_PROPERTIES},
        )

    def need_hubspot(self) -> HubSpotClient:
        if self.hubspot is None:
            raise errors.ConfigError("HubSpot is not configured (hubspot: in lead2cash.yaml)")
        return self.hubspot

    def need_salesforce(self) -> SalesforceClient:
        if self.salesforce is None:
            raise errors.ConfigError("Salesforce is not configured (salesforce: in lead2cash.yaml)")
        return self.salesforce

    def need_harvest(self) -> HarvestClient:
        if self.harvest is None:
            raise errors.ConfigError("Harvest is not configured (harvest: in lead2cash.yaml)")
        return self.harvest

    def company_ids(self) -> list[int]:
        """The Odoo ids of every company of the mapping (``allowed_company_ids`` of reads
        that span them)."""
        return sorted({self.gateway.scope(k).company_id for k in self.mapper.spec.companies})

    def flow(self, name: str) -> FlowSection:
        return self.flows.get(name) or FlowSection()

    def close(self) -> None:
        """Close the systems' connections (the hub of :func:`~lead2cash.flows.build.
        hub_from_config` owns them; closing twice is harmless)."""
        self.odoo.close()
        for client in (self.hubspot, self.salesforce, self.harvest):
            if client is not None:
                client.http.close()

    def cursor(self, name: str, flow: str) -> WatermarkCursor:
        """The stored read cursor ``name``, or a new one with ``flow``'s overlap window."""
        stored = self.store.cursors.get(name)
        if stored:
            return WatermarkCursor.model_validate(stored)
        return WatermarkCursor(overlap_seconds=self.flow(flow).overlap_minutes * 60)

    def today(self) -> date:
        return self.clock().astimezone(UTC).date()

    # -- bindings and audit -----------------------------------------------------------------

    def binding(self, ref: SourceRef | str) -> Binding | None:
        return self.store.bindings.get(key_of(ref))

    def lookup(self, ref: SourceRef) -> int | None:
        """The gateway's reference lookup: the Odoo id a source record is bound to."""
        found = self.binding(ref)
        return found.odoo_id if found is not None and found.odoo_id else None

    def bind(
        self,
        ref: SourceRef | str,
        *,
        odoo_model: str | None = None,
        odoo_id: int | None = None,
        company: str | None = None,
        last_hash: str | None = None,
        canonical_id: str | None = None,
        audit: AuditEntry | None = None,
    ) -> int:
        """Bind ``ref`` (waking the jobs parked on it) and audit, in one transaction."""
        with self.store.engine.begin() as conn:
            woke = self.store.bindings.bind(
                key_of(ref),
                odoo_model=odoo_model,
                odoo_id=odoo_id,
                company=company,
                last_hash=last_hash,
                canonical_id=canonical_id,
                conn=conn,
            )
            if audit is not None:
                self.store.audit.append(conn, audit, at=self.clock())
        return woke

    def audit(self, entry: AuditEntry, *, conn: Connection | None = None) -> None:
        if conn is not None:
            self.store.audit.append(conn, entry, at=self.clock())
            return
        with self.store.engine.begin() as own:
            self.store.audit.append(own, entry, at=self.clock())

    def entry(
        self,
        ctx: JobContext | None,
        action: str,
        ref: SourceRef | str,
        *,
        before: Any = None,
        after: Any = None,
        outcome: str = "ok",
    ) -> AuditEntry:
        key = key_of(ref)
        return AuditEntry(
            actor=self.actor,
            action=action,
            outcome=outcome,
            system=key.system,
            object_type=key.object_type,
            object_id=key.external_id,
            before=before,
            after=after,
            correlation_id=None if ctx is None else ctx.correlation_id,
        )


def inbound(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    """The message a job from the inbox carries (its stored payload), or the job's own payload
    (a job replayed with an edited payload carries the message itself)."""
    payload = ctx.payload
    if "inbox_id" not in payload:
        return payload
    row = hub.store.inbox.get(int(payload["inbox_id"]))
    if row is None:
        raise errors.NotFoundError(
            f"inbox message {payload['inbox_id']} is gone", operation="inbox.get"
        )
    message = row["payload"]
    if not isinstance(message, dict):
        raise errors.ValidationError(
            "the inbox message is not a JSON object", field="payload", rule="object"
        )
    return message


def hub_of(ctx: JobContext) -> Hub:
    """The hub of the worker running ``ctx`` (``l2c worker -f lead2cash.yaml`` provides it)."""
    hub = ctx.services.get("hub")
    if not isinstance(hub, Hub):
        raise errors.ConfigError(
            "flow jobs need the hub's configuration: run the worker with -f lead2cash.yaml"
        )
    return hub
