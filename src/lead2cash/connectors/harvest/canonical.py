"""Harvest records as canonical objects: time entries and expenses.

Harvest's approval is ``is_closed`` (Timesheet Approval); an entry that is not approved is
carried across as ``approved=False`` so the flow can remove what it synced before. The project
reference keeps Harvest's project ``code``: the mapping's ``project_links`` says which CRM deal
the code names (``mappings.md``). Harvest's time entries carry only the project's id and name,
so the codes come from ``GET /v2/projects`` (:func:`project_codes`, once per run). A user is
``harvest:user:<id>``, a task ``harvest:task:<id>`` and its name is the billing code.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from lead2cash import errors
from lead2cash.connectors.harvest import wire
from lead2cash.connectors.harvest.client import PROJECTS, SYSTEM, HarvestClient
from lead2cash.model.base import SourceRef
from lead2cash.model.money import Money
from lead2cash.model.work import Expense, TimeEntry


def _ref(object_type: str, external_id: int, modified_at: datetime | None = None) -> SourceRef:
    return SourceRef(
        system=SYSTEM,
        object_type=object_type,
        external_id=str(external_id),
        modified_at=modified_at,
    )


def user_ref(user: wire.IdName) -> SourceRef:
    return _ref("user", user.id)


def project_ref(project: wire.IdName) -> SourceRef:
    return _ref("project", project.id)


def project_codes(client: HarvestClient) -> dict[int, str]:
    """Every project's code by project id (archived projects included)."""
    codes: dict[int, str] = {}
    for page in client.pages(PROJECTS):
        for raw in page.records:
            project = wire.Project.model_validate(raw)
            if project.code:
                codes[project.id] = project.code
    return codes


def time_entry(entry: wire.TimeEntry, codes: Mapping[int, str] | None = None) -> TimeEntry:
    """One Harvest time entry (any approval state); ``codes`` from :func:`project_codes`."""
    return TimeEntry(
        source=_ref("time_entry", entry.id, entry.updated_at),
        consultant=user_ref(entry.user),
        project=project_ref(entry.project),
        project_code=(codes or {}).get(entry.project.id),
        task=None if entry.task is None else _ref("task", entry.task.id),
        task_name=None if entry.task is None else entry.task.name,
        billing_code=None if entry.task is None else entry.task.name,
        day=entry.spent_date,
        hours=entry.hours,
        billable=bool(entry.billable),
        approved=entry.approved,
        notes=entry.notes or "",
    )


def expense(record: wire.Expense, *, default_currency: str | None = None) -> Expense:
    """One Harvest expense, in its client's currency (``default_currency`` when Harvest does
    not say; a :class:`~lead2cash.errors.ValidationError` when neither does)."""
    currency = record.currency or default_currency
    if not currency:
        raise errors.ValidationError(
            f"harvest expense {record.id} has no currency (its client has none)",
            field="client.currency",
            rule="required",
            system=SYSTEM,
        )
    return Expense(
        source=_ref("expense", record.id, record.updated_at),
        consultant=user_ref(record.user),
        project=project_ref(record.project),
        project_code=record.project.code or None,
        day=record.spent_date,
        amount=Money(amount=record.total_cost, currency=currency),
        category=None if record.expense_category is None else record.expense_category.name,
        description=record.notes or "",
        has_receipt=record.receipt is not None and bool(record.receipt.url),
        billable=bool(record.billable),
        approved=record.approved,
    )
