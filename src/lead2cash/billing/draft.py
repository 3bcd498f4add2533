"""The working state of one billing run (internal to ``billing``): lines and findings as they
are found, what the run billed, exact Decimal products, and the proposal at the end.

The rule modules (``rules_*``) write into a :class:`Draft`; only :func:`~lead2cash.billing.rules.
propose` creates one and turns it into a :class:`~lead2cash.billing.proposal.BillingProposal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext

from lead2cash.billing.ledger import BillingLedger
from lead2cash.billing.period import Period
from lead2cash.billing.proposal import (
    BillingProposal,
    BillLine,
    Finding,
    FindingKind,
    LineKind,
    RetainerUsage,
)
from lead2cash.model.contract import Contract
from lead2cash.model.money import Money, round_amount, sum_money

#: Digits for exact products: factors of up to 28 digits each multiply without rounding.
_EXACT_DIGITS = 100


def times(*factors: Decimal) -> Decimal:
    """The exact product of ``factors`` (the default 28-digit context would round a third)."""
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        result = Decimal(1)
        for factor in factors:
            result *= factor
        return result


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = _EXACT_DIGITS
        return sum(values, Decimal(0))


def hours_text(hours: Decimal) -> str:
    """``7.50`` → ``7.5``, ``10`` → ``10`` (no exponent)."""
    text = f"{hours:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Draft:
    """Lines, findings and ledger changes of one run, in the order they were decided."""

    contract: Contract
    period: Period
    ledger: BillingLedger
    lines: list[BillLine] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    time_entries: list[str] = field(default_factory=list)
    expenses: list[str] = field(default_factory=list)
    milestones: list[str] = field(default_factory=list)
    instalments: list[str] = field(default_factory=list)
    hours: Decimal = Decimal(0)  # hours of time entries billed
    time_amount: Decimal = Decimal(0)  # T&M time billed (what a cap counts)
    rollover_hours: Decimal | None = None
    retainer_period: Period | None = None
    retainer: RetainerUsage | None = None

    @property
    def currency(self) -> str:
        return self.contract.currency

    def money(self, amount: Decimal) -> Money:
        return Money(amount=amount, currency=self.currency)

    def rounded(self, amount: Decimal) -> Decimal:
        return round_amount(amount, self.currency)

    def line(
        self,
        kind: LineKind,
        description: str,
        quantity: Decimal,
        unit_price: Money,
        sources: Iterable[str],
        *,
        amount: Decimal | None = None,
        capped: bool = False,
    ) -> BillLine:
        """Add a line; its amount is ``quantity * unit_price`` rounded unless given."""
        if amount is None:
            amount = times(quantity, unit_price.amount)
        line = BillLine(
            kind=kind,
            description=description,
            quantity=quantity,
            unit_price=unit_price,
            amount=self.money(self.rounded(amount)),
            sources=tuple(sources),
            capped=capped,
        )
        self.lines.append(line)
        return line

    def find(
        self,
        kind: FindingKind,
        message: str,
        *,
        sources: Iterable[str] = (),
        hours: Decimal | None = None,
        amount: Money | None = None,
    ) -> None:
        self.findings.append(
            Finding(kind=kind, message=message, sources=tuple(sources), hours=hours, amount=amount)
        )

    def proposal(self) -> BillingProposal:
        """The proposal, with the ledger as it stands after this run."""
        key = self.contract.source.key
        ledger = self.ledger.with_billed(
            contract=key,
            hours=self.hours,
            amount=self.money(self.time_amount),
            rollover_hours=self.rollover_hours,
            retainer_period=self.retainer_period,
            milestones=self.milestones,
            instalments=self.instalments,
            time_entries=self.time_entries,
            expenses=self.expenses,
        )
        return BillingProposal(
            contract=key,
            period=self.period,
            currency=self.currency,
            lines=tuple(self.lines),
            total=sum_money([line.amount for line in self.lines], self.currency),
            findings=tuple(self.findings),
            ledger=ledger,
            retainer=self.retainer,
        )


def screen(
    draft: Draft,
    *,
    key: str,
    billed: frozenset[str],
    deleted: bool,
    approved: bool,
    day: date,
    billable: bool,
) -> tuple[FindingKind, str] | None:
    """Why a time entry or expense is not billed in this run (the finding's kind and reason),
    or ``None`` when it is to be billed: already in the ledger, deleted, not approved, dated
    outside the period, or non-billable, in that order."""
    if key in billed:
        return FindingKind.ALREADY_BILLED, "already billed"
    if deleted:
        return FindingKind.DELETED, "deleted at the source"
    if not approved:
        return FindingKind.NOT_APPROVED, "not approved"
    if not draft.period.contains(day):
        return FindingKind.OUTSIDE_PERIOD, f"dated {day}, outside {draft.period}"
    if not billable:
        return FindingKind.NON_BILLABLE, "non-billable"
    return None
