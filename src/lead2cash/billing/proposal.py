"""What a billing run proposes for one contract and period: lines, findings, the next ledger.

Every :class:`BillLine` names the records it bills in ``sources`` (time entry and expense source
keys, milestone and instalment keys, ``retainer:YYYY-MM`` for a retainer fee), its amount is
rounded to the currency, and the proposal's total is the sum of the rounded lines.

Every :class:`Finding` is something a person may need to act on, with its hours and amount when
it has them. Its severity follows from its kind (:data:`SEVERITY`): ``block`` means work that
cannot be billed until someone fixes the data (it stays out of the ledger, so a later run bills
it), ``warning`` means work left unbilled on purpose (over the cap, outside the period) or a
doubt, ``info`` is reported only.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from lead2cash.billing.ledger import BillingLedger
from lead2cash.billing.period import Period
from lead2cash.model.money import Currency, Money, StrictDecimal, sum_money


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LineKind(StrEnum):
    TIME = "time"
    MILESTONE = "milestone"
    RETAINER_FEE = "retainer_fee"
    RETAINER_OVERAGE = "retainer_overage"
    INSTALMENT = "instalment"
    EXPENSE = "expense"


class BillLine(_Frozen):
    """One invoice line: ``amount`` is ``quantity * unit_price`` rounded to the currency, except
    on a line cut by a cap (``capped``), whose amount is what the cap left and whose quantity
    is the hours that amount pays for, to 0.01 h rounded down."""

    kind: LineKind
    description: str
    quantity: StrictDecimal
    unit_price: Money
    amount: Money
    sources: tuple[str, ...] = Field(min_length=1)
    capped: bool = False

    @model_validator(mode="after")
    def _one_currency(self) -> BillLine:
        if self.unit_price.currency != self.amount.currency:
            raise ValueError("unit_price and amount are in different currencies")
        return self


class Severity(StrEnum):
    BLOCK = "block"
    WARNING = "warning"
    INFO = "info"


class FindingKind(StrEnum):
    OVER_CAP = "over_cap"  # hours and amount beyond the not-to-exceed cap: not billed
    RATE_MISSING = "rate_missing"  # no rate for the consultant/role on that day
    RATE_MISMATCH = "rate_mismatch"  # the source tool's rate differs from the rate card's
    NON_BILLABLE = "non_billable"  # non-billable hours or expense: reported, not billed
    NOT_APPROVED = "not_approved"  # not approved yet: not billed
    DELETED = "deleted"  # deleted at the source: not billed
    ALREADY_BILLED = "already_billed"  # in the ledger: skipped, never billed twice
    OUTSIDE_PERIOD = "outside_period"  # dated outside the period: bill it in its own period
    OUTSIDE_TERM = "outside_term"  # a retainer period before its start or after the contract
    PERIOD_CLOSED = "period_closed"  # late hours on a retainer period already billed
    MISSING_CATEGORY = "missing_category"  # expense without a category
    MISSING_RECEIPT = "missing_receipt"  # expense without a receipt
    NEEDS_CONVERSION = "needs_conversion"  # expense in another currency and no exchange rate
    NOT_REINVOICED = "not_reinvoiced"  # the expense policy does not re-invoice it
    SCHEDULE_MISMATCH = "schedule_mismatch"  # milestones/instalments do not add up to the total


SEVERITY: dict[FindingKind, Severity] = {
    FindingKind.OVER_CAP: Severity.WARNING,
    FindingKind.RATE_MISSING: Severity.BLOCK,
    FindingKind.RATE_MISMATCH: Severity.WARNING,
    FindingKind.NON_BILLABLE: Severity.INFO,
    FindingKind.NOT_APPROVED: Severity.WARNING,
    FindingKind.DELETED: Severity.INFO,
    FindingKind.ALREADY_BILLED: Severity.INFO,
    FindingKind.OUTSIDE_PERIOD: Severity.WARNING,
    FindingKind.OUTSIDE_TERM: Severity.WARNING,
    FindingKind.PERIOD_CLOSED: Severity.BLOCK,
    FindingKind.MISSING_CATEGORY: Severity.BLOCK,
    FindingKind.MISSING_RECEIPT: Severity.BLOCK,
    FindingKind.NEEDS_CONVERSION: Severity.BLOCK,
    FindingKind.NOT_REINVOICED: Severity.INFO,
    FindingKind.SCHEDULE_MISMATCH: Severity.WARNING,
}


class Finding(_Frozen):
    """Something the run did not bill, or billed with a doubt, and why."""

    kind: FindingKind
    severity: Severity = Severity.INFO  # always the kind's (SEVERITY); filled in from it
    message: str
    sources: tuple[str, ...] = ()
    hours: StrictDecimal | None = None
    amount: Money | None = None

    @model_validator(mode="before")
    @classmethod
    def _severity_of_the_kind(cls, data: Any) -> Any:
        if isinstance(data, dict) and "kind" in data:
            severity = SEVERITY[FindingKind(data["kind"])]
            given = data.get("severity")
            if given is not None and Severity(given) is not severity:
                raise ValueError(f"a {data['kind']} finding is a {severity}, not a {given}")
            return {**data, "severity": severity}
        return data


class RetainerUsage(_Frozen):
    """How a retainer period's hours were drawn: carried hours first, then included, then
    overage. ``carried_out`` goes into the next period; ``expired`` is lost."""

    period: Period
    carried_in: StrictDecimal
    included: StrictDecimal
    hours: StrictDecimal  # billable hours worked in the period (billed now)
    from_carried: StrictDecimal
    from_included: StrictDecimal
    overage: StrictDecimal
    carried_out: StrictDecimal
    expired: StrictDecimal


class BillingProposal(_Frozen):
    """The lines to invoice for a contract and period, what was left out, and the next ledger."""

    contract: str  # the contract's source key
    period: Period
    currency: Currency
    lines: tuple[BillLine, ...] = ()
    total: Money
    findings: tuple[Finding, ...] = ()
    ledger: BillingLedger
    retainer: RetainerUsage | None = None

    @model_validator(mode="after")
    def _total_is_the_sum(self) -> BillingProposal:
        if sum_money([line.amount for line in self.lines], self.currency) != self.total:
            raise ValueError("the total is not the sum of the lines")
        return self

    @property
    def blocked(self) -> bool:
        """Whether some work cannot be billed until someone fixes the data."""
        return any(f.severity is Severity.BLOCK for f in self.findings)

    def findings_of(self, *kinds: FindingKind) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind in kinds)

    def lines_of(self, *kinds: LineKind) -> tuple[BillLine, ...]:
        return tuple(line for line in self.lines if line.kind in kinds)

    def hours_of(self, *kinds: FindingKind) -> Decimal:
        """The hours of the findings of these kinds (e.g. the hours over the cap)."""
        return _sum(f.hours for f in self.findings_of(*kinds) if f.hours is not None)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, Decimal(0))
