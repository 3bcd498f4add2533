"""What a CSV import produces: typed rows, row errors, and the result of one file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from lead2cash.model.money import Money


class RowError(BaseModel):
    """Why one row (or the file, at its header line) could not be read."""

    model_config = ConfigDict(frozen=True)

    #: Physical line where the record starts (1 = the first line of the file).
    line: int = Field(ge=1)
    #: The column's header as written in the file, or the field when the column is missing.
    column: str | None = None
    reason: str
    #: The cell as written (absent for missing columns and file errors).
    value: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        shown = f" (value {self.value!r})" if self.value is not None else ""
        return f"{where}: {self.reason}{shown}"


class CsvRow(BaseModel):
    """Common to every imported row."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int
    #: Stable id: the file's id column when it has one, else a hash of the identity fields
    #: (``sha256:<40 hex>``, with ``#2``, ``#3`` ... on identical rows of one file).
    external_id: str
    #: The tool the file came from (the profile's ``source``).
    source: str
    #: The row as written in the file, header → cell.
    raw: dict[str, str]


class TimesheetRow(CsvRow):
    day: date
    hours: Decimal
    person: str
    person_email: str | None = None
    client: str | None = None
    project: str
    project_code: str | None = None
    task: str | None = None
    notes: str = ""
    start_time: str | None = None
    billable: bool | None = None
    invoiced: bool | None = None
    approved: bool
    billable_rate: Money | None = None
    billable_amount: Money | None = None
    cost_rate: Money | None = None


class ExpenseRow(CsvRow):
    day: date
    amount: Money
    person: str | None = None
    person_email: str | None = None
    client: str | None = None
    project: str | None = None
    project_code: str | None = None
    category: str | None = None
    merchant: str | None = None
    description: str = ""
    units: Decimal | None = None
    billable: bool | None = None
    reimbursable: bool | None = None
    approved: bool
    receipt_url: str | None = None
    original_amount: Money | None = None


RowT = TypeVar("RowT", TimesheetRow, ExpenseRow)


class ParseResult(BaseModel, Generic[RowT]):
    """One file read with one profile.

    ``rows`` are the rows to import: every good row, or none at all when the caller asked for
    all-or-nothing and any row failed. ``errors`` always lists every row that failed; no row is
    ever dropped without an error.
    """

    model_config = ConfigDict(frozen=True)

    profile: str
    kind: str
    source_name: str
    all_or_nothing: bool
    #: Data records in the file (blank lines not counted).
    total_rows: int
    rows: list[RowT]
    errors: list[RowError]
    #: Good rows held back because ``all_or_nothing`` and another row failed.
    held_back: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})
