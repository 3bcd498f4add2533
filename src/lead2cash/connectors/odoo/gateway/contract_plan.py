"""A contract compiled into sale-order lines and milestones (pure: no Odoo call here).

One line per billing element, each with a service product whose ``service_policy`` bills it:

==================  =========================================  ==============================
terms               lines                                      product ``service_policy``
==================  =========================================  ==============================
time and materials  one line at the rate card's default rate   ``delivered_timesheet``
                    (quantity = estimated hours, else the cap
                    over the rate, else 1); one more line per
                    distinct consultant override rate
milestones          one line worth the contract value, with    ``delivered_milestones``
                    one ``project.milestone`` per milestone
                    holding its share of the line
retainer            the monthly fee (quantity 1), and an       ``ordered_prepaid`` /
                    overage line (quantity 0, the overage      ``delivered_manual``
                    rate) the billing run delivers
fixed fee           one line per instalment                    ``delivered_manual``
==================  =========================================  ==============================

Milestone money must stay exact. Odoo delivers ``share * line quantity`` rounded to the quantity
precision (2 decimals), so one line at the contract value is used only when every milestone's
share is exact at that precision (0.25, 0.3 ...). Otherwise (a third, 12.5 %) every milestone
gets its own line at its own amount, delivered whole when reached: the customer is billed the
exact amounts either way.

Per-consultant rates: Odoo prices an employee's time with the sale line the project's employee
map points to (``project.sale.line.employee.map.price_unit`` is read-only, copied from that
line), so each distinct override rate becomes a line and the map sends the consultant there.
An override is taken at its rate on the contract's start date (the map has no dates).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from lead2cash import errors
from lead2cash.connectors.odoo.gateway.common import quantize
from lead2cash.mapping.engine import Mapper
from lead2cash.model.contract import (
    Contract,
    FixedFee,
    MilestoneTerms,
    Retainer,
    TimeAndMaterials,
)
from lead2cash.model.money import Money, round_amount

ElementKind = Literal[
    "time_and_materials", "milestone", "retainer", "retainer_overage", "fixed_fee"
]

#: The ``service_policy`` each billing element needs from its product.
SERVICE_POLICY: dict[ElementKind, str] = {
    "time_and_materials": "delivered_timesheet",
    "milestone": "delivered_milestones",
    "retainer": "ordered_prepaid",
    "retainer_overage": "delivered_manual",
    "fixed_fee": "delivered_manual",
}


@dataclass(frozen=True)
class ContractProducts:
    """The service product (external id or name) for each billing element."""

    refs: Mapping[str, str]

    @classmethod
    def from_mapper(cls, mapper: Mapper) -> ContractProducts:
        """Billing codes named after the elements (``time_and_materials``, ``milestone``,
        ``retainer``, ``retainer_overage``, ``fixed_fee``), else the default product."""
        return cls({kind: mapper.product_for(kind).product for kind in SERVICE_POLICY})

    def ref(self, kind: ElementKind) -> str:
        try:
            return self.refs[kind]
        except KeyError:
            raise errors.ConfigError(
                f"no service product is mapped for {kind} lines (billing code {kind!r})"
            ) from None


@dataclass(frozen=True)
class RateOverride:
    """A consultant's own rate: the employee and the rate at the contract's start."""

    employee_id: int
    rate: Money


@dataclass(frozen=True)
class MilestonePlan:
    key: str
    name: str
    share: Decimal  # the milestone's share of its line (0.4 = 40 %)
    amount: Money
    deadline: date | None = None


@dataclass(frozen=True)
class LinePlan:
    key: str  # stable within the contract: part of the line's external id
    kind: ElementKind
    name: str
    quantity: Decimal
    price: Money
    milestones: tuple[MilestonePlan, ...] = ()


@dataclass(frozen=True)
class ContractPlan:
    lines: tuple[LinePlan, ...]
    #: employee id → key of the line that prices their time (overrides only)
    employee_lines: Mapping[int, str] = field(default_factory=dict)

    def line(self, key: str) -> LinePlan:
        return next(line for line in self.lines if line.key == key)


def plan_contract(
    contract: Contract,
    *,
    today: date,
    overrides: Sequence[RateOverride] = (),
    estimated_hours: Decimal | None = None,
    qty_digits: int = 2,
) -> ContractPlan:
    """The lines (and milestones) a contract becomes."""
    terms = contract.terms
    if isinstance(terms, TimeAndMaterials):
        return _time_and_materials(contract, terms, today, overrides, estimated_hours, qty_digits)
    if isinstance(terms, MilestoneTerms):
        return ContractPlan(_milestones(contract, terms, qty_digits))
    if isinstance(terms, Retainer):
        return ContractPlan(_retainer(contract, terms))
    return ContractPlan(_fixed_fee(contract, terms))


def _time_and_materials(
    contract: Contract,
    terms: TimeAndMaterials,
    today: date,
    overrides: Sequence[RateOverride],
    estimated_hours: Decimal | None,
    qty_digits: int,
) -> ContractPlan:
    day = contract.start_date or today
    rate = terms.rate_card.rate_for(consultant=None, role=None, day=day)
    if rate is None:
        raise errors.ValidationError(
            f"the rate card has no default role rate on {day}",
            field="terms.rate_card.default_role",
            rule="a default role rate prices the time and materials line",
        )
    if estimated_hours is not None:
        quantity = estimated_hours
    elif terms.cap is not None and rate.amount > 0:
        quantity = quantize(terms.cap.amount / rate.amount, qty_digits)
    else:
        quantity = Decimal(1)
    lines = [
        LinePlan("tm", "time_and_materials", f"{contract.name}: time and materials", quantity, rate)
    ]
    employee_lines: dict[int, str] = {}
    for override in sorted(overrides, key=lambda o: (o.rate.amount, o.employee_id)):
        price = override.rate.rounded()
        if price.amount == rate.rounded().amount:
            continue
        key = f"tm-rate-{price.amount}"
        if all(line.key != key for line in lines):
            name = f"{contract.name}: time and materials at {price}"
            lines.append(LinePlan(key, "time_and_materials", name, Decimal(0), price))
        employee_lines[override.employee_id] = key
    return ContractPlan(tuple(lines), employee_lines)


def _milestones(contract: Contract, terms: MilestoneTerms, qty_digits: int) -> tuple[LinePlan, ...]:
    currency = contract.currency
    amounts: list[Money] = []
    for m in terms.milestones:
        if m.amount is not None:
            amounts.append(m.amount.rounded())
        else:
            assert terms.contract_value is not None  # model-checked
            assert m.share is not None
            amounts.append((terms.contract_value * m.share).rounded())
    value = (
        terms.contract_value.rounded()
        if terms.contract_value is not None
        else Money(amount=sum((a.amount for a in amounts), Decimal(0)), currency=currency)
    )
    if value.amount <= 0:
        raise errors.ValidationError(
            "the milestone contract is worth nothing", field="terms.contract_value", rule="> 0"
        )
    shares = [quantize(a.amount / value.amount, qty_digits) for a in amounts]
    exact = all(
        round_amount(share * value.amount, currency) == a.amount
        for share, a in zip(shares, amounts, strict=True)
    )
    if exact:
        plans = tuple(
            MilestonePlan(m.key, m.name, share, a, m.due_date)
            for m, share, a in zip(terms.milestones, shares, amounts, strict=True)
        )
        name = f"{contract.name}: milestones"
        return (LinePlan("milestones", "milestone", name, Decimal(1), value, plans),)
    return tuple(
        LinePlan(
            f"milestone-{m.key}",
            "milestone",
            f"{contract.name}: {m.name}",
            Decimal(1),
            a,
            (MilestonePlan(m.key, m.name, Decimal(1), a, m.due_date),),
        )
        for m, a in zip(terms.milestones, amounts, strict=True)
    )


def _retainer(contract: Contract, terms: Retainer) -> tuple[LinePlan, ...]:
    hours = terms.included_hours.normalize()
    return (
        LinePlan(
            "retainer",
            "retainer",
            f"{contract.name}: monthly retainer ({hours:f} h included)",
            Decimal(1),
            terms.monthly_fee.rounded(),
        ),
        LinePlan(
            "retainer-overage",
            "retainer_overage",
            f"{contract.name}: hours beyond the retainer",
            Decimal(0),
            terms.overage_rate.rounded(),
        ),
    )


def _fixed_fee(contract: Contract, terms: FixedFee) -> tuple[LinePlan, ...]:
    total = terms.total.rounded()
    amounts = [
        (i.amount if i.amount is not None else total * (i.share or Decimal(0))).rounded()
        for i in terms.instalments
    ]
    if all(i.share is not None for i in terms.instalments):
        # shares add up to 1 (model-checked): the last one takes the rounding remainder
        rest = total - Money(
            amount=sum((a.amount for a in amounts[:-1]), Decimal(0)), currency=total.currency
        )
        amounts[-1] = rest
    return tuple(
        LinePlan(
            f"instalment-{i.key}",
            "fixed_fee",
            f"{contract.name}: instalment {n} of {len(amounts)}, due {i.due_date.isoformat()}",
            Decimal(1),
            a,
        )
        for n, (i, a) in enumerate(zip(terms.instalments, amounts, strict=True), start=1)
    )
