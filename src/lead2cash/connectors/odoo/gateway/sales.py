"""Contracts as confirmed sale orders: header and lines upserted by external id, then
``action_confirm`` (Odoo creates the project and tasks from the products' ``service_tracking``),
then milestones and per-consultant rates on that project.

The project takes the contract's name (the CRM owns it; Odoo would name it
``<customer reference> - <order number>``), and gets its sale line back when Odoo dropped it
(cancelling an order clears ``project.sale_line_id``; confirming again does not restore it).

External ids: the order is ``lead2cash.<crm>_sale_order_<deal id>``, each line
``lead2cash.<crm>_sale_order_line_<deal id>-2f<element key>`` (see ``contract_plan.py`` for the
keys), so a re-run finds every record it made.

Re-running on an order that already exists:

- a **draft** order is brought to the plan (header, lines; lines not in the plan are deleted)
  and confirmed;
- a **confirmed** order is never re-confirmed and its project never re-created. Its header
  keeps its customer, company and currency: a contract whose customer, company or currency
  changed after confirmation raises :class:`~lead2cash.errors.ConflictError` (a person decides:
  cancel and re-run, or amend in Odoo). Lines are compared with the plan and only changed
  values are written (name, quantity, price: Odoo allows these on a confirmed, unlocked order
  and posts the quantity change in the chatter); a planned line whose *product* changed raises
  ConflictError (Odoo refuses to change a confirmed line's product); a new billing element adds
  a line (Odoo then creates its task); a line no longer planned is left alone and reported in
  ``unplanned_line_ids`` (Odoo forbids deleting confirmed lines);
- a **locked** order with any change raises ConflictError; a **cancelled** order raises
  ConflictError.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import (
    Resolver,
    Scope,
    m2o,
    own_xmlid,
    quantize,
    row_error,
    to_decimal,
)
from lead2cash.connectors.odoo.gateway.contract_plan import (
    SERVICE_POLICY,
    ContractPlan,
    ContractProducts,
    RateOverride,
    plan_contract,
)
from lead2cash.connectors.odoo.gateway.products import ProductCatalog, ProductInfo
from lead2cash.connectors.odoo.gateway.projects import ProjectGateway
from lead2cash.connectors.odoo.writer import UpsertRow
from lead2cash.model.base import SourceRef
from lead2cash.model.contract import Contract, TimeAndMaterials

_HEADER = [
    "name",
    "state",
    "locked",
    "partner_id",
    "company_id",
    "currency_id",
    "pricelist_id",
    "client_order_ref",
    "origin",
]
_LINE = [
    "product_id",
    "name",
    "product_uom_qty",
    "price_unit",
    "display_type",
    "project_id",
    "task_id",
]


@dataclass(frozen=True)
class ContractResult:
    """The order a contract became, and what Odoo created from it."""

    order_id: int
    order_name: str
    state: str
    created: bool
    confirmed_now: bool
    line_ids: Mapping[str, int]
    project_id: int | None
    task_ids: tuple[int, ...]
    analytic_account_id: int | None
    milestone_ids: Mapping[str, int] = field(default_factory=dict)
    employee_map_ids: Mapping[int, int] = field(default_factory=dict)
    unplanned_line_ids: tuple[int, ...] = ()


class SaleGateway:
    def __init__(
        self,
        resolver: Resolver,
        catalog: ProductCatalog,
        projects: ProjectGateway,
        products: ContractProducts | None = None,
        *,
        employee_for: Callable[[str, Scope], int] | None = None,
    ) -> None:
        self.resolver = resolver
        self.catalog = catalog
        self.projects = projects
        self._products = products
        self._employee_for = employee_for

    @property
    def products(self) -> ContractProducts:
        if self._products is None:
            if self.resolver.mapper is None:
                raise errors.ConfigError("contract products need the mapping or ContractProducts")
            self._products = ContractProducts.from_mapper(self.resolver.mapper)
        return self._products

    # -- public --------------------------------------------------------------------------------

    def upsert_contract(
        self,
        scope: Scope,
        contract: Contract,
        *,
        estimated_hours: Decimal | None = None,
        today: date | None = None,
    ) -> ContractResult:
        today = today or datetime.now(UTC).date()
        if scope.key is not None and scope.key != contract.company:
            raise errors.ValidationError(
                f"contract {contract.source.key} belongs to company {contract.company!r}, not "
                f"{scope.key!r}",
                field="company",
                rule="the scope's company",
            )
        resolver = self.resolver
        partner_id = resolver.partner(contract.customer)
        currency_id = resolver.currency(contract.currency)
        pricelist_id = self._pricelist(scope, contract.currency, currency_id)
        plan = plan_contract(
            contract,
            today=today,
            overrides=self._overrides(scope, contract, today),
            estimated_hours=estimated_hours,
            qty_digits=resolver.digits("sale.order.line", "product_uom_qty"),
        )
        products = self._check_products(scope, plan)
        xmlid = own_xmlid(contract.source, "sale_order")
        order_id = resolver.own(xmlid)
        created = order_id is None
        header = None
        if order_id is not None:
            header = resolver.read_one("sale.order", order_id, _HEADER, scope)
            self._check_header(contract, header, partner_id, currency_id, scope)
        origin = contract.name
        if contract.po_number:
            origin = f"{contract.name} (PO {contract.po_number})"
        values: dict[str, Any] = {
            "client_order_ref": contract.source.external_id,
            "origin": origin,
        }
        if header is None or header["state"] in ("draft", "sent"):
            values |= {
                "partner_id/.id": partner_id,
                "company_id/.id": scope.company_id,
                "pricelist_id/.id": pricelist_id,
            }
        elif all(header.get(k) == v for k, v in values.items()):
            values = {}
        if values:
            row = UpsertRow(xmlid, values)
            order_id = self._load("sale.order", scope, row, contract.customer.key)
        assert order_id is not None
        if header is None or header["state"] in ("draft", "sent"):
            header = resolver.read_one("sale.order", order_id, _HEADER, scope)
            if m2o(header["currency_id"]) != currency_id:
                raise errors.ConfigError(
                    f"sale order {header['name']} came out in {header['currency_id']}, not "
                    f"{contract.currency}: check the pricelists",
                    currency=contract.currency,
                )
        draft = header["state"] in ("draft", "sent")
        line_ids, unplanned = self._lines(scope, contract, plan, products, order_id, header)
        if draft:
            resolver.call("sale.order", "action_confirm", [order_id], scope)
        return self._result(
            scope,
            contract,
            plan,
            products,
            order_id,
            line_ids,
            unplanned,
            created=created,
            confirmed_now=draft,
        )

    def order_id(self, contract: SourceRef) -> int:
        """The sale order of a contract (``MissingReferenceError`` until it is synced)."""
        found = self.resolver.bound_or_own(contract, "sale_order")
        if found is None:
            raise errors.MissingReferenceError(
                f"contract {contract.key} has no sale order in Odoo yet", reference=contract.key
            )
        return found

    # -- pieces -------------------------------------------------------------------------------

    def _pricelist(self, scope: Scope, code: str, currency_id: int) -> int | None:
        """A pricelist in the contract currency; none is needed in the company currency."""
        rows = self.resolver.client.search_read(
            "product.pricelist",
            [("currency_id", "=", currency_id), ("company_id", "in", [False, scope.company_id])],
            ["company_id"],
            order="sequence, id",
            company_ids=scope.company_ids,
        )
        if rows:
            own = [r for r in rows if m2o(r["company_id"]) == scope.company_id]
            return int((own or rows)[0]["id"])
        if self.resolver.company_currency(scope.company_id) == code:
            return None
        raise errors.ConfigError(
            f"no pricelist in {code} for company {scope.company_id}: Odoo takes an order's "
            f"currency from its pricelist; create one (Sales > Products > Pricelists)",
            currency=code,
        )

    def _overrides(self, scope: Scope, contract: Contract, today: date) -> list[RateOverride]:
        if not isinstance(contract.terms, TimeAndMaterials):
            return []
        day = contract.start_date or today
        card = contract.terms.rate_card
        found: list[RateOverride] = []
        for override in card.overrides:
            if not override.covers(day):
                continue
            employee_id = self._employee(override.consultant, scope)
            found.append(RateOverride(employee_id, override.rate))
        # the role of each mapped consultant of this company prices their time too (Odoo's
        # employee map is the only per-person price it has)
        taken = {o.employee_id for o in found}
        mapper = self.resolver.mapper
        for system, people in (mapper.spec.consultants if mapper else {}).items():
            for user_id, spec in sorted(people.items()):
                if spec.role is None:
                    continue
                key = f"{system}:user:{user_id}"
                rate = card.rate_for(consultant=key, role=spec.role, day=day)
                if rate is None:
                    continue
                try:
                    employee_id = self._employee(key, scope)
                except (errors.MissingReferenceError, errors.ConfigError):
                    continue  # not an employee of this order's company
                if employee_id not in taken:
                    taken.add(employee_id)
                    found.append(RateOverride(employee_id, rate))
        return found

    def _employee(self, consultant: str, scope: Scope) -> int:
        if self._employee_for is not None:
            return self._employee_for(consultant, scope)
        parts = consultant.split(":")
        if len(parts) == 3:
            ref = SourceRef(system=parts[0], object_type=parts[1], external_id=parts[2])
        elif len(parts) == 2:
            ref = SourceRef(system=parts[0], object_type="user", external_id=parts[1])
        else:
            raise errors.MappingError(
                f"rate override consultant {consultant!r} is not 'system:user_id'",
                field="terms.rate_card.overrides",
                rule="system:user_id",
            )
        return self.resolver.employee(ref, scope)

    def _check_products(self, scope: Scope, plan: ContractPlan) -> dict[str, ProductInfo]:
        products: dict[str, ProductInfo] = {}
        for line in plan.lines:
            if line.kind not in products:
                products[line.kind] = self.catalog.service(
                    self.products.ref(line.kind),
                    SERVICE_POLICY[line.kind],
                    scope,
                    element=line.kind.replace("_", " "),
                )
        if not any(p.creates_project for p in products.values()):
            names = ", ".join(sorted(p.name for p in products.values()))
            raise errors.ConfigError(
                f"none of the products of this contract ({names}) creates a project on order; "
                "set 'Create on Order' to a project on one of them",
                rule="service_tracking",
            )
        return products

    def _check_header(
        self,
        contract: Contract,
        header: dict[str, Any],
        partner_id: int,
        currency_id: int,
        scope: Scope,
    ) -> None:
        state = header["state"]
        name = header["name"]
        if state == "cancel":
            raise errors.ConflictError(
                f"sale order {name} of {contract.source.key} is cancelled in Odoo; set it back "
                "to quotation or archive the binding before re-running",
                reference=contract.source.key,
            )
        if state in ("draft", "sent"):
            return
        for label, want, have in (
            ("customer", partner_id, m2o(header["partner_id"])),
            ("company", scope.company_id, m2o(header["company_id"])),
            ("currency", currency_id, m2o(header["currency_id"])),
        ):
            if want != have:
                raise errors.ConflictError(
                    f"the {label} of {contract.source.key} changed after sale order {name} was "
                    f"confirmed (Odoo has {have}, the contract says {want})",
                    reference=contract.source.key,
                    field=label,
                )

    def _lines(
        self,
        scope: Scope,
        contract: Contract,
        plan: ContractPlan,
        products: Mapping[str, ProductInfo],
        order_id: int,
        header: dict[str, Any],
    ) -> tuple[dict[str, int], tuple[int, ...]]:
        resolver = self.resolver
        draft = header["state"] in ("draft", "sent")
        qty_digits = resolver.digits("sale.order.line", "product_uom_qty")
        price_digits = resolver.digits("sale.order.line", "price_unit")
        existing = {
            int(r["id"]): r
            for r in resolver.client.search_read(
                "sale.order.line",
                [("order_id", "=", order_id)],
                _LINE,
                company_ids=scope.company_ids,
            )
        }
        ids: dict[str, int] = {}
        rows: list[UpsertRow] = []
        for sequence, line in enumerate(plan.lines, start=1):
            xmlid = own_xmlid(contract.source, "sale_order_line", line.key)
            line_id = resolver.own(xmlid) if existing else None
            product = products[line.kind]
            values: dict[str, Any] = {
                "order_id/.id": order_id,
                "product_id/.id": product.id,
                "name": line.name,
                "product_uom_qty": quantize(line.quantity, qty_digits),
                "price_unit": quantize(line.price.amount, price_digits),
                "sequence": sequence * 10,
            }
            current = existing.get(line_id) if line_id is not None else None
            if current is not None:
                ids[line.key] = int(current["id"])
                changed = _line_changes(current, values, qty_digits, price_digits)
                if not changed:
                    continue
                if not draft and "product_id/.id" in changed:
                    raise errors.ConflictError(
                        f"line {line.key!r} of sale order {header['name']} needs product "
                        f"{product.name!r} but the order is confirmed",
                        reference=contract.source.key,
                        field=f"line:{line.key}",
                    )
                if not draft:
                    values.pop("product_id/.id")
            if header.get("locked"):
                raise errors.ConflictError(
                    f"sale order {header['name']} is locked; {line.key!r} cannot change",
                    reference=contract.source.key,
                    field=f"line:{line.key}",
                )
            rows.append(UpsertRow(xmlid, values, line.key))
        if rows:
            report = resolver.writer.upsert("sale.order.line", rows, company_ids=scope.company_ids)
            for result in report.results:
                if not result.ok or result.odoo_id is None:
                    raise row_error(result)
                ids[result.key] = result.odoo_id
        planned = set(ids.values())
        others = tuple(
            sorted(i for i, r in existing.items() if i not in planned and not r["display_type"])
        )
        if draft and others:
            resolver.client.unlink("sale.order.line", list(others), company_ids=scope.company_ids)
            others = ()
        return ids, others

    def _load(self, model: str, scope: Scope, row: UpsertRow, reference: str) -> int:
        report = self.resolver.writer.upsert(model, [row], company_ids=scope.company_ids)
        result = report.results[0]
        if not result.ok or result.odoo_id is None:
            raise row_error(result, reference)
        return result.odoo_id

    def _result(
        self,
        scope: Scope,
        contract: Contract,
        plan: ContractPlan,
        products: Mapping[str, ProductInfo],
        order_id: int,
        line_ids: dict[str, int],
        unplanned: tuple[int, ...],
        *,
        created: bool,
        confirmed_now: bool,
    ) -> ContractResult:
        info = self.projects.project_of_order(scope, order_id)
        anchor = next(
            (line_ids[line.key] for line in plan.lines if products[line.kind].creates_project),
            None,
        )
        self.projects.align_project(scope, info, contract.name, anchor)
        milestones = self.projects.sync_milestones(
            scope, contract.source, info.project_id, plan, line_ids
        )
        maps = self.projects.sync_employee_rates(
            scope, info.project_id, plan.employee_lines, line_ids
        )
        return ContractResult(
            order_id=order_id,
            order_name=info.order_name,
            state=info.order_state,
            created=created,
            confirmed_now=confirmed_now,
            line_ids=line_ids,
            project_id=info.project_id,
            task_ids=info.task_ids,
            analytic_account_id=info.analytic_account_id,
            milestone_ids=milestones,
            employee_map_ids=maps,
            unplanned_line_ids=unplanned,
        )


def _line_changes(
    current: dict[str, Any], values: dict[str, Any], qty_digits: int, price_digits: int
) -> set[str]:
    changed: set[str] = set()
    if m2o(current["product_id"]) != values["product_id/.id"]:
        changed.add("product_id/.id")
    if (current["name"] or "") != values["name"]:
        changed.add("name")
    if quantize(to_decimal(current["product_uom_qty"]), qty_digits) != values["product_uom_qty"]:
        changed.add("product_uom_qty")
    if quantize(to_decimal(current["price_unit"]), price_digits) != values["price_unit"]:
        changed.add("price_unit")
    return changed
