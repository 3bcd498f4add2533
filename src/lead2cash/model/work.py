"""Delivery: consultants, projects, tasks, and the time and expenses logged against them."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from lead2cash.model.base import Canonical, SourceRef
from lead2cash.model.money import Money, StrictDecimal


class Consultant(Canonical):
    """A person who logs time (a source user), mapped to an Odoo employee."""

    kind = "consultant"

    name: str = Field(min_length=1)
    email: str | None = None
    role: str | None = None
    active: bool = True


class Project(Canonical):
    """A delivery project in the time tool (or created in Odoo from a contract)."""

    kind = "project"

    name: str = Field(min_length=1)
    code: str | None = None
    customer: SourceRef | None = None
    contract: SourceRef | None = None
    active: bool = True


class Task(Canonical):
    """A task of a project; its billing code decides the Odoo service product."""

    kind = "task"

    name: str = Field(min_length=1)
    project: SourceRef | None = None
    billing_code: str | None = None
    billable: bool = True


class TimeEntry(Canonical):
    """Approved (or not yet approved) hours of one consultant on one day."""

    kind = "time_entry"

    consultant: SourceRef
    project: SourceRef
    #: the time tool's project code; ``project_links`` in the mapping says which deal it names
    project_code: str | None = None
    task: SourceRef | None = None
    #: the task's name in the time tool (the Odoo task of that name in the project is used)
    task_name: str | None = None
    billing_code: str | None = None
    day: date
    hours: StrictDecimal = Field(ge=0, le=24)
    billable: bool = True
    approved: bool = False
    notes: str = ""
    billable_rate: Money | None = None
    deleted: bool = False


class Expense(Canonical):
    """An expense a consultant incurred for a project."""

    kind = "expense"

    consultant: SourceRef
    project: SourceRef | None = None
    project_code: str | None = None
    day: date
    amount: Money
    category: str | None = None
    description: str = ""
    has_receipt: bool = False
    billable: bool = True
    approved: bool = False
    deleted: bool = False
