"""Money rounding per currency; contract terms validation; rate cards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from lead2cash.model import (
    ConsultantRate,
    Contract,
    FixedFee,
    Instalment,
    Milestone,
    MilestoneTerms,
    Money,
    RateCard,
    Retainer,
    RoleRate,
    SourceRef,
    TimeAndMaterials,
    round_amount,
)

SRC = SourceRef(system="hubspot", object_type="deal", external_id="1")
CUST = SourceRef(system="hubspot", object_type="company", external_id="9")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("10.005", "EUR", "10.01"),
        ("10.004", "EUR", "10.00"),
        ("-2.345", "USD", "-2.35"),
        ("1234.5", "JPY", "1235"),
        ("1.0005", "KWD", "1.001"),
        ("0.125", "CHF", "0.13"),
    ],
)
def test_rounding_half_up_to_the_minor_unit(amount: str, currency: str, expected: str) -> None:
    assert round_amount(Decimal(amount), currency) == Decimal(expected)
    assert Money.of(amount, currency).rounded().amount == Decimal(expected)


def test_money_refuses_floats_unknown_currencies_and_mixing() -> None:
    with pytest.raises(ValidationError):
        Money.of(0.1, "EUR")
    with pytest.raises(ValidationError):
        Money.of("1", "EURO")
    with pytest.raises(ValueError, match="cannot combine"):
        _ = Money.of("1", "EUR") + Money.of("1", "USD")
    assert Money.of("1.10", "eur") + Money.of("2.20", "EUR") == Money.of("3.30", "EUR")
    assert str(Money.of("1.005", "EUR")) == "1.01 EUR"


def test_rate_card_override_then_role_with_effective_dates() -> None:
    card = RateCard(
        roles=[
            RoleRate(role="senior", rate=Money.of("150", "EUR"), valid_to=date(2026, 6, 30)),
            RoleRate(role="senior", rate=Money.of("160", "EUR"), valid_from=date(2026, 7, 1)),
        ],
        overrides=[
            ConsultantRate(
                consultant="u7", rate=Money.of("175", "EUR"), valid_from=date(2026, 3, 1)
            )
        ],
        default_role="senior",
    )
    assert card.rate_for(consultant="u1", role=None, day=date(2026, 6, 30)) == Money.of(
        "150", "EUR"
    )
    assert card.rate_for(consultant="u1", role="senior", day=date(2026, 7, 1)) == Money.of(
        "160", "EUR"
    )
    assert card.rate_for(consultant="u7", role="senior", day=date(2026, 2, 28)) == Money.of(
        "150", "EUR"
    )
    assert card.rate_for(consultant="u7", role="senior", day=date(2026, 3, 1)) == Money.of(
        "175", "EUR"
    )
    assert card.rate_for(consultant="u1", role="junior", day=date(2026, 1, 1)) is None


def test_contract_terms_are_checked() -> None:
    tm = TimeAndMaterials(
        rate_card=RateCard(roles=[RoleRate(role="a", rate=Money.of("100", "USD"))])
    )
    with pytest.raises(ValidationError, match="amount in USD on a EUR contract"):
        Contract(source=SRC, name="x", customer=CUST, company="be", currency="EUR", terms=tm)
    with pytest.raises(ValidationError, match="exactly one of amount or share"):
        Milestone(key="m1", name="Go-live")
    with pytest.raises(ValidationError, match="need the contract_value"):
        MilestoneTerms(milestones=[Milestone(key="m", name="M", share=Decimal("0.5"))])
    with pytest.raises(ValidationError, match="not 1"):
        FixedFee(
            total=Money.of("1000", "EUR"),
            instalments=[
                Instalment(key="a", due_date=date(2026, 1, 1), share=Decimal("0.5")),
                Instalment(key="b", due_date=date(2026, 2, 1), share=Decimal("0.4")),
            ],
        )


def test_contract_roundtrips_through_json_with_its_terms() -> None:
    contract = Contract(
        source=SRC,
        name="Retainer",
        customer=CUST,
        company="uk",
        currency="GBP",
        terms=Retainer(
            monthly_fee=Money.of("5000", "GBP"),
            included_hours=Decimal("40"),
            overage_rate=Money.of("140", "GBP"),
            rollover=True,
        ),
    )
    again = Contract.model_validate_json(contract.model_dump_json())
    assert again == contract
    assert isinstance(again.terms, Retainer)
    assert again.schema_version == 1
    assert again.source.key == "hubspot:deal:1"
