"""Service and expense products: found by the mapping's external id or name, and checked
against what the flow needs before anything is written.

A sale line's billing behaviour comes from its product, not from the line: ``service_policy``
(computed from ``invoice_policy`` + ``service_type``, readable on every version) must match the
billing element (time and materials → ``delivered_timesheet``, milestones →
``delivered_milestones``, retainer fee → ``ordered_prepaid``, overage and fixed-fee instalments →
``delivered_manual``), and ``service_tracking`` decides whether confirming the order creates a
project. An expense category's product must be expensable, carry no cost (a cost forces the
unit price, so the real amount would be lost: reference §2.10) and re-invoice the way the
category says (``expense_policy``). A mismatch is a :class:`~lead2cash.errors.ConfigError`
naming the product and the rule; the bot cannot create or fix products (it lacks
"Products/Create"), a person does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import Resolver, Scope, looks_like_xmlid, m2o
from lead2cash.model.contract import ReinvoicePolicy

#: ``service_tracking`` values that make ``action_confirm`` create a project for the order.
PROJECT_TRACKING = frozenset({"project_only", "task_in_project"})


@dataclass(frozen=True)
class ProductInfo:
    """What the gateway knows of one ``product.product``."""

    id: int
    name: str
    ref: str
    service_policy: str | None
    service_tracking: str | None
    expense_policy: str | None
    company_id: int | None

    @property
    def creates_project(self) -> bool:
        return self.service_tracking in PROJECT_TRACKING


class ProductCatalog:
    """Product look-ups and checks, cached per catalog (products change rarely)."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self._cache: dict[tuple[str, int], ProductInfo] = {}

    def _fields(self) -> list[str]:
        compat = self.resolver.compat
        fields = [
            "name",
            compat.product_type_field,
            "sale_ok",
            "service_policy",
            "service_tracking",
            "company_id",
            "can_be_expensed",
            "standard_price",
            "expense_policy",
        ]
        return list(dict.fromkeys(fields))

    def _find(self, ref: str, scope: Scope) -> int:
        client = self.resolver.client
        if looks_like_xmlid(ref):
            try:
                return self.resolver.refs.by_xmlid(ref, "product.product")
            except errors.NotFoundError:
                pass
            except errors.ConfigError:
                # the external id names a product.template: take its (single) variant
                template = self.resolver.refs.by_xmlid(ref)
                ids = client.search(
                    "product.product",
                    [("product_tmpl_id", "=", template)],
                    limit=2,
                    company_ids=scope.company_ids,
                )
                if len(ids) == 1:
                    return ids[0]
                raise errors.ConfigError(
                    f"product {ref!r} names a template with {len(ids)} variants; name a variant"
                ) from None
        return self.resolver.config_record(
            "product.product", ref, what="product", company_id=scope.company_id
        )

    def info(self, ref: str, scope: Scope) -> tuple[ProductInfo, dict[str, Any]]:
        key = (ref, scope.company_id)
        product_id = self._cache[key].id if key in self._cache else self._find(ref, scope)
        row = self.resolver.read_one("product.product", product_id, self._fields(), scope)
        info = ProductInfo(
            id=product_id,
            name=str(row["name"]),
            ref=ref,
            service_policy=row.get("service_policy") or None,
            service_tracking=row.get("service_tracking") or None,
            expense_policy=row.get("expense_policy") or None,
            company_id=m2o(row.get("company_id")),
        )
        self._cache[key] = info
        return info, row

    def service(self, ref: str, policy: str, scope: Scope, *, element: str) -> ProductInfo:
        """The service product for a billing element; ``ConfigError`` if it does not bill the
        way the element needs."""
        info, row = self.info(ref, scope)
        type_field = self.resolver.compat.product_type_field
        problems: list[str] = []
        if row.get(type_field) != "service":
            problems.append(f"its type is {row.get(type_field)!r}, not 'service'")
        if not row.get("sale_ok"):
            problems.append("it cannot be sold (sale_ok is off)")
        if info.service_policy != policy:
            problems.append(
                f"its invoicing policy is {info.service_policy!r}; a {element} line needs "
                f"{policy!r}"
            )
        if info.company_id not in (None, scope.company_id):
            problems.append(f"it belongs to company {info.company_id}, not {scope.company_id}")
        if problems:
            raise errors.ConfigError(
                f"product {info.name!r} ({ref}) cannot carry a {element} line: "
                + "; ".join(problems),
                product=ref,
                rule=f"service_policy={policy}",
            )
        return info

    def expense(self, ref: str, reinvoice: ReinvoicePolicy, scope: Scope) -> ProductInfo:
        """The expense product of a category; ``ConfigError`` unless it is expensable, without
        cost, and re-invoices as the category says."""
        info, row = self.info(ref, scope)
        problems: list[str] = []
        if not row.get("can_be_expensed"):
            problems.append("it is not an expense category (can_be_expensed is off)")
        if row.get("standard_price"):
            problems.append(
                f"it has a cost ({row['standard_price']}), which would replace the real amount"
            )
        if (info.expense_policy or "no") != reinvoice.value:
            problems.append(
                f"it re-invoices {info.expense_policy!r} but the category says {reinvoice.value!r}"
            )
        if info.company_id not in (None, scope.company_id):
            problems.append(f"it belongs to company {info.company_id}, not {scope.company_id}")
        if problems:
            raise errors.ConfigError(
                f"product {info.name!r} ({ref}) cannot book these expenses: " + "; ".join(problems),
                product=ref,
                rule="expense product",
            )
        return info
