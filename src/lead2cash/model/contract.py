"""Contracts and their billing terms: time and materials, milestones, retainers, fixed fee.

A :class:`Contract` is what a won deal commits the firm to: a customer, the legal entity that
delivers, a currency, billing terms, and how expenses are re-invoiced. The terms are a
discriminated union on ``type``; every amount is :class:`~lead2cash.model.money.Money` in the
contract's currency (checked).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lead2cash.model.base import Canonical, SourceRef
from lead2cash.model.money import Currency, Money, StrictDecimal


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Validity(_Frozen):
    """An optional date range, both ends inclusive."""

    valid_from: date | None = None
    valid_to: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Validity:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    def covers(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class RoleRate(Validity):
    """The hourly rate of a role (e.g. ``senior``) over a period."""

    role: str = Field(min_length=1)
    rate: Money


class ConsultantRate(Validity):
    """A per-consultant override of the role rate, over a period."""

    consultant: str = Field(min_length=1)  # the consultant's key (source user binding)
    rate: Money


class RateCard(_Frozen):
    """Hourly rates by role, with per-consultant overrides and effective dates."""

    roles: list[RoleRate] = Field(default_factory=list)
    overrides: list[ConsultantRate] = Field(default_factory=list)
    default_role: str | None = None

    def rate_for(self, *, consultant: str | None, role: str | None, day: date) -> Money | None:
        """The rate that applies: the consultant's override first, then the role's rate."""
        for override in self.overrides:
            if override.consultant == consultant and override.covers(day):
                return override.rate
        wanted = role or self.default_role
        for entry in self.roles:
            if entry.role == wanted and entry.covers(day):
                return entry.rate
        return None


class TimeAndMaterials(_Frozen):
    """Billed by approved hours at the rate card's rates, up to an optional cap."""

    type: Literal["time_and_materials"] = "time_and_materials"
    rate_card: RateCard
    cap: Money | None = None  # not-to-exceed, over the whole contract


class Milestone(_Frozen):
    """A deliverable billed when reached: a fixed amount or a share of the contract value."""

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    amount: Money | None = None
    share: StrictDecimal | None = Field(default=None, gt=0, le=1)
    due_date: date | None = None
    reached: bool = False
    reached_on: date | None = None

    @model_validator(mode="after")
    def _amount_or_share(self) -> Milestone:
        if (self.amount is None) == (self.share is None):
            raise ValueError(f"milestone {self.key!r} needs exactly one of amount or share")
        return self


class MilestoneTerms(_Frozen):
    """Billed milestone by milestone; shares are of ``contract_value``."""

    type: Literal["milestone"] = "milestone"
    contract_value: Money | None = None
    milestones: list[Milestone] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares(self) -> MilestoneTerms:
        if any(m.share is not None for m in self.milestones) and self.contract_value is None:
            raise ValueError("milestones given as shares need the contract_value")
        total_share = sum((m.share or Decimal(0) for m in self.milestones), Decimal(0))
        if total_share > 1:
            raise ValueError(f"milestone shares add up to {total_share}, more than 1")
        return self


class Retainer(_Frozen):
    """A monthly fee that includes hours; hours beyond are billed at the overage rate."""

    type: Literal["retainer"] = "retainer"
    monthly_fee: Money
    included_hours: StrictDecimal = Field(ge=0)
    overage_rate: Money
    rollover: bool = False
    max_rollover_hours: StrictDecimal | None = Field(default=None, ge=0)
    start: date | None = None


class Instalment(_Frozen):
    """One part of a fixed fee: due on a date, as an amount or a share of the fee."""

    key: str = Field(min_length=1)
    due_date: date
    amount: Money | None = None
    share: StrictDecimal | None = Field(default=None, gt=0, le=1)

    @model_validator(mode="after")
    def _amount_or_share(self) -> Instalment:
        if (self.amount is None) == (self.share is None):
            raise ValueError(f"instalment {self.key!r} needs exactly one of amount or share")
        return self


class FixedFee(_Frozen):
    """A fixed price, invoiced in instalments by date or share."""

    type: Literal["fixed_fee"] = "fixed_fee"
    total: Money
    instalments: list[Instalment] = Field(min_length=1)

    @model_validator(mode="after")
    def _shares(self) -> FixedFee:
        shares = [i.share for i in self.instalments if i.share is not None]
        if shares and len(shares) == len(self.instalments) and sum(shares) != 1:
            raise ValueError(f"instalment shares add up to {sum(shares)}, not 1")
        return self


BillingTerms = Annotated[
    TimeAndMaterials | MilestoneTerms | Retainer | FixedFee, Field(discriminator="type")
]


class ReinvoicePolicy(StrEnum):
    """How expenses are billed on: Odoo's ``expense_policy`` (no, cost, sales_price)."""

    NO = "no"
    COST = "cost"
    SALES_PRICE = "sales_price"


class ExpensePolicy(_Frozen):
    """Expenses re-invoiced at cost or with a markup (a fraction: ``0.10`` is 10 %)."""

    reinvoice: ReinvoicePolicy = ReinvoicePolicy.COST
    markup: StrictDecimal = Field(default=Decimal(0), ge=0)


class Contract(Canonical):
    """The commercial commitment behind a project, compiled into an Odoo sale order."""

    kind = "contract"

    name: str = Field(min_length=1)
    customer: SourceRef
    company: str = Field(min_length=1)  # key of the firm's legal entity
    currency: Currency
    terms: BillingTerms
    expenses: ExpensePolicy = Field(default_factory=ExpensePolicy)
    start_date: date | None = None
    end_date: date | None = None
    po_number: str | None = None

    @model_validator(mode="after")
    def _one_currency(self) -> Contract:
        for money in _amounts(self.terms):
            if money.currency != self.currency:
                raise ValueError(f"amount in {money.currency} on a {self.currency} contract")
        return self


def _amounts(terms: TimeAndMaterials | MilestoneTerms | Retainer | FixedFee) -> list[Money]:
    if isinstance(terms, TimeAndMaterials):
        found = [r.rate for r in terms.rate_card.roles]
        found += [o.rate for o in terms.rate_card.overrides]
        return found + ([terms.cap] if terms.cap else [])
    if isinstance(terms, MilestoneTerms):
        found = [m.amount for m in terms.milestones if m.amount]
        return found + ([terms.contract_value] if terms.contract_value else [])
    if isinstance(terms, Retainer):
        return [terms.monthly_fee, terms.overage_rate]
    return [terms.total] + [i.amount for i in terms.instalments if i.amount]
