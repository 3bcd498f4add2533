"""Harvest API v2: time entries, expenses and their reference data (users, clients, projects,
tasks, expense categories, task and user assignments), read incrementally by ``updated_at``.

Harvest receives no feedback from the hub (it has no approve, submit or "mark billed" calls and
no webhooks; reference §3.0), so this connector has no ``writeback`` module.
"""

from __future__ import annotations

from lead2cash.connectors.harvest import wire
from lead2cash.connectors.harvest.client import (
    CLIENTS,
    EXPENSE_CATEGORIES,
    EXPENSES,
    PROJECTS,
    TASK_ASSIGNMENTS,
    TASKS,
    TIME_ENTRIES,
    USER_ASSIGNMENTS,
    USERS,
    HarvestClient,
    Page,
    Resource,
    build_http_client,
)
from lead2cash.connectors.harvest.ratelimit import TokenBucket
from lead2cash.connectors.harvest.settings import MAX_PAGE_SIZE, HarvestSettings
from lead2cash.connectors.harvest.sync import SyncResult, sync, sync_expenses, sync_time_entries

__all__ = [
    "CLIENTS",
    "EXPENSES",
    "EXPENSE_CATEGORIES",
    "MAX_PAGE_SIZE",
    "PROJECTS",
    "TASKS",
    "TASK_ASSIGNMENTS",
    "TIME_ENTRIES",
    "USERS",
    "USER_ASSIGNMENTS",
    "HarvestClient",
    "HarvestSettings",
    "Page",
    "Resource",
    "SyncResult",
    "TokenBucket",
    "build_http_client",
    "sync",
    "sync_expenses",
    "sync_time_entries",
    "wire",
]
