"""Cell readers (numbers, durations, dates, currencies) and profiles as data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lead2cash import errors
from lead2cash.connectors import csvfile
from lead2cash.connectors.csvfile import values


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "expected"),
    [
        ("1,234.50", ".", ",", "1234.50"),
        ("1.234,50", ",", ".", "1234.50"),
        ("1 234,50", ",", " ", "1234.50"),
        ("1'234.50", ".", "'", "1234.50"),
        ("(12.00)", ".", ",", "-12.00"),
        ("-3", ".", "", "-3"),
        ("€ 5,5", ",", ".", "5.5"),
        ("$1,000", ".", ",", "1000"),
        (".5", ".", "", "0.5"),
        ("0.1", ".", ",", "0.1"),
    ],
)
def test_numbers(text: str, decimal: str, thousands: str, expected: str) -> None:
    got = values.read_decimal(text, decimal_separator=decimal, thousands_separator=thousands)
    assert got == Decimal(expected) and str(got) == expected


@pytest.mark.parametrize(
    ("text", "decimal", "thousands"),
    [
        ("1,5", ".", ","),  # a comma decimal where '.' is expected: never 15
        ("1.5", ",", "."),  # misplaced grouping
        ("12,34,567", ".", ","),
        ("abc", ".", ""),
        ("1.2.3", ".", ""),
        ("", ".", ""),
    ],
)
def test_bad_numbers(text: str, decimal: str, thousands: str) -> None:
    with pytest.raises(ValueError, match="number"):
        values.read_decimal(text, decimal_separator=decimal, thousands_separator=thousands)


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        ("1.5", "auto", "1.5"),
        ("1:30", "auto", "1.5"),
        ("01:30:00", "auto", "1.5"),
        ("0:20", "clock", "0.333333"),
        ("0:00:01", "auto", "0.000278"),
        ("24:00:00", "auto", "24"),
        ("7.25", "decimal", "7.25"),
    ],
)
def test_durations(text: str, style: str, expected: str) -> None:
    assert values.read_hours(text, style=style, decimal_separator=".") == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "style", "reason"),
    [
        ("25:00", "auto", "between 0 and 24"),
        ("-1", "auto", "between 0 and 24"),
        ("1:75", "auto", "H:MM"),
        ("1h30", "auto", "number"),
        ("1:30", "decimal", "clock duration"),
        ("1.5", "clock", "H:MM"),
    ],
)
def test_bad_durations(text: str, style: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        values.read_hours(text, style=style, decimal_separator=".")


def test_dates_currencies_and_booleans() -> None:
    assert values.read_date("2016-12-12 00:00:00", ("%Y-%m-%d %H:%M:%S",)) == date(2016, 12, 12)
    assert values.read_date("12/31/2026", ("%Y-%m-%d", "%m/%d/%Y")) == date(2026, 12, 31)
    with pytest.raises(ValueError, match="expected format"):
        values.read_date("31/12/2026", ("%m/%d/%Y",))
    assert values.read_currency("Euro - EUR") == "EUR"
    assert values.read_currency("Swiss Franc (chf)") == "CHF"
    assert values.read_currency("usd") == "USD"
    with pytest.raises(ValueError, match="ISO 4217"):
        values.read_currency("Euro")
    with pytest.raises(ValueError, match="ISO 4217"):
        values.read_currency("ABC")
    assert values.split_amount_code("EUR 12.50") == ("12.50", "EUR")
    assert values.split_amount_code("12.50 usd") == ("12.50", "USD")
    assert values.split_amount_code("12.50") == ("12.50", None)
    assert values.read_bool(" YES ", ("yes",), ("no",)) is True
    with pytest.raises(ValueError, match="yes/no"):
        values.read_bool("maybe", ("yes",), ("no",))
    assert values.normalise_header('\ufeff "Billable  Rate (EUR)" ') == "billable rate (eur)"


def test_builtin_profiles() -> None:
    names = {(p.kind, p.name) for p in csvfile.REGISTRY.all()}
    assert names == {
        ("timesheets", "generic"),
        ("timesheets", "clockify"),
        ("timesheets", "toggl"),
        ("timesheets", "harvest"),
        ("expenses", "generic"),
        ("expenses", "expensify"),
    }
    assert csvfile.get_profile("timesheets", "harvest").source == "harvest"


def test_custom_profiles_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "profiles.yaml"
    path.write_text(
        """
profiles:
  - name: clockify-eu
    kind: timesheets
    source: clockify
    delimiter: ";"
    date_formats: ["%d/%m/%Y"]
    assume_approved: true
    columns:
      date: {names: [Start Date]}
      hours: {names: [Duration (decimal)]}
      person: {names: [User]}
      project: {names: [Project]}
""",
        encoding="utf-8",
    )
    (profile,) = csvfile.load_profiles(path)
    registry = csvfile.ProfileRegistry([profile])
    text = "Project;User;Start Date;Duration (decimal)\nWeb;Kim;31/12/2026;1,5\n"
    result = csvfile.parse_timesheets(text.encode(), registry.get("timesheets", "clockify-eu"))
    assert result.ok
    (row,) = result.rows
    assert (row.day, row.hours, row.approved) == (date(2026, 12, 31), Decimal("1.5"), True)
    with pytest.raises(errors.ConfigError, match="exists"):
        registry.register(profile)


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        ({"name": "x", "kind": "timesheets", "source": "x", "columns": {}}, "must map"),
        (
            {
                "name": "x",
                "kind": "expenses",
                "source": "x",
                "columns": {
                    "date": {"names": ["d"]},
                    "amount": {"names": ["a"]},
                    "hours": {"names": ["h"]},
                },
            },
            "unknown expenses fields: hours",
        ),
        (
            {
                "name": "x",
                "kind": "timesheets",
                "source": "x",
                "columns": {
                    "date": {"names": ["d"]},
                    "hours": {"names": ["h"]},
                    "project": {"names": ["p"]},
                },
            },
            "person",
        ),
        (
            {
                "name": "x",
                "kind": "expenses",
                "source": "x",
                "default_currency": "EURO",
                "columns": {"date": {"names": ["d"]}, "amount": {"names": ["a"]}},
            },
            "ISO 4217",
        ),
        (
            {
                "name": "x",
                "kind": "expenses",
                "source": "x",
                "columns": {"date": {"names": ["d"]}, "amount": {"pattern": "(unclosed"}},
            },
            "regular expression",
        ),
        ({"name": "Bad Name", "kind": "expenses", "source": "x", "columns": {}}, "name"),
    ],
)
def test_invalid_profiles_are_config_errors(profile: dict[str, object], message: str) -> None:
    with pytest.raises(errors.ConfigError, match=message):
        csvfile.profiles.parse_profiles([profile], origin="test")
