"""Mappings: expressions and tables as data; deals become contracts of every type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lead2cash import errors
from lead2cash.mapping.engine import Mapper
from lead2cash.mapping.transforms import MISSING, evaluate
from lead2cash.model import (
    Deal,
    FixedFee,
    LineItem,
    MilestoneTerms,
    Money,
    Retainer,
    SourceRef,
    TimeAndMaterials,
)

MAPPING = """
version: 3
tables:
  contract_types: {"T&M": time_and_materials, Retainer: retainer, Fixed: fixed_fee,
                   Milestones: milestone}
  units: {Benelux: be, UK: uk}
companies:
  be: {odoo_company: "base.main_company", currency: EUR}
  uk: {odoo_company: "Acme Consulting Ltd", currency: GBP}
triggers:
  hubspot: {pipeline: default, stages: [contractsigned]}
contract:
  type: "properties.contract_type | map:contract_types"
  company: "properties.business_unit | map:units | default:be"
  currency: "properties.deal_currency_code | upper | required"
  start_date: "properties.start_date | date"
  po_number: "properties.po | strip"
  terms:
    rate_card: "properties.rate_card | default:standard"
    cap: "properties.not_to_exceed | decimal"
    monthly_fee: "properties.retainer_fee | decimal"
    included_hours: "properties.retainer_hours | decimal"
    overage_rate: "properties.overage_rate | decimal"
    rollover: "properties.rollover | bool"
rate_cards:
  standard:
    EUR: {roles: {senior: "150", junior: "95"}, overrides: {"u7": "175"}, default_role: junior}
billing_codes:
  default: {product: "Consulting"}
  codes: {PM: {product: "Project management"}}
consultants:
  harvest: {"1001": {employee: "Alice Martin", role: senior}}
expense_categories:
  Travel: {product: "Travel", reinvoice: cost}
  Meals: {product: "Meals", reinvoice: sales_price, markup: "0.10"}
"""

CUSTOMER = SourceRef(system="hubspot", object_type="company", external_id="c1")


@pytest.fixture
def mapper(tmp_path: Path) -> Mapper:
    path = tmp_path / "mappings.yaml"
    path.write_text(MAPPING)
    return Mapper.load(path)


def _deal(props: dict[str, Any], lines: list[LineItem] | None = None, **kw: Any) -> Deal:
    base = {"deal_currency_code": "eur", "business_unit": "Benelux"}
    return Deal(
        source=SourceRef(system="hubspot", object_type="deal", external_id="d1"),
        name=kw.pop("name", "Acme rollout"),
        stage=kw.pop("stage", "contractsigned"),
        pipeline="default",
        amount=Money.of(kw.pop("amount", "12000"), "EUR"),
        properties=base | props,
        line_items=lines or [],
        **kw,
    )


def _line(i: int, **props: Any) -> LineItem:
    return LineItem(
        source=SourceRef(system="hubspot", object_type="line_item", external_id=f"li{i}"),
        name=f"Phase {i}",
        quantity=Decimal(1),
        unit_price=props.pop("price", None),
        properties=props,
    )


@pytest.mark.parametrize(
    ("text", "record", "expected"),
    [
        ("a.b | strip", {"a": {"b": "  x "}}, "x"),
        ("a | upper", {"a": "eur"}, "EUR"),
        ("a | decimal", {"a": "1,234.50"}, Decimal("1234.50")),
        ("a | bool", {"a": "Yes"}, True),
        ("a | date", {"a": "1764806400000"}, date(2025, 12, 4)),
        ("a | date", {"a": "2026-12-04T10:00:00Z"}, date(2026, 12, 4)),
        ("a | default:be", {}, "be"),
        ("a | map?:t", {"a": "zz"}, MISSING),
        ("a | split:,", {"a": "x, y,,z"}, ["x", "y", "z"]),
        ("items.1.n", {"items": [{"n": 1}, {"n": 2}]}, 2),
        ("| const:fixed", {}, "fixed"),
    ],
)
def test_transforms(text: str, record: dict[str, Any], expected: Any) -> None:
    assert evaluate(text, record, {"t": {"a": "b"}}, field="f") == expected


def test_transform_failures_name_field_and_rule() -> None:
    with pytest.raises(errors.MappingError) as info:
        evaluate("a | decimal", {"a": "twelve"}, {}, field="terms.cap")
    assert info.value.details == {"field": "terms.cap", "rule": "decimal"}
    with pytest.raises(errors.MappingError, match="not in lookup table 't'"):
        evaluate("a | map:t", {"a": "x"}, {"t": {}}, field="f")
    with pytest.raises(errors.ConfigError, match="unknown transform"):
        evaluate("a | shout", {}, {}, field="f")


def test_time_and_materials_with_rate_card_and_cap(mapper: Mapper) -> None:
    contract = mapper.contract(
        _deal(
            {
                "contract_type": "T&M",
                "not_to_exceed": "50000",
                "start_date": "2026-12-01",
                "po": " PO-9 ",
            }
        ),
        CUSTOMER,
    )
    assert isinstance(contract.terms, TimeAndMaterials)
    assert contract.company == "be"
    assert contract.currency == "EUR"
    assert contract.terms.cap == Money.of("50000", "EUR")
    assert contract.start_date == date(2026, 12, 1)
    assert contract.po_number == "PO-9"
    card = contract.terms.rate_card
    assert card.rate_for(consultant="u1", role=None, day=date(2026, 12, 2)) == Money.of("95", "EUR")
    assert card.rate_for(consultant="u7", role="senior", day=date(2026, 12, 2)) == Money.of(
        "175", "EUR"
    )


def test_retainer(mapper: Mapper) -> None:
    contract = mapper.contract(
        _deal(
            {
                "contract_type": "Retainer",
                "retainer_fee": "8000",
                "retainer_hours": "50",
                "overage_rate": "140",
                "rollover": "yes",
            }
        ),
        CUSTOMER,
    )
    assert contract.terms == Retainer(
        monthly_fee=Money.of("8000", "EUR"),
        included_hours=Decimal(50),
        overage_rate=Money.of("140", "EUR"),
        rollover=True,
    )


def test_milestones_from_line_items_by_share_or_amount(mapper: Mapper) -> None:
    deal = _deal(
        {"contract_type": "Milestones"},
        [_line(1, share="0.3"), _line(2, price=Money.of("8400", "EUR"))],
    )
    terms = mapper.contract(deal, CUSTOMER).terms
    assert isinstance(terms, MilestoneTerms)
    assert terms.contract_value == Money.of("12000", "EUR")
    assert [(m.key, m.share, m.amount) for m in terms.milestones] == [
        ("li1", Decimal("0.3"), None),
        ("li2", None, Money.of("8400", "EUR")),
    ]


def test_fixed_fee_needs_due_dates(mapper: Mapper) -> None:
    ok = mapper.contract(
        _deal(
            {"contract_type": "Fixed"},
            [
                _line(1, share="0.5", due_date="2026-12-31"),
                _line(2, share="0.5", due_date="2027-01-31"),
            ],
        ),
        CUSTOMER,
    )
    assert isinstance(ok.terms, FixedFee)
    with pytest.raises(errors.MappingError) as info:
        mapper.contract(_deal({"contract_type": "Fixed"}, [_line(1, share="1")]), CUSTOMER)
    assert info.value.details["field"] == "line_items.0.due_date"


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({"contract_type": "Barter"}, "contract.type"),
        ({"contract_type": "T&M", "deal_currency_code": ""}, "contract.currency"),
        ({"contract_type": "T&M", "deal_currency_code": "GBP"}, "terms.rate_card"),
        ({"contract_type": "T&M", "business_unit": "Mars"}, "contract.company"),
        ({"contract_type": "Retainer", "retainer_fee": "1"}, "terms.included_hours"),
        ({"contract_type": "T&M", "deal_currency_code": "XXX"}, "contract.currency"),
    ],
)
def test_validation_checkpoints_name_the_field(
    mapper: Mapper, props: dict[str, Any], field: str
) -> None:
    with pytest.raises(errors.MappingError) as info:
        mapper.contract(_deal(props), CUSTOMER)
    assert info.value.details["field"].startswith(field)


def test_triggers_reference_data_and_version(mapper: Mapper) -> None:
    assert mapper.is_trigger("hubspot", _deal({}))
    assert not mapper.is_trigger("hubspot", _deal({}, stage="qualified"))
    assert mapper.consultant("harvest", "1001") is not None
    assert mapper.consultant("harvest", "9") is None
    assert mapper.product_for("PM").product == "Project management"
    assert mapper.product_for("XYZ").product == "Consulting"
    assert mapper.expense_category("Meals").markup == Decimal("0.10")
    with pytest.raises(errors.MappingError):
        mapper.expense_category("Golf")
    assert mapper.version.startswith("3.")


def test_mapping_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MAPPING.replace("map:units", "map:regions"))
    with pytest.raises(errors.ConfigError, match="regions"):
        Mapper.load(path)
