"""Billing periods: parsing ``YYYY-MM``, bounds, neighbours, and use as a pydantic field."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel

from lead2cash import errors
from lead2cash.billing import Period


@pytest.mark.parametrize(
    ("text", "start", "end", "previous", "following"),
    [
        pytest.param("2026-11", "2026-11-01", "2026-11-30", "2026-10", "2026-12", id="november"),
        pytest.param("2027-01", "2027-01-01", "2027-01-31", "2026-12", "2027-02", id="january"),
        pytest.param("2026-12", "2026-12-01", "2026-12-31", "2026-11", "2027-01", id="december"),
        pytest.param("2028-02", "2028-02-01", "2028-02-29", "2028-01", "2028-03", id="leap-feb"),
        pytest.param("2027-02", "2027-02-01", "2027-02-28", "2027-01", "2027-03", id="plain-feb"),
        pytest.param(" 2026-04 ", "2026-04-01", "2026-04-30", "2026-03", "2026-05", id="spaces"),
    ],
)
def test_a_period_is_a_calendar_month(
    text: str, start: str, end: str, previous: str, following: str
) -> None:
    period = Period.parse(text)
    assert period.start == date.fromisoformat(start)
    assert period.end == date.fromisoformat(end)
    assert str(period.previous()) == previous
    assert str(period.next()) == following
    assert str(period) == text.strip()
    assert period.contains(period.start)
    assert period.contains(period.end)
    assert not period.contains(period.previous().end)
    assert not period.contains(period.next().start)
    assert Period.of(period.end) == period
    assert period.previous() < period < period.next()


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2026-13", id="month-13"),
        pytest.param("2026-00", id="month-0"),
        pytest.param("2026-1", id="one-digit-month"),
        pytest.param("26-11", id="two-digit-year"),
        pytest.param("2026/11", id="slash"),
        pytest.param("2026-11-01", id="a-day"),
        pytest.param("November 2026", id="words"),
        pytest.param("", id="empty"),
        pytest.param("0000-01", id="year-0"),
    ],
)
def test_bad_period_text_is_a_validation_error_on_the_period_field(text: str) -> None:
    with pytest.raises(errors.ValidationError) as caught:
        Period.parse(text)
    assert caught.value.details == {"field": "period", "rule": "YYYY-MM"}
    assert repr(text) in caught.value.message


def test_the_first_month_has_no_previous_period() -> None:
    with pytest.raises(errors.ValidationError, match="YYYY-MM"):
        Period.parse("0001-01").previous()


class _Holder(BaseModel):
    period: Period
    periods: frozenset[Period] = frozenset()


def test_a_period_field_reads_and_writes_its_text() -> None:
    held = _Holder.model_validate({"period": "2026-11", "periods": ["2026-10"]})
    assert held.period == Period(2026, 11)
    assert held.periods == {Period(2026, 10)}
    assert held.model_dump(mode="json") == {"period": "2026-11", "periods": ["2026-10"]}
    assert _Holder.model_validate_json(held.model_dump_json()) == held
    assert _Holder(period=Period(2026, 11)).period == held.period
    with pytest.raises(ValueError, match="not a billing period"):
        _Holder.model_validate({"period": "2026-13"})
    with pytest.raises(ValueError, match="not a billing period"):
        _Holder.model_validate({"period": 202611})
