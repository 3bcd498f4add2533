"""Imported CSV rows as canonical objects.

The rows' ``source`` (the profile's tool: ``clockify``, ``expensify``, ``generic`` ...) is the
system of every reference, so the mapping names consultants and project links per tool:
a person is ``<tool>:user:<e-mail or name>``, a project ``<tool>:project:<code or name>``.
CSV exports hold approved work (``approved`` comes from the file or the import's
``--assume-approved``); a row imported again with other values is a new version of the same
entry (same row id), which the flows treat as an edit.
"""

from __future__ import annotations

from lead2cash.connectors.csvfile.rows import ExpenseRow, TimesheetRow
from lead2cash.model.base import SourceRef
from lead2cash.model.work import Expense, TimeEntry


def _person(source: str, name: str | None, email: str | None) -> SourceRef:
    who = (email or name or "").strip()
    return SourceRef(system=source, object_type="user", external_id=who.lower() if email else who)


def _project(source: str, name: str, code: str | None) -> SourceRef:
    return SourceRef(system=source, object_type="project", external_id=(code or name).strip())


def time_entry(row: TimesheetRow) -> TimeEntry:
    return TimeEntry(
        source=SourceRef(system=row.source, object_type="time_entry", external_id=row.external_id),
        consultant=_person(row.source, row.person, row.person_email),
        project=_project(row.source, row.project, row.project_code),
        project_code=row.project_code or row.project,
        task_name=row.task or None,
        billing_code=row.task or None,
        day=row.day,
        hours=row.hours,
        billable=True if row.billable is None else row.billable,
        approved=row.approved,
        notes=row.notes,
        billable_rate=row.billable_rate,
    )


def expense(row: ExpenseRow) -> Expense:
    project = row.project_code or row.project
    return Expense(
        source=SourceRef(system=row.source, object_type="expense", external_id=row.external_id),
        consultant=_person(row.source, row.person, row.person_email),
        project=None if not project else _project(row.source, project, row.project_code),
        project_code=project or None,
        day=row.day,
        amount=row.amount,
        category=row.category,
        description=row.description or row.merchant or "",
        has_receipt=bool(row.receipt_url),
        billable=True if row.billable is None else row.billable,
        approved=row.approved,
    )
