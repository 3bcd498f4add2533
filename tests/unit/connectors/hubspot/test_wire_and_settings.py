"""Wire models, settings, object types and property text."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors
from lead2cash.connectors.hubspot import HubSpotSettings, object_type, property_text, wire

T = datetime(2026, 3, 2, 9, 0, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    ["2026-03-02T09:00:00.123Z", "2026-03-02T10:00:00.123+01:00", "1772442000123", 1772442000123],
)
def test_times_in_every_form(value) -> None:
    assert wire.parse_time(value) == T
    assert wire.epoch_ms(T) == 1772442000123


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        wire.parse_time(datetime(2026, 3, 2))
    with pytest.raises(ValueError, match="timezone-aware"):
        wire.epoch_ms(datetime(2026, 3, 2))
    assert wire.parse_time("2026-03-02T09:00:00") == T.replace(microsecond=0)


def test_records_are_read_leniently() -> None:
    record = wire.CrmObject.model_validate(
        {
            "id": 42,
            "properties": {"amount": 1500, "flag": True, "name": "", "x": None},
            "createdAt": "2026-03-02T09:00:00.123Z",
            "updatedAt": 1772442000123,
            "archived": False,
            "somethingNew": {"a": 1},
        }
    )
    assert record.id == "42"
    assert record.properties["amount"] == "1500" and record.properties["flag"] == "true"
    assert record.prop("name") is None and record.prop("x") is None
    assert record.decimal("amount") == Decimal(1500)
    assert record.modified("hs_lastmodifieddate") == T
    with pytest.raises(ValueError, match="not a number"):
        wire.CrmObject.model_validate(
            {"id": "1", "properties": {"amount": "abc"}, "createdAt": 0, "updatedAt": 0}
        ).decimal("amount")


def test_stages_know_when_they_are_won() -> None:
    won = wire.PipelineStage(id="9", metadata={"isClosed": True, "probability": 1})
    assert won.is_won and won.probability == 1
    assert not wire.PipelineStage(
        id="l", metadata={"isClosed": "true", "probability": "0.0"}
    ).is_won
    assert not wire.PipelineStage(id="o", metadata={"probability": "1.0"}).is_won
    assert wire.PipelineStage(id="b", metadata={"probability": "n/a"}).probability is None


def test_association_ids_may_be_numbers() -> None:
    item = wire.AssociatedObject.model_validate(
        {"toObjectId": 301, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": 19}]}
    )
    assert item.to_object_id == "301" and item.association_types[0].type_id == 19


def test_settings_check_what_they_hold() -> None:
    settings = HubSpotSettings(base_url="https://api.hubapi.com/ ", token="pat-na1-secret")
    assert settings.base_url == "https://api.hubapi.com"
    assert "pat-na1-secret" not in repr(settings) and "pat-na1-secret" not in str(
        settings.redacted()
    )
    assert settings.timezone.key == "UTC"
    with pytest.raises(PydanticValidationError):
        HubSpotSettings(base_url="https://api.hubapi.com/crm/v3", token="t")
    with pytest.raises(PydanticValidationError):
        HubSpotSettings(token="t", account_timezone="Mars/Olympus")
    with pytest.raises(PydanticValidationError):
        HubSpotSettings(token="t", api_family="v1")  # type: ignore[arg-type]
    with pytest.raises(PydanticValidationError):
        HubSpotSettings(token="t", page_size=101)


def test_object_types() -> None:
    deals = object_type("deals")
    assert object_type("0-3") is deals and object_type("Deal") is deals
    assert object_type(deals) is deals
    assert object_type("contacts").modified_property == "lastmodifieddate"
    props = deals.read_properties(("odoo_ref", "dealname"))
    assert props.count("dealname") == 1 and props[-3:] == [
        "hs_object_id",
        "createdate",
        "hs_lastmodifieddate",
    ]
    with pytest.raises(ValueError, match="unknown HubSpot object type"):
        object_type("tickets")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (Decimal("1500.50"), "1500.50"),
        (Decimal("1E+3"), "1000"),
        (7, "7"),
        ("paid", "paid"),
        (date(2026, 3, 5), "2026-03-05"),
        (
            datetime(2026, 3, 5, 10, 0, tzinfo=timezone(timedelta(hours=1))),
            "2026-03-05T09:00:00.000Z",
        ),
    ],
)
def test_property_text(value, text) -> None:
    assert property_text(value) == text


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        (1.5, "type"),
        (Decimal("NaN"), "finite"),
        (datetime(2026, 3, 5), "aware"),
        ([1], "type"),
    ],
)
def test_property_text_refuses(value, rule) -> None:
    with pytest.raises(errors.ValidationError) as refused:
        property_text(value, name="odoo_amount_paid")
    assert refused.value.details["rule"] == rule
