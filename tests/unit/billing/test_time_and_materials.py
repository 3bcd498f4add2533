"""Time and materials: rates by consultant and role with effective dates, one line per rate, the
not-to-exceed cap crossed mid-period, foreign-currency rounding, and the work left unbilled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.billing import (
    BillingLedger,
    FindingKind,
    LineKind,
    Period,
    Severity,
    propose,
)
from lead2cash.model import (
    ConsultantRate,
    Contract,
    Money,
    RateCard,
    RoleRate,
    TimeAndMaterials,
    TimeEntry,
)

ContractFactory = Callable[..., Contract]
EntryFactory = Callable[..., TimeEntry]
Invariants = Callable[..., None]

ROLES = {
    "harvest:user:alice": "senior",
    "harvest:user:bob": "senior",
    "harvest:user:carol": "junior",
}


def _card(currency: str = "EUR") -> RateCard:
    return RateCard(
        roles=[
            RoleRate(role="senior", rate=Money.of("150", currency)),
            RoleRate(role="junior", rate=Money.of("95", currency)),
        ],
        overrides=[
            ConsultantRate(
                consultant="harvest:user:bob",
                rate=Money.of("180", currency),
                valid_from=date(2026, 11, 16),
            )
        ],
        default_role="junior",
    )


def _tm(make: ContractFactory, cap: str | None = None, currency: str = "EUR") -> Contract:
    terms = TimeAndMaterials(
        rate_card=_card(currency), cap=None if cap is None else Money.of(cap, currency)
    )
    return make(terms, currency)


@pytest.mark.parametrize(
    ("who", "day", "rate"),
    [
        pytest.param("alice", "2026-11-03", "150", id="role-rate"),
        pytest.param("bob", "2026-11-13", "150", id="override-not-yet-effective"),
        pytest.param("bob", "2026-11-16", "180", id="override-from-its-first-day"),
        pytest.param("carol", "2026-11-20", "95", id="other-role"),
        pytest.param("dave", "2026-11-20", "95", id="no-role-default-role"),
    ],
)
def test_consultant_override_with_effective_dates_before_the_role_rate(
    make_contract: ContractFactory, make_entry: EntryFactory, who: str, day: str, rate: str
) -> None:
    contract = _tm(make_contract)
    entry = make_entry("1", day, "2", who=who)
    proposal = propose(contract, Period.parse("2026-11"), entries=[entry], role_of=ROLES)
    (line,) = proposal.lines
    assert line.kind is LineKind.TIME
    assert line.unit_price == Money.of(rate, "EUR")
    assert line.amount == Money.of(Decimal(rate) * 2, "EUR")
    assert line.sources == ("harvest:time_entry:1",)


def test_one_line_per_rate_with_its_entries_as_sources(
    make_contract: ContractFactory, make_entry: EntryFactory, invariants: Invariants
) -> None:
    contract = _tm(make_contract)
    entries = [
        make_entry("5", "2026-11-20", "6", who="bob"),  # override: 180
        make_entry("4", "2026-11-10", "8", who="bob"),  # before the override: senior 150
        make_entry("3", "2026-11-05", "1", who="dave"),  # default role: 95
        make_entry("2", "2026-11-04", "3.25", who="carol"),  # junior: 95
        make_entry("1", "2026-11-03", "7.5", who="alice"),  # senior: 150
    ]
    proposal = propose(contract, Period.parse("2026-11"), entries=entries, role_of=ROLES)
    key = "harvest:time_entry:{}".format
    got = [
        (ln.quantity, ln.unit_price.amount, ln.amount.amount, ln.sources) for ln in proposal.lines
    ]
    assert got == [
        (Decimal("15.5"), Decimal(150), Decimal("2325.00"), (key(1), key(4))),
        (Decimal("4.25"), Decimal(95), Decimal("403.75"), (key(2), key(3))),
        (Decimal("6"), Decimal(180), Decimal("1080.00"), (key(5),)),
    ]
    assert proposal.total == Money.of("3808.75", "EUR")
    assert proposal.findings == ()
    assert proposal.ledger.hours_billed == Decimal("25.75")
    assert proposal.ledger.amount_billed == Money.of("3808.75", "EUR")
    assert proposal.ledger.time_entries == {e.source.key for e in entries}
    invariants(proposal, contract, entries=entries, role_of=ROLES)


# cap 10,000.00 EUR at 150/h; entries of alice on 2, 3 and 4 November
@pytest.mark.parametrize(
    ("billed_before", "hours", "lines", "over", "billed_after"),
    [
        pytest.param(
            "0", ["4", "4", "3"], [("11", "1650.00", False, "1 2 3")], [], "1650.00",
            id="under-the-cap",
        ),
        pytest.param(
            "9100", ["4", "4", "3"],
            [("4", "600.00", False, "1"), ("2", "300.00", True, "2")],
            [("2", "2", "300.00"), ("3", "3", "450.00")],
            "10000.00",
            id="crossed-mid-period-partial-entry",
        ),
        pytest.param(
            "9400", ["4", "4", "3"],
            [("4", "600.00", False, "1")],
            [("2", "4", "600.00"), ("3", "3", "450.00")],
            "10000.00",
            id="reached-exactly-by-an-entry",
        ),
        pytest.param(
            "9500", ["4"],
            [("3.33", "500.00", True, "1")],
            [("1", "0.67", "100.00")],
            "10000.00",
            id="partial-hours-rounded-down-amount-exact",
        ),
        pytest.param(
            "10000", ["4", "1"], [], [("1", "4", "600.00"), ("2", "1", "150.00")], "10000",
            id="already-at-the-cap",
        ),
    ],
)  # fmt: skip
def test_not_to_exceed_cap_over_the_whole_contract(
    make_contract: ContractFactory,
    make_entry: EntryFactory,
    invariants: Invariants,
    billed_before: str,
    hours: list[str],
    lines: list[tuple[str, str, bool, str]],
    over: list[tuple[str, str, str]],
    billed_after: str,
) -> None:
    contract = _tm(make_contract, cap="10000")
    ledger = BillingLedger.opening(contract).model_copy(
        update={"amount_billed": Money.of(billed_before, "EUR"), "hours_billed": Decimal(60)}
    )
    entries = [make_entry(str(i), f"2026-11-0{i + 1}", h) for i, h in enumerate(hours, start=1)]
    proposal = propose(
        contract, Period.parse("2026-11"), entries=entries, ledger=ledger, role_of=ROLES
    )
    key = "harvest:time_entry:{}".format
    assert [(ln.quantity, ln.amount.amount, ln.capped, ln.sources) for ln in proposal.lines] == [
        (Decimal(q), Decimal(a), capped, tuple(key(s) for s in sources.split()))
        for q, a, capped, sources in lines
    ]
    findings = proposal.findings_of(FindingKind.OVER_CAP)
    assert [(f.sources, f.hours, f.amount) for f in findings] == [
        ((key(s),), Decimal(h), Money.of(a, "EUR")) for s, h, a in over
    ]
    assert all(f.severity is Severity.WARNING for f in findings)
    assert proposal.ledger.amount_billed == Money.of(billed_after, "EUR")
    billed_hours = sum((ln.quantity for ln in proposal.lines), Decimal(0))
    assert proposal.ledger.hours_billed == 60 + billed_hours
    # entries entirely over the cap stay out of the ledger (they bill if the cap is raised)
    assert proposal.ledger.time_entries == {s for ln in proposal.lines for s in ln.sources}
    assert proposal.ledger.amount_billed.amount <= 10000
    invariants(proposal, contract, entries=entries, role_of=ROLES)


def test_rounded_lines_never_pass_the_cap(
    make_contract: ContractFactory, make_entry: EntryFactory, invariants: Invariants
) -> None:
    card = RateCard(
        roles=[
            RoleRate(role="a", rate=Money.of("33.335", "EUR")),
            RoleRate(role="b", rate=Money.of("66.665", "EUR")),
        ]
    )
    contract = make_contract(TimeAndMaterials(rate_card=card, cap=Money.of("100", "EUR")))
    roles = {"harvest:user:alice": "a", "harvest:user:bob": "b"}
    entries = [
        make_entry("1", "2026-11-02", "1", who="alice"),
        make_entry("2", "2026-11-03", "1", who="bob"),
    ]
    proposal = propose(contract, Period.parse("2026-11"), entries=entries, role_of=roles)
    # 33.34 + 66.67 would be 100.01: bob's hour is billed up to the cap only
    assert [(ln.quantity, ln.amount.amount, ln.capped) for ln in proposal.lines] == [
        (Decimal(1), Decimal("33.34"), False),
        (Decimal("0.99"), Decimal("66.66"), True),
    ]
    assert proposal.total == Money.of("100.00", "EUR")
    (over,) = proposal.findings
    assert (over.kind, over.hours, over.amount) == (
        FindingKind.OVER_CAP,
        Decimal("0.01"),
        Money.of("0.01", "EUR"),
    )
    invariants(proposal, contract, entries=entries, role_of=roles)


@pytest.mark.parametrize(
    ("currency", "rate", "hours", "amount"),
    [
        pytest.param("JPY", "12345", "1.5", "18518", id="JPY-0-decimals"),
        pytest.param("KWD", "45.125", "1.5", "67.688", id="KWD-3-decimals"),
        pytest.param("EUR", "95.125", "1.5", "142.69", id="EUR-2-decimals"),
        pytest.param("USD", "10.005", "1", "10.01", id="USD-half-up"),
    ],
)
def test_each_currency_rounds_to_its_minor_unit(
    make_contract: ContractFactory,
    make_entry: EntryFactory,
    currency: str,
    rate: str,
    hours: str,
    amount: str,
) -> None:
    card = RateCard(roles=[RoleRate(role="any", rate=Money.of(rate, currency))], default_role="any")
    contract = make_contract(TimeAndMaterials(rate_card=card), currency)
    entry = make_entry("1", "2026-11-02", hours)
    proposal = propose(contract, Period.parse("2026-11"), entries=[entry])
    assert proposal.total == Money.of(amount, currency)
    assert proposal.total.amount.as_tuple().exponent == -{"JPY": 0, "KWD": 3}.get(currency, 2)
    assert proposal.ledger.amount_billed == Money.of(amount, currency)


def test_a_missing_rate_blocks_the_entry_and_leaves_it_unbilled(
    make_contract: ContractFactory, make_entry: EntryFactory, invariants: Invariants
) -> None:
    card = RateCard(
        roles=[RoleRate(role="senior", rate=Money.of("150", "EUR"), valid_to=date(2026, 11, 15))]
    )
    contract = make_contract(TimeAndMaterials(rate_card=card))
    roles = {"harvest:user:alice": "senior", "harvest:user:erin": "architect"}
    entries = [
        make_entry("1", "2026-11-02", "2"),  # senior while the rate holds
        make_entry("2", "2026-11-16", "3"),  # senior after the rate ended
        make_entry("3", "2026-11-03", "4", who="erin"),  # a role with no rate
        make_entry("4", "2026-11-04", "5", who="frank"),  # no role, no default role
    ]
    proposal = propose(contract, Period.parse("2026-11"), entries=entries, role_of=roles)
    assert [(ln.sources, ln.amount.amount) for ln in proposal.lines] == [
        (("harvest:time_entry:1",), Decimal("300.00"))
    ]
    missing = proposal.findings_of(FindingKind.RATE_MISSING)
    assert [(f.sources[0], f.hours) for f in missing] == [
        ("harvest:time_entry:3", Decimal(4)),
        ("harvest:time_entry:4", Decimal(5)),
        ("harvest:time_entry:2", Decimal(3)),
    ]
    assert proposal.blocked
    assert proposal.ledger.time_entries == {"harvest:time_entry:1"}
    # fixing the rate card bills them on a later run, once
    card = _card().model_copy(
        update={"roles": [*_card().roles, RoleRate(role="architect", rate=Money.of("200", "EUR"))]}
    )
    fixed = make_contract(TimeAndMaterials(rate_card=card))
    later = propose(
        fixed, Period.parse("2026-11"), entries=entries, role_of=roles, ledger=proposal.ledger
    )
    assert sorted(s for ln in later.lines for s in ln.sources) == [
        "harvest:time_entry:2",
        "harvest:time_entry:3",
        "harvest:time_entry:4",
    ]
    invariants(proposal, contract, entries=entries, role_of=roles)


@pytest.mark.parametrize(
    ("odd", "kind"),
    [
        pytest.param({"billable": False}, FindingKind.NON_BILLABLE, id="non-billable"),
        pytest.param({"approved": False}, FindingKind.NOT_APPROVED, id="not-approved"),
        pytest.param({"deleted": True}, FindingKind.DELETED, id="deleted"),
        pytest.param({"day": "2026-10-31"}, FindingKind.OUTSIDE_PERIOD, id="before-the-period"),
        pytest.param({"day": "2026-12-01"}, FindingKind.OUTSIDE_PERIOD, id="after-the-period"),
    ],
)
def test_billable_and_other_work_mixed(
    make_contract: ContractFactory,
    make_entry: EntryFactory,
    invariants: Invariants,
    odd: dict[str, object],
    kind: FindingKind,
) -> None:
    contract = _tm(make_contract)
    flags = dict(odd)
    day = str(flags.pop("day", "2026-11-10"))
    entries = [make_entry("1", "2026-11-09", "6"), make_entry("2", day, "2.5", **flags)]
    proposal = propose(contract, Period.parse("2026-11"), entries=entries, role_of=ROLES)
    (line,) = proposal.lines
    assert (line.quantity, line.amount.amount, line.sources) == (
        Decimal(6),
        Decimal("900.00"),
        ("harvest:time_entry:1",),
    )
    (finding,) = proposal.findings
    assert (finding.kind, finding.sources, finding.hours) == (
        kind,
        ("harvest:time_entry:2",),
        Decimal("2.5"),
    )
    assert finding.severity is not Severity.BLOCK
    assert proposal.ledger.time_entries == {"harvest:time_entry:1"}
    assert proposal.ledger.hours_billed == 6
    invariants(proposal, contract, entries=entries, role_of=ROLES)


def test_already_billed_entries_are_skipped_and_reported(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    contract = _tm(make_contract)
    entries = [make_entry("1", "2026-11-02", "2"), make_entry("2", "2026-11-03", "3")]
    ledger = BillingLedger.opening(contract).model_copy(
        update={"time_entries": frozenset({"harvest:time_entry:1"})}
    )
    proposal = propose(
        contract, Period.parse("2026-11"), entries=entries, ledger=ledger, role_of=ROLES
    )
    assert [ln.sources for ln in proposal.lines] == [("harvest:time_entry:2",)]
    (finding,) = proposal.findings
    assert (finding.kind, finding.sources, finding.hours, finding.severity) == (
        FindingKind.ALREADY_BILLED,
        ("harvest:time_entry:1",),
        Decimal(2),
        Severity.INFO,
    )


def test_a_source_rate_that_differs_from_the_card_is_a_warning(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    contract = _tm(make_contract)
    entries = [
        make_entry("1", "2026-11-02", "2", rate=Money.of("140", "EUR")),
        make_entry("2", "2026-11-03", "2", rate=Money.of("150.00", "EUR")),
    ]
    proposal = propose(contract, Period.parse("2026-11"), entries=entries, role_of=ROLES)
    assert proposal.total == Money.of("600.00", "EUR")
    (finding,) = proposal.findings
    assert (finding.kind, finding.sources) == (FindingKind.RATE_MISMATCH, ("harvest:time_entry:1",))


@pytest.mark.parametrize(
    ("ledger_update", "field"),
    [
        pytest.param(
            {"amount_billed": Money.of("0", "USD")}, "ledger.amount_billed", id="currency"
        ),
        pytest.param({"contract": "hubspot:deal:other"}, "ledger.contract", id="other-contract"),
    ],
)
def test_a_ledger_of_another_contract_or_currency_is_refused(
    make_contract: ContractFactory, ledger_update: dict[str, object], field: str
) -> None:
    contract = _tm(make_contract)
    ledger = BillingLedger.opening(contract).model_copy(update=ledger_update)
    with pytest.raises(errors.ValidationError) as caught:
        propose(contract, Period.parse("2026-11"), ledger=ledger)
    assert caught.value.details["field"] == field


def test_one_record_per_source_key(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    contract = _tm(make_contract)
    twice = [make_entry("1", "2026-11-02", "2"), make_entry("1", "2026-11-03", "2")]
    with pytest.raises(errors.ValidationError) as caught:
        propose(contract, Period.parse("2026-11"), entries=twice)
    assert caught.value.details == {"field": "entries", "rule": "one record per source key"}


def test_consultant_keys_may_come_from_a_callable(
    make_contract: ContractFactory, make_entry: EntryFactory
) -> None:
    card = RateCard(
        roles=[RoleRate(role="senior", rate=Money.of("150", "EUR"))],
        overrides=[ConsultantRate(consultant="1002", rate=Money.of("175", "EUR"))],
    )
    contract = make_contract(TimeAndMaterials(rate_card=card))
    entry = make_entry("1", "2026-11-02", "2", who="1002")
    proposal = propose(
        contract,
        Period.parse("2026-11"),
        entries=[entry],
        role_of=lambda ref: "senior",
        consultant_key=lambda ref: ref.external_id,
    )
    assert proposal.total == Money.of("350.00", "EUR")
