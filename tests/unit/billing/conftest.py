"""Builders for the billing tests: contracts, time entries and expenses from short values.

The builders are session fixtures (they hold no state), so Hypothesis tests may use them.
Consultants are Harvest users (``harvest:user:<name>``); entries ``harvest:time_entry:<id>``;
expenses ``harvest:expense:<id>``; every amount is a string turned into an exact Decimal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from lead2cash.billing import BillingProposal, propose
from lead2cash.model import (
    Contract,
    Expense,
    ExpensePolicy,
    Money,
    SourceRef,
    TimeEntry,
)
from lead2cash.model.contract import BillingTerms

EntryFactory = Callable[..., TimeEntry]
ExpenseFactory = Callable[..., Expense]
ContractFactory = Callable[..., Contract]
Invariants = Callable[..., None]

PROJECT = SourceRef(system="harvest", object_type="project", external_id="p1")


def user(name: str) -> SourceRef:
    return SourceRef(system="harvest", object_type="user", external_id=name)


def _entry(
    ext_id: str,
    day: str,
    hours: str,
    *,
    who: str = "alice",
    billable: bool = True,
    approved: bool = True,
    deleted: bool = False,
    rate: Money | None = None,
) -> TimeEntry:
    return TimeEntry(
        source=SourceRef(system="harvest", object_type="time_entry", external_id=ext_id),
        consultant=user(who),
        project=PROJECT,
        day=date.fromisoformat(day),
        hours=Decimal(hours),
        billable=billable,
        approved=approved,
        deleted=deleted,
        billable_rate=rate,
    )


def _expense(
    ext_id: str,
    day: str,
    amount: str,
    currency: str = "EUR",
    *,
    category: str | None = "Travel",
    receipt: bool = True,
    billable: bool = True,
    approved: bool = True,
    description: str = "",
) -> Expense:
    return Expense(
        source=SourceRef(system="harvest", object_type="expense", external_id=ext_id),
        consultant=user("alice"),
        project=PROJECT,
        day=date.fromisoformat(day),
        amount=Money.of(amount, currency),
        category=category,
        has_receipt=receipt,
        billable=billable,
        approved=approved,
        description=description,
    )


def _contract(
    terms: BillingTerms,
    currency: str = "EUR",
    *,
    expenses: ExpensePolicy | None = None,
    start: str | None = None,
    end: str | None = None,
) -> Contract:
    return Contract(
        source=SourceRef(system="hubspot", object_type="deal", external_id="d1"),
        name="Acme rollout",
        customer=SourceRef(system="hubspot", object_type="company", external_id="c1"),
        company="be",
        currency=currency,
        terms=terms,
        expenses=expenses or ExpensePolicy(),
        start_date=None if start is None else date.fromisoformat(start),
        end_date=None if end is None else date.fromisoformat(end),
    )


def _invariants(proposal: BillingProposal, contract: Contract, **inputs: object) -> None:
    """The total is the sum of the rounded lines, every line names its sources and is rounded,
    and a second run over the returned ledger bills nothing."""
    total = sum((line.amount.amount for line in proposal.lines), Decimal(0))
    assert proposal.total == Money.of(total, contract.currency)
    for line in proposal.lines:
        assert line.sources
        assert line.amount.rounded() == line.amount
    again = propose(contract, proposal.period, ledger=proposal.ledger, **inputs)  # type: ignore[arg-type]
    assert again.lines == ()
    assert again.ledger == proposal.ledger


@pytest.fixture(scope="session")
def make_entry() -> EntryFactory:
    return _entry


@pytest.fixture(scope="session")
def make_expense() -> ExpenseFactory:
    return _expense


@pytest.fixture(scope="session")
def make_contract() -> ContractFactory:
    return _contract


@pytest.fixture(scope="session")
def invariants() -> Invariants:
    return _invariants
