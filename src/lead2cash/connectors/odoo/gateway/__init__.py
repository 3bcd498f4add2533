"""The Odoo side of the lead-to-cash flows: canonical objects in, Odoo records out.

:class:`OdooGateway` turns customers, contracts, time entries and expenses into Odoo 17/18/19
records through :class:`~lead2cash.connectors.odoo.client.OdooClient` (every write an upsert by
external id with ``Model.load``, every call in an explicit company scope), and reads invoice
and payment status back:

- ``partners.py``: customers and contacts (match by VAT, domain, name; never a duplicate);
- ``sales.py``: contracts → confirmed sale orders (``contract_plan.py`` compiles the lines);
- ``projects.py``: the project Odoo creates, its milestones and per-consultant rates;
- ``timesheets.py``: approved time → timesheet lines, edits and removals, ``LockedError`` once
  invoiced;
- ``expenses.py``: approved expenses, sheets on 17/18, per-expense submission on 19;
- ``invoices.py``: drafting invoices with Odoo's wizard, invoiced/paid/overdue status;
- ``products.py``: the service and expense products a flow needs, checked;
- ``common.py``: scope, reference resolution, exact amounts.

Usage::

    gateway = OdooGateway(client, mapper=mapper, lookup=bindings_lookup)
    scope = gateway.scope("be")                     # the mapping's company key
    customer = gateway.partners.upsert_customer(scope, customer, contacts)
    order = gateway.sales.upsert_contract(scope, contract)
    results = gateway.timesheets.sync(scope, entries)
    status = gateway.invoices.status(scope, order.order_id)
"""

from __future__ import annotations

from lead2cash.connectors.odoo.client import OdooClient
from lead2cash.connectors.odoo.gateway.common import (
    EntryResult,
    Lookup,
    Resolver,
    Scope,
    Status,
)
from lead2cash.connectors.odoo.gateway.contract_plan import (
    SERVICE_POLICY,
    ContractPlan,
    ContractProducts,
    LinePlan,
    MilestonePlan,
    RateOverride,
    plan_contract,
)
from lead2cash.connectors.odoo.gateway.expenses import ExpenseGateway
from lead2cash.connectors.odoo.gateway.invoices import DraftResult, InvoiceGateway, InvoiceStatus
from lead2cash.connectors.odoo.gateway.partners import (
    CustomerResult,
    PartnerGateway,
    PartnerPolicy,
    PartnerResult,
)
from lead2cash.connectors.odoo.gateway.products import ProductCatalog, ProductInfo
from lead2cash.connectors.odoo.gateway.projects import ProjectGateway, ProjectInfo
from lead2cash.connectors.odoo.gateway.sales import ContractResult, SaleGateway
from lead2cash.connectors.odoo.gateway.timesheets import TimesheetGateway
from lead2cash.connectors.odoo.reader import ReferenceCache
from lead2cash.mapping.engine import Mapper


class OdooGateway:
    """Every Odoo operation of the flows, over one client."""

    def __init__(
        self,
        client: OdooClient,
        *,
        mapper: Mapper | None = None,
        lookup: Lookup | None = None,
        partner_policy: PartnerPolicy | None = None,
        products: ContractProducts | None = None,
        refs: ReferenceCache | None = None,
    ) -> None:
        self.client = client
        self.resolver = Resolver(client, refs=refs, lookup=lookup, mapper=mapper)
        self.catalog = ProductCatalog(self.resolver)
        self.partners = PartnerGateway(self.resolver, partner_policy)
        self.projects = ProjectGateway(self.resolver)
        self.sales = SaleGateway(self.resolver, self.catalog, self.projects, products)
        self.timesheets = TimesheetGateway(self.resolver)
        self.expenses = ExpenseGateway(self.resolver, self.catalog)
        self.invoices = InvoiceGateway(self.resolver)

    def scope(self, company_key: str) -> Scope:
        """The scope of one of the mapping's companies."""
        return self.resolver.scope(company_key)


__all__ = [
    "SERVICE_POLICY",
    "ContractPlan",
    "ContractProducts",
    "ContractResult",
    "CustomerResult",
    "DraftResult",
    "EntryResult",
    "ExpenseGateway",
    "InvoiceGateway",
    "InvoiceStatus",
    "LinePlan",
    "Lookup",
    "MilestonePlan",
    "OdooGateway",
    "PartnerGateway",
    "PartnerPolicy",
    "PartnerResult",
    "ProductCatalog",
    "ProductInfo",
    "ProjectGateway",
    "ProjectInfo",
    "RateOverride",
    "Resolver",
    "SaleGateway",
    "Scope",
    "Status",
    "TimesheetGateway",
    "plan_contract",
]
