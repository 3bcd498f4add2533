"""The emulator's stored records: what ``POST /_emulator/seed`` accepts for each resource.

Each model is the seed shape and the stored shape at once: references are ids (``project_id``,
``user_id`` ...), nested objects are built when a record is rendered, so renaming a project shows
in every time entry. Omitted ``id``s are assigned; omitted ``created_at``/``updated_at`` come from
the emulator clock. Numbers may be JSON numbers or strings; they are kept as Decimal.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


Stamp = Annotated[AwareDatetime, AfterValidator(_utc)]


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("numbers must be JSON numbers parsed as Decimal, or strings")
    return value


class Record(BaseModel):
    """Common fields: an id and the two timestamps."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = Field(default=None, ge=1)
    created_at: Stamp | None = None
    updated_at: Stamp | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _floats_refused(cls, value: Any) -> Any:
        return _no_float(value)


class UserRecord(Record):
    first_name: str
    last_name: str = ""
    email: str | None = None
    telephone: str = ""
    timezone: str = "Eastern Time (US & Canada)"
    has_access_to_all_future_projects: bool = False
    is_contractor: bool = False
    is_active: bool = True
    weekly_capacity: int = 126000
    default_hourly_rate: Decimal | None = None
    cost_rate: Decimal | None = None
    roles: list[str] = Field(default_factory=list)
    access_roles: list[str] = Field(default_factory=lambda: ["member"])
    avatar_url: str | None = None


class ClientRecord(Record):
    name: str
    is_active: bool = True
    address: str | None = None
    statement_key: str = Field(default_factory=lambda: secrets.token_hex(16))
    currency: str = "USD"


class ProjectRecord(Record):
    client_id: int
    name: str
    code: str | None = None
    is_active: bool = True
    is_billable: bool = True
    is_fixed_fee: bool = False
    bill_by: Literal["Project", "Tasks", "People", "none"] = "Project"
    hourly_rate: Decimal | None = None
    budget: Decimal | None = None
    budget_by: str = "none"
    budget_is_monthly: bool = False
    notify_when_over_budget: bool = False
    over_budget_notification_percentage: Decimal = Decimal(80)
    over_budget_notification_date: date | None = None
    show_budget_to_all: bool = False
    cost_budget: Decimal | None = None
    cost_budget_include_expenses: bool = False
    fee: Decimal | None = None
    notes: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


class TaskRecord(Record):
    name: str
    billable_by_default: bool = True
    default_hourly_rate: Decimal | None = None
    is_default: bool = False
    is_active: bool = True


class TaskAssignmentRecord(Record):
    project_id: int
    task_id: int
    is_active: bool = True
    billable: bool = True
    hourly_rate: Decimal | None = None
    budget: Decimal | None = None


class UserAssignmentRecord(Record):
    project_id: int
    user_id: int
    is_active: bool = True
    is_project_manager: bool = False
    use_default_rates: bool = True
    hourly_rate: Decimal | None = None
    budget: Decimal | None = None


class ExpenseCategoryRecord(Record):
    name: str
    unit_name: str | None = None
    unit_price: Decimal | None = None
    is_active: bool = True


class InvoiceRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    number: str


class TimeEntryRecord(Record):
    user_id: int
    project_id: int
    task_id: int
    spent_date: date
    hours: Decimal = Field(default=Decimal(0), ge=0)
    hours_without_timer: Decimal | None = None
    rounded_hours: Decimal | None = None
    notes: str | None = None
    is_closed: bool = False
    is_billed: bool = False
    invoice: InvoiceRecord | None = None
    external_reference: dict[str, str | None] | None = None
    is_running: bool = False
    timer_started_at: Stamp | None = None
    started_time: str | None = None
    ended_time: str | None = None
    #: ``None``: billable when the project is billable and the task assignment is.
    billable: bool | None = None
    budgeted: bool = True
    #: ``None``: taken from the project's ``bill_by`` rate when billable.
    billable_rate: Decimal | None = None
    #: ``None``: the user's cost rate.
    cost_rate: Decimal | None = None


class ReceiptRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str
    file_name: str
    file_size: int = 0
    content_type: str = "application/pdf"


class ExpenseRecord(Record):
    user_id: int
    project_id: int
    expense_category_id: int
    spent_date: date
    units: int | None = None
    #: ``None``: ``units`` x the category's ``unit_price``.
    total_cost: Decimal | None = None
    notes: str | None = None
    billable: bool = True
    is_closed: bool = False
    is_billed: bool = False
    invoice: InvoiceRecord | None = None
    receipt: ReceiptRecord | None = None


#: Resource name (as in paths and the seed document) → record model, in dependency order.
RECORD_MODELS: dict[str, type[Record]] = {
    "users": UserRecord,
    "clients": ClientRecord,
    "tasks": TaskRecord,
    "expense_categories": ExpenseCategoryRecord,
    "projects": ProjectRecord,
    "task_assignments": TaskAssignmentRecord,
    "user_assignments": UserAssignmentRecord,
    "time_entries": TimeEntryRecord,
    "expenses": ExpenseRecord,
}

#: Which other resources a record's ``*_id`` fields point to.
REFERENCES: dict[str, dict[str, str]] = {
    "projects": {"client_id": "clients"},
    "task_assignments": {"project_id": "projects", "task_id": "tasks"},
    "user_assignments": {"project_id": "projects", "user_id": "users"},
    "time_entries": {"user_id": "users", "project_id": "projects", "task_id": "tasks"},
    "expenses": {
        "user_id": "users",
        "project_id": "projects",
        "expense_category_id": "expense_categories",
    },
}
