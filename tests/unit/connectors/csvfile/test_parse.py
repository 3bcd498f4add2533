"""CSV import: each built-in profile on an export as its tool writes it, row errors, policies,
stable ids, encodings and delimiters."""

from __future__ import annotations

import codecs
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from lead2cash import errors
from lead2cash.connectors import csvfile
from lead2cash.model.money import Money

CLOCKIFY = (
    "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,"
    "End Date,End Time,Duration (h),Duration (decimal),Billable Rate (EUR),Billable Amount (EUR)\n"
    "Brand,Garage Leroy,Logo,Design,Hugo Bernard,,hugo@example.test,,Yes,09/15/2026,02:00 PM,"
    "09/15/2026,03:30 PM,01:30:00,1.50,95.00,142.50\n"
    'Brand,Garage Leroy,"Logo, v2",Design,Hugo Bernard,,hugo@example.test,,No,09/16/2026,'
    "09:00 AM,09/16/2026,10:00 AM,01:00:00,1.00,0,0\n"
)

TOGGL = (
    "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,"
    "End time,Duration,Tags,Amount (USD)\n"
    "Camille Martin,camille@example.test,Dupain,Site,Design,Mockups,Yes,2026-09-01,09:00:00,"
    "2026-09-01,11:30:00,02:30:00,,250.00\n"
    'Ines Moreau,ines@example.test,Dupain,Site,,"Call, with the baker",No,2026-09-01,14:00:00,'
    "2026-09-01,14:20:00,00:20:00,,\n"
)

HARVEST = (
    "Date,Client,Project,Project Code,Task,Notes,Hours,Hours Rounded,Billable?,Invoiced?,"
    "Approved?,First Name,Last Name,Roles,Employee?,Billable Rate,Billable Amount,Cost Rate,"
    "Cost Amount,Currency,External Reference URL\n"
    "2025-01-13,Garage Leroy,Brochure,GL-01,Design,Cover,3.5,3.5,Yes,Yes,Yes,Hugo,Bernard,"
    "Designer,Yes,95.00,332.50,45.00,157.50,Euro - EUR,\n"
    "2025-02-03,Garage Leroy,Brochure,GL-01,Design,Reprint,1.5,1.5,Yes,No,No,Hugo,Bernard,"
    "Designer,Yes,95.00,142.50,45.00,67.50,Euro - EUR,\n"
)

EXPENSIFY = (
    'Timestamp,Merchant,Amount,MCC,Category,Tag,Comment,Reimbursable,"Original Currency",'
    '"Original Amount",Receipt\n'
    '"2026-12-12 00:00:00",Uber,18.68,0,"Local Transportation","ACME:Rollout","Airport",yes,'
    "USD,18.68,https://www.expensify.com/receipt/1\n"
    '"2026-12-13 00:00:00",Hotel Lux,"1,204.50",0,Lodging,"ACME:Rollout","2 nights",yes,EUR,'
    "1100.00,\n"
)


def test_clockify_detailed_export() -> None:
    result = csvfile.parse_timesheets(CLOCKIFY.encode(), "clockify")
    assert result.ok and result.total_rows == 2
    first, second = result.rows
    assert (first.day, first.hours, first.person, first.person_email) == (
        date(2026, 9, 15),
        Decimal("1.50"),
        "Hugo Bernard",
        "hugo@example.test",
    )
    assert (first.client, first.project, first.task, first.notes) == (
        "Garage Leroy",
        "Brand",
        "Design",
        "Logo",
    )
    assert first.billable is True and second.billable is False
    assert first.billable_rate == Money.of("95.00", "EUR")  # currency from the header
    assert first.billable_amount == Money.of("142.50", "EUR")
    assert second.notes == "Logo, v2"
    assert not first.approved  # no approval column, nothing assumed
    assert first.source == "clockify" and first.raw["Start Time"] == "02:00 PM"


def test_toggl_detailed_export_with_clock_durations() -> None:
    result = csvfile.parse_timesheets(io.StringIO(TOGGL), "toggl", assume_approved=True)
    assert result.ok
    first, second = result.rows
    assert first.hours == Decimal("2.5") and second.hours == Decimal("0.333333")
    assert first.billable_amount == Money.of("250.00", "USD")
    assert second.billable_amount is None and second.task is None
    assert first.approved and second.approved


def test_harvest_time_export_with_its_approval_column() -> None:
    result = csvfile.parse_timesheets(HARVEST.encode(), "harvest")
    assert result.ok
    approved, pending = result.rows
    assert approved.approved and not pending.approved
    assert approved.person == "Hugo Bernard" and approved.project_code == "GL-01"
    assert approved.invoiced is True and pending.invoiced is False
    assert approved.billable_rate == Money.of("95.00", "EUR")  # "Euro - EUR"
    assert approved.cost_rate == Money.of("45.00", "EUR")


def test_harvest_export_resaved_by_a_comma_decimal_spreadsheet() -> None:
    text = (
        "Date;Client;Project;Project Code;Task;Notes;Hours;Hours Rounded;Billable?;Invoiced?;"
        "First Name;Last Name;Roles;Employee?\r\n"
        "2026-09-10;Mairie;Signalétique;;Réunions;Point d'étape;1,5;1,5;Yes;No;Hugo;Bernard;;"
        "Yes\r\n"
    )
    result = csvfile.parse_timesheets(text.encode("cp1252"), "harvest")
    assert result.ok
    (row,) = result.rows
    assert row.hours == Decimal("1.5") and row.project == "Signalétique"


def test_expensify_export_needs_a_currency_and_reads_thousands() -> None:
    missing = csvfile.parse_expenses(EXPENSIFY.encode(), "expensify")
    assert [(e.line, e.column) for e in missing.errors] == [(2, "Amount"), (3, "Amount")]
    assert missing.rows == []

    result = csvfile.parse_expenses(EXPENSIFY.encode(), "expensify", default_currency="usd")
    assert result.ok
    uber, hotel = result.rows
    assert uber.amount == Money.of("18.68", "USD") and uber.day == date(2026, 12, 12)
    assert (uber.merchant, uber.category, uber.project) == (
        "Uber",
        "Local Transportation",
        "ACME:Rollout",
    )
    assert uber.reimbursable is True and uber.receipt_url
    assert hotel.amount == Money.of("1204.50", "USD")
    assert hotel.original_amount == Money.of("1100.00", "EUR")


def test_expensify_report_status_is_the_approval() -> None:
    text = (
        "Timestamp,Merchant,Amount,Currency,Category,Email,Report Status,Transaction ID\n"
        "2026-12-01 10:00:00,Cafe,12.00,EUR,Meals,kim@example.com,Approved,T-1\n"
        "2026-12-02 10:00:00,Cafe,8.00,EUR,Meals,kim@example.com,Open,T-2\n"
        "2026-12-03 10:00:00,Cafe,9.00,EUR,Meals,kim@example.com,Lost in the mail,T-3\n"
    )
    result = csvfile.parse_expenses(text.encode(), "expensify")
    assert [(r.external_id, r.approved) for r in result.rows] == [("T-1", True), ("T-2", False)]
    (error,) = result.errors
    assert (error.line, error.column, error.value) == (4, "Report Status", "Lost in the mail")


def test_generic_profiles() -> None:
    times = (
        "id,date,person,project,task,hours,approved,rate,currency\n"
        "A1,2026-03-02,Kim,Web,Design,1:45,yes,120,eur\n"
        "A2,2026-03-03,Kim,Web,Design,2.25,no,,\n"
    )
    result = csvfile.parse_timesheets(times.encode(), "generic")
    assert result.ok
    assert [(r.external_id, r.hours, r.approved) for r in result.rows] == [
        ("A1", Decimal("1.75"), True),
        ("A2", Decimal("2.25"), False),
    ]
    assert result.rows[0].billable_rate == Money.of("120", "EUR")
    expenses = "date;amount;currency;project;category\n2026-03-02;1.234,50;CHF;Web;Travel\n"
    parsed = csvfile.parse_expenses(expenses.encode(), "generic")
    assert parsed.ok and parsed.rows[0].amount == Money.of("1234.50", "CHF")


BAD = (
    "date,person,project,hours,rate,currency\n"
    "2026-03-02,Kim,Web,2,100,EUR\n"
    "2026-02-30,Kim,Web,2,100,EUR\n"
    "2026-03-03,Kim,,2,100,EUR\n"
    "2026-03-04,Kim,Web,25,abc,EUR\n"
    "\n"
    "2026-03-05,Kim,Web,1,100,XYZ\n"
    "2026-03-06,Kim,Web,1,100,EUR,extra\n"
    "2026-03-07,Kim,Web,1:30,100,EUR\n"
)


def test_every_bad_row_is_reported_with_line_column_and_reason() -> None:
    result = csvfile.parse_timesheets(BAD.encode(), "generic")
    assert result.total_rows == 7
    assert [r.line for r in result.rows] == [2, 9]
    found = [(e.line, e.column, e.value) for e in result.errors]
    assert found == [
        (3, "date", "2026-02-30"),
        (4, "project", None),
        (5, "hours", "25"),
        (5, "rate", "abc"),
        (7, "currency", "XYZ"),
        (8, None, None),
    ]
    assert "between 0 and 24" in result.errors[2].reason
    assert "7 cells where the header has 6" in result.errors[5].reason
    assert result.error_lines == [3, 4, 5, 7, 8]


def test_all_or_nothing_holds_every_row_back() -> None:
    result = csvfile.parse_timesheets(BAD.encode(), "generic", all_or_nothing=True)
    assert result.rows == [] and result.held_back == 2
    assert len(result.errors) == 6
    clean = csvfile.parse_timesheets(CLOCKIFY.encode(), "clockify", all_or_nothing=True)
    assert len(clean.rows) == 2 and clean.held_back == 0


def test_missing_required_columns_are_file_errors_at_the_header() -> None:
    text = "\n\nday,who,hours\n2026-03-02,Kim,2\n"
    result = csvfile.parse_timesheets(text.encode(), "clockify")
    assert result.rows == [] and result.total_rows == 0
    assert {(e.line, e.column) for e in result.errors} == {
        (3, "date"),
        (3, "hours"),
        (3, "person"),
        (3, "project"),
    }
    assert "'start date'" in next(e.reason for e in result.errors if e.column == "date")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "no header row"),
        (b"\xff\xfe\x00\xd8", "utf-16"),
        (b'date,person,project,hours\n2026-03-02,"Kim,Web,2\n', "not well-formed CSV"),
    ],
)
def test_unreadable_files(data: bytes, reason: str) -> None:
    result = csvfile.parse_timesheets(data, "generic")
    assert result.rows == [] and reason in result.errors[0].reason


def test_unreadable_rest_of_a_file_is_reported_after_the_good_rows() -> None:
    data = b'date,person,project,hours\n2026-03-02,Kim,Web,2\n2026-03-03,"Kim,Web,2\n'
    result = csvfile.parse_timesheets(data, "generic")
    assert [r.line for r in result.rows] == [2]
    assert result.errors[0].line == 3 and "the rest of the file" in result.errors[0].reason


@pytest.mark.parametrize(
    ("encoded", "label"),
    [
        (codecs.BOM_UTF8 + TOGGL.encode(), "utf-8 BOM"),
        (TOGGL.encode("utf-16"), "utf-16 BOM"),
        (TOGGL.replace("Ines", "Inès").encode("cp1252"), "cp1252 fallback"),
        (TOGGL.replace(",", ";").replace(".", ","), "semicolons"),
        (TOGGL.replace(",", "\t"), "tabs"),
    ],
)
def test_encodings_and_delimiters(encoded: bytes | str, label: str) -> None:
    data = encoded.encode() if isinstance(encoded, str) else encoded
    result = csvfile.parse_timesheets(data, _toggl_sniffing())
    assert result.ok, (label, result.errors)
    assert [r.person for r in result.rows][1].startswith("In")
    assert result.rows[0].hours == Decimal("2.5")


def _toggl_sniffing() -> csvfile.CsvProfile:
    """The toggl profile with its delimiter sniffed instead of fixed."""
    return csvfile.get_profile("timesheets", "toggl").model_copy(
        update={"delimiter": None, "name": "toggl-any"}
    )


def test_ids_are_stable_and_identical_rows_stay_distinct(tmp_path: Path) -> None:
    row = "2026-09-01,Kim,Web,Design,1.5,Same text\n"
    text = "date,person,project,task,hours,notes\n" + row + row + row.replace("1.5", "2")
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    first = csvfile.parse_timesheets(path, "generic")
    again = csvfile.parse_timesheets(path, "generic")
    ids = [r.external_id for r in first.rows]
    assert ids == [r.external_id for r in again.rows]
    assert len(set(ids)) == 3
    assert ids[1] == ids[0] + "#2" and ids[0].startswith("sha256:") and len(ids[0]) == 47
    # Approval and formatting do not change identity; content does.
    reformatted = text.replace("1.5,", "1.50,").replace("date,", "Date,")
    assert [
        r.external_id for r in csvfile.parse_timesheets(reformatted.encode(), "generic").rows
    ] == ids
    edited = text.replace("Same text", "Other text", 1)
    assert csvfile.parse_timesheets(edited.encode(), "generic").rows[0].external_id != ids[0]
    assert first.source_name == "export.csv"


def test_duplicate_ids_in_one_file_are_row_errors() -> None:
    text = "id,date,person,project,hours\nX,2026-03-02,Kim,Web,1\nX,2026-03-03,Kim,Web,2\n"
    result = csvfile.parse_timesheets(text.encode(), "generic")
    assert [r.line for r in result.rows] == [2]
    assert result.errors[0].line == 3 and "already on line 2" in result.errors[0].reason


def test_profile_kind_must_match() -> None:
    with pytest.raises(errors.ConfigError, match="reads expenses"):
        csvfile.parse_timesheets(b"x", csvfile.get_profile("expenses", "expensify"))
    with pytest.raises(errors.ConfigError, match="known: clockify, generic, harvest, toggl"):
        csvfile.parse_timesheets(b"x", "nope")
