"""Expenses: at cost or with a markup, per category, in foreign currencies with and without an
exchange rate, and the findings that keep an expense off the invoice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.billing import FindingKind, LineKind, Period, Severity, propose
from lead2cash.model import (
    Contract,
    Expense,
    ExpensePolicy,
    Milestone,
    MilestoneTerms,
    Money,
    ReinvoicePolicy,
)

ContractFactory = Callable[..., Contract]
ExpenseFactory = Callable[..., Expense]
Invariants = Callable[..., None]

NOV = Period.parse("2026-11")
COST = ExpensePolicy(reinvoice=ReinvoicePolicy.COST)
NO = ExpensePolicy(reinvoice=ReinvoicePolicy.NO)


def _sales(markup: str) -> ExpensePolicy:
    return ExpensePolicy(reinvoice=ReinvoicePolicy.SALES_PRICE, markup=Decimal(markup))


def _contract(make: ContractFactory, policy: ExpensePolicy, currency: str = "EUR") -> Contract:
    milestone = Milestone(key="m", name="Kick-off", amount=Money.of("1", currency))
    return make(MilestoneTerms(milestones=[milestone]), currency, expenses=policy)


@pytest.mark.parametrize(
    ("policy", "amount", "billed"),
    [
        pytest.param(COST, "123.45", "123.45", id="cost"),
        pytest.param(_sales("0.10"), "123.45", "135.80", id="markup-0.10"),
        pytest.param(_sales("0.125"), "123.45", "138.88", id="markup-0.125"),
        pytest.param(_sales("0.125"), "0.04", "0.05", id="markup-0.125-half-up"),
        pytest.param(_sales("0"), "123.45", "123.45", id="sales-price-no-markup"),
        pytest.param(_sales("0.10"), "-20.00", "-22.00", id="refund"),
    ],
)
def test_expense_reinvoiced_at_cost_or_with_a_markup(
    make_contract: ContractFactory,
    make_expense: ExpenseFactory,
    invariants: Invariants,
    policy: ExpensePolicy,
    amount: str,
    billed: str,
) -> None:
    contract = _contract(make_contract, policy)
    expenses = [make_expense("x1", "2026-11-05", amount, description="Train to Ghent")]
    proposal = propose(contract, NOV, expenses=expenses)
    (line,) = proposal.lines
    assert (line.kind, line.quantity, line.amount, line.sources) == (
        LineKind.EXPENSE,
        Decimal(1),
        Money.of(billed, "EUR"),
        ("harvest:expense:x1",),
    )
    assert "Train to Ghent" in line.description
    assert proposal.ledger.expenses == {"harvest:expense:x1"}
    assert proposal.ledger.amount_billed == Money.zero("EUR")  # expenses are not under a cap
    invariants(proposal, contract, expenses=expenses)


def test_a_category_policy_overrides_the_contract_policy(
    make_contract: ContractFactory, make_expense: ExpenseFactory
) -> None:
    contract = _contract(make_contract, COST)
    expenses = [
        make_expense("x1", "2026-11-05", "100", category="Travel"),
        make_expense("x2", "2026-11-05", "100", category="Meals"),
        make_expense("x3", "2026-11-05", "100", category="Gifts"),
    ]
    proposal = propose(
        contract,
        NOV,
        expenses=expenses,
        category_policies={"Meals": _sales("0.10"), "Gifts": NO},
    )
    assert [(ln.sources[0], ln.amount.amount) for ln in proposal.lines] == [
        ("harvest:expense:x1", Decimal("100.00")),
        ("harvest:expense:x2", Decimal("110.00")),
    ]
    (finding,) = proposal.findings
    assert (finding.kind, finding.sources, finding.severity) == (
        FindingKind.NOT_REINVOICED,
        ("harvest:expense:x3",),
        Severity.INFO,
    )
    assert proposal.ledger.expenses == {"harvest:expense:x1", "harvest:expense:x2"}


@pytest.mark.parametrize(
    ("flags", "kinds"),
    [
        pytest.param({"category": None}, [FindingKind.MISSING_CATEGORY], id="missing-category"),
        pytest.param({"category": ""}, [FindingKind.MISSING_CATEGORY], id="empty-category"),
        pytest.param({"receipt": False}, [FindingKind.MISSING_RECEIPT], id="missing-receipt"),
        pytest.param(
            {"category": None, "receipt": False},
            [FindingKind.MISSING_CATEGORY, FindingKind.MISSING_RECEIPT],
            id="both-missing",
        ),
    ],
)
def test_an_expense_without_category_or_receipt_is_blocked(
    make_contract: ContractFactory,
    make_expense: ExpenseFactory,
    invariants: Invariants,
    flags: dict[str, object],
    kinds: list[FindingKind],
) -> None:
    contract = _contract(make_contract, COST)
    expenses = [make_expense("x1", "2026-11-05", "80.10", **flags)]
    proposal = propose(contract, NOV, expenses=expenses)
    assert proposal.lines == ()
    assert [(f.kind, f.amount) for f in proposal.findings] == [
        (kind, Money.of("80.10", "EUR")) for kind in kinds
    ]
    assert proposal.blocked
    assert proposal.ledger.expenses == frozenset()  # billed by a later run, once fixed
    invariants(proposal, contract, expenses=expenses)


@pytest.mark.parametrize(
    ("flags", "day", "kind"),
    [
        pytest.param(
            {"billable": False}, "2026-11-05", FindingKind.NON_BILLABLE, id="non-billable"
        ),
        pytest.param({"approved": False}, "2026-11-05", FindingKind.NOT_APPROVED, id="unapproved"),
        pytest.param({}, "2026-12-01", FindingKind.OUTSIDE_PERIOD, id="outside-the-period"),
    ],
)
def test_expenses_not_to_bill_are_reported(
    make_contract: ContractFactory,
    make_expense: ExpenseFactory,
    flags: dict[str, object],
    day: str,
    kind: FindingKind,
) -> None:
    contract = _contract(make_contract, COST)
    proposal = propose(contract, NOV, expenses=[make_expense("x1", day, "10", **flags)])
    assert proposal.lines == ()
    assert [(f.kind, f.amount) for f in proposal.findings] == [(kind, Money.of("10", "EUR"))]
    assert not proposal.blocked


# exchange rates: how many of the contract's currency one unit of the expense's is worth
RATES = {("USD", "EUR"): Decimal("0.92"), ("EUR", "JPY"): Decimal("161.237")}
RATES |= {("EUR", "KWD"): Decimal("0.33125")}


def _rate(source: str, target: str, day: date) -> Decimal:
    assert day == date(2026, 11, 5)
    return RATES[source, target]


@pytest.mark.parametrize(
    ("contract_ccy", "policy", "amount", "expense_ccy", "billed"),
    [
        pytest.param("EUR", COST, "100", "USD", "92.00", id="USD-to-EUR-at-cost"),
        pytest.param("EUR", _sales("0.125"), "100", "USD", "103.50", id="USD-to-EUR-markup"),
        pytest.param("JPY", COST, "123.45", "EUR", "19905", id="EUR-to-JPY-0-decimals"),
        pytest.param("KWD", COST, "100", "EUR", "33.125", id="EUR-to-KWD-3-decimals"),
        pytest.param("KWD", _sales("0.10"), "100", "EUR", "36.438", id="EUR-to-KWD-markup"),
        pytest.param("JPY", _sales("0.10"), "1234", "JPY", "1357", id="same-currency-JPY"),
    ],
)
def test_a_foreign_currency_expense_is_converted_then_rounded_once(
    make_contract: ContractFactory,
    make_expense: ExpenseFactory,
    invariants: Invariants,
    contract_ccy: str,
    policy: ExpensePolicy,
    amount: str,
    expense_ccy: str,
    billed: str,
) -> None:
    contract = _contract(make_contract, policy, contract_ccy)
    expenses = [make_expense("x1", "2026-11-05", amount, expense_ccy)]
    proposal = propose(contract, NOV, expenses=expenses, exchange_rate=_rate)
    (line,) = proposal.lines
    assert line.amount == Money.of(billed, contract_ccy)
    assert proposal.total == Money.of(billed, contract_ccy)
    invariants(proposal, contract, expenses=expenses, exchange_rate=_rate)


def test_a_foreign_currency_expense_without_a_rate_needs_conversion(
    make_contract: ContractFactory, make_expense: ExpenseFactory
) -> None:
    contract = _contract(make_contract, COST)
    proposal = propose(contract, NOV, expenses=[make_expense("x1", "2026-11-05", "100", "USD")])
    assert proposal.lines == ()
    (finding,) = proposal.findings
    assert (finding.kind, finding.amount, finding.severity) == (
        FindingKind.NEEDS_CONVERSION,
        Money.of("100", "USD"),
        Severity.BLOCK,
    )
    assert proposal.ledger.expenses == frozenset()


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(0.92, id="a-float"),
        pytest.param(Decimal(0), id="zero"),
        pytest.param(Decimal("-1"), id="negative"),
        pytest.param(Decimal("NaN"), id="not-a-number"),
    ],
)
def test_an_exchange_rate_must_be_a_positive_decimal(
    make_contract: ContractFactory, make_expense: ExpenseFactory, bad: object
) -> None:
    contract = _contract(make_contract, COST)
    with pytest.raises(errors.ValidationError) as caught:
        propose(
            contract,
            NOV,
            expenses=[make_expense("x1", "2026-11-05", "100", "USD")],
            exchange_rate=lambda source, target, day: bad,  # type: ignore[arg-type,return-value]
        )
    assert caught.value.details == {"field": "exchange_rate", "rule": "a positive Decimal"}


def test_already_billed_expenses_are_skipped(
    make_contract: ContractFactory, make_expense: ExpenseFactory
) -> None:
    contract = _contract(make_contract, COST)
    expenses = [make_expense("x1", "2026-11-05", "10"), make_expense("x2", "2026-11-06", "20")]
    first = propose(contract, NOV, expenses=expenses[:1])
    second = propose(contract, NOV, expenses=expenses, ledger=first.ledger)
    assert [ln.sources for ln in second.lines] == [("harvest:expense:x2",)]
    (finding,) = second.findings
    assert (finding.kind, finding.sources) == (FindingKind.ALREADY_BILLED, ("harvest:expense:x1",))
    with pytest.raises(errors.ValidationError) as caught:
        propose(contract, NOV, expenses=[expenses[0], expenses[0]])
    assert caught.value.details["field"] == "expenses"
