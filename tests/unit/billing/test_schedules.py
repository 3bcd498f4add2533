"""Milestones and fixed-fee instalments: exact shares, the last item takes the rounding
remainder, instalments by due date, and nothing invoiced twice over consecutive runs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from lead2cash.billing import BillingLedger, FindingKind, LineKind, Period, propose
from lead2cash.model import Contract, FixedFee, Instalment, Milestone, MilestoneTerms, Money

ContractFactory = Callable[..., Contract]
Invariants = Callable[..., None]

NOV = Period.parse("2026-11")
THIRD = Decimal(1) / 3


def _milestones(
    make: ContractFactory,
    value: str | None,
    parts: list[tuple[str, str]],
    reached: set[str],
    currency: str = "EUR",
) -> Contract:
    """``parts``: (``share:0.4`` or ``amount:1000``, key) per milestone."""
    milestones = []
    for spec, key in parts:
        how, number = spec.split(":")
        amount = Money.of(number, currency) if how == "amount" else None
        share = Decimal(number) if how == "share" else None
        milestones.append(
            Milestone(
                key=key, name=f"Phase {key}", amount=amount, share=share, reached=key in reached
            )
        )
    terms = MilestoneTerms(
        contract_value=None if value is None else Money.of(value, currency), milestones=milestones
    )
    return make(terms, currency)


SPLIT = [("share:0.4", "m1"), ("share:0.1", "m2"), ("share:0.5", "m3")]


@pytest.mark.parametrize(
    ("reached", "amounts"),
    [
        pytest.param({"m1"}, ["4938.27"], id="partial-share-0.4-exact"),
        pytest.param({"m2"}, ["1234.57"], id="share-0.1"),
        pytest.param({"m3"}, ["6172.83"], id="last-takes-the-remainder-not-6172.84"),
        pytest.param(
            {"m1", "m2", "m3"}, ["4938.27", "1234.57", "6172.83"], id="all-sum-to-the-value"
        ),
        pytest.param(set[str](), [], id="none-reached"),
    ],
)
def test_milestone_shares_of_12345_67(
    make_contract: ContractFactory, invariants: Invariants, reached: set[str], amounts: list[str]
) -> None:
    contract = _milestones(make_contract, "12345.67", SPLIT, reached)
    proposal = propose(contract, NOV)
    assert [ln.amount for ln in proposal.lines] == [Money.of(a, "EUR") for a in amounts]
    assert all(ln.kind is LineKind.MILESTONE and ln.quantity == 1 for ln in proposal.lines)
    assert proposal.ledger.milestones == reached
    assert [ln.sources[0] for ln in proposal.lines] == sorted(reached)
    assert proposal.findings == ()
    invariants(proposal, contract)


def test_milestones_over_two_runs_bill_exactly_the_contract_value(
    make_contract: ContractFactory,
) -> None:
    first = propose(_milestones(make_contract, "12345.67", SPLIT, {"m1"}), NOV)
    later = _milestones(make_contract, "12345.67", SPLIT, {"m1", "m2", "m3"})
    second = propose(later, NOV.next(), ledger=first.ledger)
    assert [ln.sources for ln in second.lines] == [("m2",), ("m3",)]
    (finding,) = second.findings
    assert (finding.kind, finding.sources, finding.amount) == (
        FindingKind.ALREADY_BILLED,
        ("m1",),
        Money.of("4938.27", "EUR"),
    )
    assert first.total + second.total == Money.of("12345.67", "EUR")


@pytest.mark.parametrize(
    ("currency", "value", "parts", "amounts"),
    [
        pytest.param(
            "EUR", "100.01", [("share:0.5", "a"), ("share:0.5", "b")], ["50.01", "50.00"],
            id="EUR-halves",
        ),
        pytest.param(
            "JPY", "1001", [("share:0.5", "a"), ("share:0.5", "b")], ["501", "500"],
            id="JPY-halves",
        ),
        pytest.param(
            "KWD", "10.001", [("share:0.5", "a"), ("share:0.5", "b")], ["5.001", "5.000"],
            id="KWD-halves",
        ),
        pytest.param(
            "EUR", "100.01", [("amount:50", "a"), ("share:0.5000", "b"), ("amount:0.005", "c")],
            ["50.00", "50.01", "0.00"],
            id="amounts-and-shares-mixed",
        ),
        pytest.param(
            "EUR", None, [("amount:1000.005", "a"), ("amount:2000", "b")], ["1000.01", "2000.00"],
            id="amounts-without-a-value",
        ),
    ],
)  # fmt: skip
def test_the_last_milestone_takes_the_rounding_remainder(
    make_contract: ContractFactory,
    currency: str,
    value: str | None,
    parts: list[tuple[str, str]],
    amounts: list[str],
) -> None:
    contract = _milestones(make_contract, value, parts, {key for _, key in parts}, currency)
    proposal = propose(contract, NOV)
    assert [ln.amount for ln in proposal.lines] == [Money.of(a, currency) for a in amounts]
    if value is not None:
        assert proposal.total == Money.of(value, currency)
    assert proposal.findings == ()


def test_a_schedule_that_does_not_add_up_is_a_warning(make_contract: ContractFactory) -> None:
    parts = [("amount:1000", "a"), ("amount:2000", "b")]
    contract = _milestones(make_contract, "5000", parts, {"a"})
    proposal = propose(contract, NOV)
    assert [ln.amount for ln in proposal.lines] == [Money.of("1000.00", "EUR")]
    (finding,) = proposal.findings
    assert (finding.kind, finding.amount) == (
        FindingKind.SCHEDULE_MISMATCH,
        Money.of("2000.00", "EUR"),
    )


@pytest.mark.parametrize(
    ("reached_on", "billed"),
    [
        pytest.param(date(2026, 11, 30), True, id="reached-by-the-period-end"),
        pytest.param(date(2026, 12, 1), False, id="reached-after-the-period"),
    ],
)
def test_a_milestone_reached_after_the_period_waits(
    make_contract: ContractFactory, reached_on: date, billed: bool
) -> None:
    milestone = Milestone(
        key="m", name="Go-live", amount=Money.of("900", "EUR"), reached=True, reached_on=reached_on
    )
    contract = make_contract(MilestoneTerms(milestones=[milestone]))
    assert bool(propose(contract, NOV).lines) is billed


def _fixed(make: ContractFactory, total: str, currency: str, parts: list[object]) -> Contract:
    due = [date(2026, 10, 15), date(2026, 11, 30), date(2027, 1, 31)]
    instalments = [
        Instalment(
            key=f"i{n}",
            due_date=day,
            share=part if isinstance(part, Decimal) else None,
            amount=Money.of(part, currency) if isinstance(part, str) else None,
        )
        for n, (day, part) in enumerate(zip(due, parts, strict=True), start=1)
    ]
    return make(FixedFee(total=Money.of(total, currency), instalments=instalments), currency)


# instalments due 15 Oct, 30 Nov and 31 Jan; runs for Oct, Nov, Dec and Jan
@pytest.mark.parametrize(
    ("currency", "total", "parts", "per_run"),
    [
        pytest.param(
            "EUR", "10000", [THIRD, THIRD, 1 - 2 * THIRD],
            [["3333.33"], ["3333.33"], [], ["3333.34"]],
            id="EUR-thirds-rest-takes-the-remainder",
        ),
        pytest.param(
            "EUR", "3058.94", [THIRD, THIRD, 1 - 2 * THIRD],
            [["1019.65"], ["1019.65"], [], ["1019.64"]],
            id="EUR-thirds-of-3058.94-exact-beyond-28-digits",
        ),
        pytest.param(
            "JPY", "100000", [THIRD, THIRD, 1 - 2 * THIRD],
            [["33333"], ["33333"], [], ["33334"]],
            id="JPY-thirds",
        ),
        pytest.param(
            "KWD", "1000", [THIRD, THIRD, 1 - 2 * THIRD],
            [["333.333"], ["333.333"], [], ["333.334"]],
            id="KWD-thirds",
        ),
        pytest.param(
            "EUR", "10000", ["2500", "2500", "5000"],
            [["2500.00"], ["2500.00"], [], ["5000.00"]],
            id="by-amount",
        ),
    ],
)  # fmt: skip
def test_fixed_fee_instalments_by_share_and_date(
    make_contract: ContractFactory,
    invariants: Invariants,
    currency: str,
    total: str,
    parts: list[object],
    per_run: list[list[str]],
) -> None:
    contract = _fixed(make_contract, total, currency, parts)
    ledger = BillingLedger.opening(contract)
    billed = Money.zero(currency)
    for period, expected in zip(["2026-10", "2026-11", "2026-12", "2027-01"], per_run, strict=True):
        proposal = propose(contract, Period.parse(period), ledger=ledger)
        assert [ln.amount for ln in proposal.lines] == [Money.of(a, currency) for a in expected]
        assert all(ln.kind is LineKind.INSTALMENT for ln in proposal.lines)
        invariants(proposal, contract)
        ledger, billed = proposal.ledger, billed + proposal.total
    assert billed == Money.of(total, currency)
    assert ledger.instalments == {"i1", "i2", "i3"}


def test_overdue_instalments_are_caught_up_in_due_date_order(
    make_contract: ContractFactory,
) -> None:
    contract = _fixed(make_contract, "10000", "EUR", [THIRD, THIRD, 1 - 2 * THIRD])
    ledger = BillingLedger.opening(contract).model_copy(update={"instalments": frozenset({"i1"})})
    proposal = propose(contract, Period.parse("2027-03"), ledger=ledger)
    assert [(ln.sources, ln.amount.amount) for ln in proposal.lines] == [
        (("i2",), Decimal("3333.33")),
        (("i3",), Decimal("3333.34")),
    ]
    (finding,) = proposal.findings
    assert (finding.kind, finding.sources) == (FindingKind.ALREADY_BILLED, ("i1",))
