"""Retainers: the monthly fee, included hours drawn down, overage, rollover over two consecutive
periods with the ledger carried, max_rollover_hours, the term, and periods billed in order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.billing import (
    BillingLedger,
    BillingProposal,
    FindingKind,
    LineKind,
    Period,
    Severity,
    propose,
)
from lead2cash.model import Contract, Money, Retainer, TimeEntry

ContractFactory = Callable[..., Contract]
EntryFactory = Callable[..., TimeEntry]
Invariants = Callable[..., None]

NOV, DEC = Period.parse("2026-11"), Period.parse("2026-12")


def _retainer(
    make: ContractFactory,
    *,
    rollover: bool = False,
    max_rollover: str | None = None,
    start: date | None = None,
    end: str | None = None,
    currency: str = "EUR",
    fee: str = "5000",
    overage: str = "120",
) -> Contract:
    terms = Retainer(
        monthly_fee=Money.of(fee, currency),
        included_hours=Decimal(20),
        overage_rate=Money.of(overage, currency),
        rollover=rollover,
        max_rollover_hours=None if max_rollover is None else Decimal(max_rollover),
        start=start,
    )
    return make(terms, currency, end=end)


def _month(make_entry: EntryFactory, period: Period, hours: list[str]) -> list[TimeEntry]:
    """One entry a day from the 2nd, ids ``<period>-<n>``."""
    return [
        make_entry(f"{period}-{n}", str(period.start.replace(day=n + 1)), h)
        for n, h in enumerate(hours, start=1)
    ]


def _usage(proposal: BillingProposal) -> tuple[Decimal, ...]:
    usage = proposal.retainer
    assert usage is not None
    return (
        usage.from_carried,
        usage.from_included,
        usage.overage,
        usage.carried_out,
        usage.expired,
    )


@pytest.mark.parametrize(
    ("rollover", "max_rollover", "nov_hours", "dec_hours", "nov", "dec", "dec_overage"),
    [
        pytest.param(
            False, None, ["8", "10", "5"], ["12"],
            ("0", "20", "3", "0", "0"), ("0", "12", "0", "0", "8"), None,
            id="no-rollover-overage-then-unused-hours-expire",
        ),
        pytest.param(
            True, None, ["12"], ["10", "20"],
            ("0", "12", "0", "8", "0"), ("8", "20", "2", "0", "0"), "240.00",
            id="rollover-carried-hours-drawn-first",
        ),
        pytest.param(
            True, "5", ["12"], ["10", "20"],
            ("0", "12", "0", "5", "3"), ("5", "20", "5", "0", "0"), "600.00",
            id="rollover-capped-by-max-rollover-hours",
        ),
        pytest.param(
            True, None, [], ["5"],
            ("0", "0", "0", "20", "0"), ("5", "0", "0", "20", "15"), None,
            id="rollover-unused-carried-hours-expire-included-carry-on",
        ),
        pytest.param(
            True, "0", ["12.5"], ["20.25"],
            ("0", "12.5", "0", "0", "7.5"), ("0", "20", "0.25", "0", "0"), "30.00",
            id="rollover-with-max-zero",
        ),
    ],
)  # fmt: skip
def test_two_consecutive_periods_with_the_ledger_carried(
    make_contract: ContractFactory,
    make_entry: EntryFactory,
    invariants: Invariants,
    rollover: bool,
    max_rollover: str | None,
    nov_hours: list[str],
    dec_hours: list[str],
    nov: tuple[str, ...],
    dec: tuple[str, ...],
    dec_overage: str | None,
) -> None:
    contract = _retainer(make_contract, rollover=rollover, max_rollover=max_rollover)
    nov_entries = _month(make_entry, NOV, nov_hours)
    first = propose(contract, NOV, entries=nov_entries)
    assert _usage(first) == tuple(Decimal(v) for v in nov)
    assert first.ledger.rollover_hours == Decimal(nov[3])
    assert first.ledger.retainer_periods == {NOV}
    invariants(first, contract, entries=nov_entries)

    dec_entries = _month(make_entry, DEC, dec_hours)
    second = propose(contract, DEC, entries=dec_entries, ledger=first.ledger)
    assert _usage(second) == tuple(Decimal(v) for v in dec)
    fee, *overage = second.lines
    assert (fee.kind, fee.quantity, fee.amount) == (
        LineKind.RETAINER_FEE,
        Decimal(1),
        Money.of("5000.00", "EUR"),
    )
    assert fee.sources[0] == "retainer:2026-12"
    assert [ln.amount for ln in overage] == (
        [] if dec_overage is None else [Money.of(dec_overage, "EUR")]
    )
    assert second.ledger.rollover_hours == Decimal(dec[3])
    assert second.ledger.retainer_periods == {NOV, DEC}
    assert second.ledger.time_entries == {e.source.key for e in nov_entries + dec_entries}
    invariants(second, contract, entries=dec_entries)


def test_the_entry_that_crosses_the_included_hours_is_split(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    contract = _retainer(make_contract)
    # given out of order: drawn down in (day, source key) order
    entries = [
        make_entry("c", "2026-11-17", "5"),
        make_entry("b", "2026-11-10", "10"),
        make_entry("a", "2026-11-03", "8"),
        make_entry("d", "2026-11-17", "4"),
    ]
    proposal = propose(contract, NOV, entries=entries)
    key = "harvest:time_entry:{}".format
    fee, overage = proposal.lines
    assert fee.sources == ("retainer:2026-11", key("a"), key("b"), key("c"))
    assert (overage.kind, overage.quantity, overage.unit_price, overage.amount) == (
        LineKind.RETAINER_OVERAGE,
        Decimal(7),
        Money.of("120", "EUR"),
        Money.of("840.00", "EUR"),
    )
    assert overage.sources == (key("c"), key("d"))  # c: 3 of its 5 h, d: all 4 h
    assert proposal.total == Money.of("5840.00", "EUR")
    assert proposal.ledger.hours_billed == 27


def test_non_billable_hours_do_not_draw_down(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    contract = _retainer(make_contract)
    entries = [
        make_entry("1", "2026-11-03", "18"),
        make_entry("2", "2026-11-04", "6", billable=False),
        make_entry("3", "2026-11-05", "1"),
    ]
    proposal = propose(contract, NOV, entries=entries)
    assert proposal.lines_of(LineKind.RETAINER_OVERAGE) == ()
    assert proposal.retainer is not None
    assert proposal.retainer.hours == 19
    (finding,) = proposal.findings
    assert (finding.kind, finding.hours) == (FindingKind.NON_BILLABLE, Decimal(6))
    assert proposal.ledger.time_entries == {"harvest:time_entry:1", "harvest:time_entry:3"}


def test_a_billed_period_is_closed_and_late_hours_are_blocked(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    contract = _retainer(make_contract, rollover=True)
    entries = _month(make_entry, NOV, ["4"])
    first = propose(contract, NOV, entries=entries)
    late = make_entry("late", "2026-11-30", "3")
    again = propose(contract, NOV, entries=[*entries, late], ledger=first.ledger)
    assert again.lines == ()
    assert [(f.kind, f.sources, f.severity) for f in again.findings] == [
        (FindingKind.ALREADY_BILLED, ("harvest:time_entry:2026-11-1",), Severity.INFO),
        (FindingKind.ALREADY_BILLED, ("retainer:2026-11",), Severity.INFO),
        (FindingKind.PERIOD_CLOSED, ("harvest:time_entry:late",), Severity.BLOCK),
    ]
    assert again.ledger == first.ledger  # the rollover balance is not spent twice


@pytest.mark.parametrize(
    "period",
    [
        pytest.param("2027-01", id="a-month-skipped"),
        pytest.param("2026-10", id="a-month-before-the-first-billed"),
    ],
)
def test_retainer_periods_are_billed_in_order(make_contract: ContractFactory, period: str) -> None:
    contract = _retainer(make_contract)
    first = propose(contract, NOV)
    with pytest.raises(errors.ValidationError) as caught:
        propose(contract, Period.parse(period), ledger=first.ledger)
    assert caught.value.details == {
        "field": "period",
        "rule": "retainer periods are billed in order",
    }
    assert "2026-12" in caught.value.message


@pytest.mark.parametrize(
    ("start", "end", "period", "fee"),
    [
        pytest.param(date(2026, 12, 15), None, "2026-11", None, id="before-the-start"),
        pytest.param(date(2026, 12, 15), None, "2026-12", "5000.00", id="month-of-the-start"),
        pytest.param(None, "2026-12-31", "2026-12", "5000.00", id="last-month"),
        pytest.param(None, "2026-12-31", "2027-01", None, id="after-the-contract-end"),
    ],
)
def test_the_fee_is_billed_from_the_start_to_the_contract_end(
    make_contract: ContractFactory,
    make_entry: EntryFactory,
    start: date | None,
    end: str | None,
    period: str,
    fee: str | None,
) -> None:
    contract = _retainer(make_contract, start=start, end=end)
    month = Period.parse(period)
    entries = _month(make_entry, month, ["2"])
    proposal = propose(contract, month, entries=entries)
    if fee is None:
        assert proposal.lines == ()
        assert [f.kind for f in proposal.findings] == [FindingKind.OUTSIDE_TERM]
        assert proposal.ledger == BillingLedger.opening(contract)
    else:
        assert [ln.amount for ln in proposal.lines] == [Money.of(fee, "EUR")]
        assert proposal.ledger.retainer_periods == {month}


@pytest.mark.parametrize(
    ("currency", "fee", "overage", "total"),
    [
        pytest.param("JPY", "500000", "12345", "518518", id="JPY"),
        pytest.param("KWD", "1250.5", "45.125", "1318.188", id="KWD"),
    ],
)
def test_a_retainer_in_a_foreign_currency(
    make_contract: ContractFactory,
    make_entry: EntryFactory,
    currency: str,
    fee: str,
    overage: str,
    total: str,
) -> None:
    contract = _retainer(make_contract, currency=currency, fee=fee, overage=overage)
    entries = _month(make_entry, NOV, ["20", "1.5"])
    proposal = propose(contract, NOV, entries=entries)
    assert proposal.total == Money.of(total, currency)
    assert proposal.ledger.amount_billed == Money.zero(currency)  # not a T&M cap amount


def test_an_opening_balance_on_an_empty_ledger_is_carried_in(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    contract = _retainer(make_contract, rollover=True)
    ledger = BillingLedger.opening(contract).model_copy(update={"rollover_hours": Decimal(6)})
    proposal = propose(contract, NOV, entries=_month(make_entry, NOV, ["20", "5"]), ledger=ledger)
    assert _usage(proposal) == (Decimal(6), Decimal(19), Decimal(0), Decimal(1), Decimal(0))
