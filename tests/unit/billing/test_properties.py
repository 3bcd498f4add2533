"""Properties over generated contracts and work: the total is the sum of the lines, the result
does not depend on the input order, nothing is billed twice, and a run over the returned ledger
bills nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lead2cash.billing import (
    SEVERITY,
    BillingLedger,
    BillingProposal,
    Finding,
    FindingKind,
    LineKind,
    Period,
    Severity,
    propose,
)
from lead2cash.model import (
    Contract,
    Expense,
    ExpensePolicy,
    FixedFee,
    Instalment,
    Money,
    RateCard,
    ReinvoicePolicy,
    Retainer,
    RoleRate,
    TimeAndMaterials,
    TimeEntry,
)
from lead2cash.model.contract import BillingTerms

ContractFactory = Callable[..., Contract]
EntryFactory = Callable[..., TimeEntry]
ExpenseFactory = Callable[..., Expense]

NOV = Period.parse("2026-11")
CURRENCIES = ["EUR", "JPY", "KWD"]

hours = st.integers(min_value=0, max_value=48).map(lambda q: Decimal(q) / 4)  # 0 to 12 h
cents = st.integers(min_value=1, max_value=2_000_000).map(lambda c: Decimal(c) / 1000)


@st.composite
def terms(draw: st.DrawFn, currency: str) -> BillingTerms:
    kind = draw(st.sampled_from(["tm", "retainer", "fixed"]))
    if kind == "tm":
        roles = [RoleRate(role=role, rate=Money.of(draw(cents), currency)) for role in ("a", "b")]
        cap = draw(st.none() | cents.map(lambda c: Money.of(c * 10, currency)))
        return TimeAndMaterials(rate_card=RateCard(roles=roles, default_role="a"), cap=cap)
    if kind == "retainer":
        return Retainer(
            monthly_fee=Money.of(draw(cents), currency),
            included_hours=draw(hours) * 4,
            overage_rate=Money.of(draw(cents), currency),
            rollover=draw(st.booleans()),
            max_rollover_hours=draw(st.none() | hours),
        )
    count = draw(st.integers(min_value=1, max_value=4))
    shares = [Decimal(1) / count] * (count - 1)
    shares.append(1 - sum(shares, Decimal(0)))
    days = draw(st.lists(st.integers(1, 60), min_size=count, max_size=count))
    return FixedFee(
        total=Money.of(draw(cents) * 10, currency),
        instalments=[
            Instalment(
                key=f"i{n}",
                due_date=date.fromordinal(date(2026, 10, 1).toordinal() + day),
                share=share,
            )
            for n, (day, share) in enumerate(zip(days, shares, strict=True))
        ],
    )


@st.composite
def scenarios(
    draw: st.DrawFn, make_contract: ContractFactory, make_entry: EntryFactory
) -> tuple[Contract, list[TimeEntry], BillingLedger]:
    currency = draw(st.sampled_from(CURRENCIES))
    contract = make_contract(draw(terms(currency)), currency)
    rows = draw(
        st.lists(
            st.tuples(st.integers(1, 30), hours, st.sampled_from(["ann", "bo"]), st.booleans()),
            max_size=12,
        )
    )
    entries = [
        make_entry(str(n), f"2026-11-{day:02d}", str(h), who=who, billable=billable or n % 3 > 0)
        for n, (day, h, who, billable) in enumerate(rows)
    ]
    ledger = BillingLedger.opening(contract)
    if isinstance(contract.terms, TimeAndMaterials):
        before = draw(st.integers(0, 20_000).map(lambda v: Decimal(v)))
        ledger = ledger.model_copy(update={"amount_billed": Money.of(before, currency)})
    return contract, entries, ledger


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_properties_of_a_billing_run(
    data: st.DataObject,
    make_contract: ContractFactory,
    make_entry: EntryFactory,
    make_expense: ExpenseFactory,
) -> None:
    contract, entries, ledger = data.draw(scenarios(make_contract, make_entry))
    currency = contract.currency
    expenses = [
        make_expense(f"x{n}", f"2026-11-{n + 1:02d}", str(amount), currency)
        for n, amount in enumerate(data.draw(st.lists(cents, max_size=4)))
    ]
    policy = ExpensePolicy(reinvoice=ReinvoicePolicy.SALES_PRICE, markup=Decimal("0.125"))
    contract = contract.model_copy(update={"expenses": policy})
    roles = {"harvest:user:bo": "b"}

    proposal = propose(
        contract, NOV, entries=entries, expenses=expenses, ledger=ledger, role_of=roles
    )

    # the total is the sum of the rounded lines
    total = sum((line.amount.amount for line in proposal.lines), Decimal(0))
    assert proposal.total == Money.of(total, currency)
    assert all(line.amount.rounded() == line.amount for line in proposal.lines)
    # the same work in another order gives the same proposal
    shuffled = propose(
        contract,
        NOV,
        entries=list(reversed(entries)),
        expenses=list(reversed(expenses)),
        ledger=ledger,
        role_of=roles,
    )
    assert shuffled == proposal
    # every billed record is in the new ledger, and no line bills a record the ledger had
    keys = {e.source.key for e in entries} | {x.source.key for x in expenses}
    billed = {s for line in proposal.lines for s in line.sources if s in keys}
    assert billed == (proposal.ledger.time_entries - ledger.time_entries) | (
        proposal.ledger.expenses - ledger.expenses
    )
    # a cap is never passed by this run
    terms_ = contract.terms
    if isinstance(terms_, TimeAndMaterials) and terms_.cap is not None:
        cap = max(terms_.cap.rounded().amount, ledger.amount_billed.amount)
        assert proposal.ledger.amount_billed.amount <= cap
    # time lines of a T&M contract are what the ledger's amount grew by
    time_total = sum((ln.amount.amount for ln in proposal.lines_of(LineKind.TIME)), Decimal(0))
    assert proposal.ledger.amount_billed.amount - ledger.amount_billed.amount == time_total
    # a second run over the returned ledger bills nothing and changes nothing
    again = propose(
        contract,
        NOV,
        entries=entries,
        expenses=expenses,
        ledger=proposal.ledger,
        role_of=roles,
    )
    assert again.lines == ()
    assert again.total == Money.zero(currency)
    assert again.ledger == proposal.ledger
    # the proposal and its ledger survive a JSON round trip, the ledger byte for byte
    assert BillingProposal.model_validate_json(proposal.model_dump_json()) == proposal
    text = proposal.ledger.model_dump_json()
    assert BillingLedger.model_validate_json(text) == proposal.ledger
    assert BillingLedger.model_validate_json(text).model_dump_json() == text


def test_a_finding_severity_follows_its_kind() -> None:
    assert set(SEVERITY) == set(FindingKind)
    finding = Finding(kind=FindingKind.RATE_MISSING, message="no rate")
    assert finding.severity is Severity.BLOCK
    assert Finding.model_validate_json(finding.model_dump_json()) == finding
    with pytest.raises(ValueError, match="is a block, not a info"):
        Finding.model_validate({"kind": "rate_missing", "severity": "info", "message": "x"})
