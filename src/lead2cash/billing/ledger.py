"""What earlier billing runs already billed for one contract.

A billing run reads a :class:`BillingLedger` and returns the next one with its proposal; the
caller stores it (it serialises to JSON with sorted keys, so the same ledger is the same text)
and passes it to the next run. Whatever a ledger names is never billed again.

- ``hours_billed``: hours of time entries billed to date (T&M lines, retainer drawdown and
  overage). ``amount_billed``: the time-and-materials time amount billed to date, what a
  not-to-exceed cap counts (expenses, fees and instalments are not part of it).
- ``rollover_hours``: a retainer's unused included hours carried into the period after the last
  one in ``retainer_periods`` (or, on an empty ledger, an opening balance for the first period).
- ``retainer_periods``: the periods whose retainer fee was billed (their hours are settled).
- ``milestones`` / ``instalments``: keys of the milestones and instalments invoiced.
- ``time_entries`` / ``expenses``: source keys (``system:type:id``) of the records billed.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from lead2cash import errors
from lead2cash.billing.period import Period
from lead2cash.model.contract import Contract
from lead2cash.model.money import Money, StrictDecimal


class BillingLedger(BaseModel):
    """What is already billed for a contract; immutable (``with_billed`` gives the next one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    contract: str | None = None  # the contract's source key; checked by the run when set
    amount_billed: Money
    hours_billed: StrictDecimal = Field(default=Decimal(0), ge=0)
    rollover_hours: StrictDecimal = Field(default=Decimal(0), ge=0)
    retainer_periods: frozenset[Period] = frozenset()
    milestones: frozenset[str] = frozenset()
    instalments: frozenset[str] = frozenset()
    time_entries: frozenset[str] = frozenset()
    expenses: frozenset[str] = frozenset()

    @classmethod
    def opening(cls, contract: Contract) -> BillingLedger:
        """The ledger of a contract nothing was billed for yet."""
        return cls(contract=contract.source.key, amount_billed=Money.zero(contract.currency))

    @property
    def currency(self) -> str:
        return self.amount_billed.currency

    @property
    def last_retainer_period(self) -> Period | None:
        return max(self.retainer_periods, default=None)

    def check_for(self, contract: Contract) -> None:
        """Refuse a ledger kept for another contract or in another currency."""
        if self.contract is not None and self.contract != contract.source.key:
            raise errors.ValidationError(
                f"the ledger is kept for {self.contract}, not for {contract.source.key}",
                field="ledger.contract",
                rule="the contract's own ledger",
            )
        if self.currency != contract.currency:
            raise errors.ValidationError(
                f"the ledger counts {self.currency} on a {contract.currency} contract",
                field="ledger.amount_billed",
                rule="contract currency",
            )

    def with_billed(
        self,
        *,
        contract: str,
        hours: Decimal = Decimal(0),
        amount: Money | None = None,
        rollover_hours: Decimal | None = None,
        retainer_period: Period | None = None,
        milestones: Iterable[str] = (),
        instalments: Iterable[str] = (),
        time_entries: Iterable[str] = (),
        expenses: Iterable[str] = (),
    ) -> BillingLedger:
        """The ledger after a run that billed these (``rollover_hours`` replaces the balance)."""
        return BillingLedger(
            contract=contract,
            amount_billed=self.amount_billed if amount is None else self.amount_billed + amount,
            hours_billed=self.hours_billed + hours,
            rollover_hours=self.rollover_hours if rollover_hours is None else rollover_hours,
            retainer_periods=self.retainer_periods
            | (frozenset() if retainer_period is None else {retainer_period}),
            milestones=self.milestones | frozenset(milestones),
            instalments=self.instalments | frozenset(instalments),
            time_entries=self.time_entries | frozenset(time_entries),
            expenses=self.expenses | frozenset(expenses),
        )

    @field_serializer("retainer_periods")
    def _sorted_periods(self, value: frozenset[Period]) -> list[str]:
        return [str(p) for p in sorted(value)]

    @field_serializer("milestones", "instalments", "time_entries", "expenses")
    def _sorted_keys(self, value: frozenset[str]) -> list[str]:
        return sorted(value)
