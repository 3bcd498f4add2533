"""Harvest v2 JSON as it is on the wire, as pydantic models (reference §3.1, the OpenAPI file).

JSON is parsed with :func:`loads`, which turns every JSON number with a fraction into a
:class:`~decimal.Decimal` (``json.loads(..., parse_float=Decimal)``), so hours, rates and costs
never pass through a float. Numeric fields use the canonical model's ``StrictDecimal``, which
also takes the strings Harvest sometimes sends (the OpenAPI file types
``expense.expense_category.unit_price`` as a string) and refuses floats.

Every model keeps fields it does not know (``extra="allow"``): nothing Harvest sends is lost on
the way to the inbox. Timestamps are timezone-aware UTC; ``spent_date`` is a calendar date.

Approval: Harvest has no approval objects. A time entry or an expense approved through
Timesheet Approval is ``is_closed: true`` (and then ``is_locked``); :attr:`TimeEntry.approved`
and :attr:`Expense.approved` read that flag. The spec has no ``approval_status`` on expenses.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from lead2cash.model.money import Money, StrictDecimal


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]


def _null_is_false(value: Any) -> Any:
    return False if value is None else value


#: A flag the OpenAPI file types as nullable boolean: ``null`` reads as ``false``.
Flag = Annotated[bool, BeforeValidator(_null_is_false)]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"JSON constant {name} is not a number Harvest sends")


def loads(data: bytes | str) -> Any:
    """Parse Harvest JSON, with every fractional number as a Decimal."""
    return json.loads(data, parse_float=Decimal, parse_constant=_reject_constant)


class Wire(BaseModel):
    """Base of every Harvest wire model: immutable, unknown fields kept."""

    model_config = ConfigDict(extra="allow", frozen=True)


class IdName(Wire):
    id: int
    name: str | None = None


class ClientRef(IdName):
    currency: str | None = None


class ProjectRef(IdName):
    code: str | None = None


class InvoiceRef(Wire):
    id: int
    number: str | None = None


class ExpenseCategoryRef(IdName):
    unit_price: StrictDecimal | None = None
    unit_name: str | None = None


class ExternalReference(Wire):
    id: str | None = None
    group_id: str | None = None
    account_id: str | None = None
    permalink: str | None = None
    service: str | None = None
    service_icon_url: str | None = None


class Receipt(Wire):
    url: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    content_type: str | None = None


class UserAssignment(Wire):
    id: int
    project: ProjectRef | None = None
    user: IdName | None = None
    is_active: bool | None = None
    is_project_manager: bool | None = None
    use_default_rates: bool | None = None
    hourly_rate: StrictDecimal | None = None
    budget: StrictDecimal | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class TaskAssignment(Wire):
    id: int
    project: ProjectRef | None = None
    task: IdName | None = None
    is_active: bool | None = None
    billable: bool | None = None
    hourly_rate: StrictDecimal | None = None
    budget: StrictDecimal | None = None
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None


class TimeEntry(Wire):
    """``GET /v2/time_entries`` items."""

    id: int
    spent_date: date
    user: IdName
    client: IdName | None = None
    project: IdName
    task: IdName | None = None
    user_assignment: UserAssignment | None = None
    task_assignment: TaskAssignment | None = None
    external_reference: ExternalReference | None = None
    invoice: InvoiceRef | None = None
    hours: StrictDecimal
    hours_without_timer: StrictDecimal | None = None
    rounded_hours: StrictDecimal | None = None
    notes: str | None = None
    is_locked: Flag = False
    locked_reason: str | None = None
    is_closed: Flag = False
    is_billed: Flag = False
    timer_started_at: UtcDatetime | None = None
    started_time: str | None = None
    ended_time: str | None = None
    is_running: Flag = False
    billable: Flag = False
    budgeted: bool | None = None
    billable_rate: StrictDecimal | None = None
    cost_rate: StrictDecimal | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @property
    def approved(self) -> bool:
        """Approved through Timesheet Approval (Harvest's ``is_closed``)."""
        return self.is_closed


class Expense(Wire):
    """``GET /v2/expenses`` items."""

    id: int
    client: ClientRef | None = None
    project: ProjectRef
    expense_category: ExpenseCategoryRef | None = None
    user: IdName
    user_assignment: UserAssignment | None = None
    receipt: Receipt | None = None
    invoice: InvoiceRef | None = None
    notes: str | None = None
    units: StrictDecimal | None = None
    total_cost: StrictDecimal
    billable: Flag = False
    is_closed: Flag = False
    is_locked: Flag = False
    is_billed: Flag = False
    locked_reason: str | None = None
    spent_date: date
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @property
    def approved(self) -> bool:
        """Approved (Harvest's ``is_closed``; expenses have no other approval field)."""
        return self.is_closed

    @property
    def currency(self) -> str | None:
        """The expense's currency: its client's (Harvest records expenses in that currency)."""
        return None if self.client is None else self.client.currency

    def total(self) -> Money | None:
        """``total_cost`` as Money, when the client's currency is known."""
        currency = self.currency
        return None if currency is None else Money(amount=self.total_cost, currency=currency)


class User(Wire):
    id: int
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    telephone: str | None = None
    timezone: str | None = None
    has_access_to_all_future_projects: bool | None = None
    is_contractor: bool | None = None
    is_active: bool | None = True
    weekly_capacity: int | None = None
    default_hourly_rate: StrictDecimal | None = None
    cost_rate: StrictDecimal | None = None
    roles: list[str] = Field(default_factory=list)
    access_roles: list[str] = Field(default_factory=list)
    avatar_url: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


class Client(Wire):
    id: int
    name: str
    is_active: bool | None = True
    address: str | None = None
    statement_key: str | None = None
    currency: str | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Project(Wire):
    id: int
    client: ClientRef | None = None
    name: str
    code: str | None = None
    is_active: bool | None = True
    is_billable: bool | None = None
    is_fixed_fee: bool | None = None
    bill_by: str | None = None
    hourly_rate: StrictDecimal | None = None
    budget: StrictDecimal | None = None
    budget_by: str | None = None
    budget_is_monthly: bool | None = None
    cost_budget: StrictDecimal | None = None
    cost_budget_include_expenses: bool | None = None
    fee: StrictDecimal | None = None
    notes: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Task(Wire):
    id: int
    name: str
    billable_by_default: bool | None = None
    default_hourly_rate: StrictDecimal | None = None
    is_default: bool | None = None
    is_active: bool | None = True
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ExpenseCategory(Wire):
    id: int
    name: str
    unit_name: str | None = None
    unit_price: StrictDecimal | None = None
    is_active: bool | None = True
    created_at: UtcDatetime
    updated_at: UtcDatetime


class PaginationLinks(Wire):
    first: str | None = None
    next: str | None = None
    previous: str | None = None
    last: str | None = None


class ListEnvelope(Wire):
    """The paging fields around every list (``page`` and friends are null on the middle pages
    of cursor-paginated endpoints)."""

    per_page: int | None = None
    total_pages: int | None = None
    total_entries: int | None = None
    next_page: int | None = None
    previous_page: int | None = None
    page: int | None = None
    links: PaginationLinks = Field(default_factory=PaginationLinks)
