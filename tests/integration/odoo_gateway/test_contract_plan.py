"""The contract compiler alone (no Odoo): lines, prices, milestone shares and their exactness."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lead2cash import errors
from lead2cash.connectors.odoo.gateway import RateOverride, plan_contract
from lead2cash.connectors.odoo.gateway.contract_plan import SERVICE_POLICY
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
)

DAY = date(2026, 12, 4)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def contract(terms: object) -> Contract:
    return Contract(
        source=SourceRef(system="hubspot", object_type="deal", external_id="D1"),
        name="Deal",
        customer=SourceRef(system="hubspot", object_type="company", external_id="C1"),
        company="main",
        currency="USD",
        terms=terms,
        start_date=DAY,
    )


def tm(cap: str | None = None, default_role: str | None = "senior") -> TimeAndMaterials:
    card = RateCard(
        roles=[RoleRate(role="senior", rate=usd("150")), RoleRate(role="junior", rate=usd("95"))],
        overrides=[ConsultantRate(consultant="harvest:7", rate=usd("180"))],
        default_role=default_role,
    )
    return TimeAndMaterials(rate_card=card, cap=usd(cap) if cap else None)


def test_time_and_materials_line_at_the_default_rate_with_one_line_per_override_rate() -> None:
    overrides = [
        RateOverride(11, usd("180")),
        RateOverride(12, usd("180.00")),
        RateOverride(13, usd("150")),  # the default rate: no own line, no map row
    ]
    plan = plan_contract(contract(tm()), today=DAY, overrides=overrides)
    assert [(line.key, line.quantity, line.price) for line in plan.lines] == [
        ("tm", Decimal(1), usd("150")),
        ("tm-rate-180.00", Decimal(0), usd("180.00")),
    ]
    assert plan.employee_lines == {11: "tm-rate-180.00", 12: "tm-rate-180.00"}
    assert {line.kind for line in plan.lines} == {"time_and_materials"}


def test_estimated_hours_come_from_the_argument_else_the_cap() -> None:
    assert plan_contract(contract(tm("1000")), today=DAY).lines[0].quantity == Decimal("6.67")
    explicit = plan_contract(contract(tm("1000")), today=DAY, estimated_hours=Decimal(40))
    assert explicit.lines[0].quantity == Decimal(40)


def test_no_default_rate_is_a_validation_error() -> None:
    with pytest.raises(errors.ValidationError) as caught:
        plan_contract(contract(tm(default_role=None)), today=DAY)
    assert caught.value.details["field"] == "terms.rate_card.default_role"


def test_exact_milestone_shares_share_one_line() -> None:
    terms = MilestoneTerms(
        contract_value=usd("10000"),
        milestones=[
            Milestone(key="a", name="A", share=Decimal("0.25")),
            Milestone(key="b", name="B", amount=usd("7500")),
        ],
    )
    (line,) = plan_contract(contract(terms), today=DAY).lines
    assert (line.key, line.quantity, line.price) == ("milestones", Decimal(1), usd("10000"))
    assert [(m.key, m.share, m.amount) for m in line.milestones] == [
        ("a", Decimal("0.25"), usd("2500")),
        ("b", Decimal("0.75"), usd("7500")),
    ]


def test_inexact_milestone_shares_get_a_line_each() -> None:
    third = Decimal(1) / Decimal(3)
    terms = MilestoneTerms(
        contract_value=usd("1000"),
        milestones=[Milestone(key=k, name=k.upper(), share=third) for k in ("a", "b", "c")],
    )
    lines = plan_contract(contract(terms), today=DAY).lines
    assert [(line.key, line.price) for line in lines] == [
        ("milestone-a", usd("333.33")),
        ("milestone-b", usd("333.33")),
        ("milestone-c", usd("333.33")),
    ]
    assert all(line.milestones[0].share == 1 for line in lines)


def test_retainer_and_fixed_fee() -> None:
    retainer = plan_contract(
        contract(
            Retainer(monthly_fee=usd("5000"), included_hours=Decimal(30), overage_rate=usd("170"))
        ),
        today=DAY,
    ).lines
    assert [(line.kind, line.quantity, line.price) for line in retainer] == [
        ("retainer", Decimal(1), usd("5000")),
        ("retainer_overage", Decimal(0), usd("170")),
    ]
    fee = FixedFee(
        total=usd("100"),
        instalments=[
            Instalment(key="1", due_date=DAY, share=Decimal("0.333")),
            Instalment(key="2", due_date=DAY, share=Decimal("0.667")),
        ],
    )
    lines = plan_contract(contract(fee), today=DAY).lines
    assert [line.price for line in lines] == [usd("33.30"), usd("66.70")]
    assert sum((line.price.amount for line in lines), Decimal(0)) == Decimal(100)
    assert {SERVICE_POLICY[line.kind] for line in lines} == {"delivered_manual"}
