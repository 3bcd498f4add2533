"""Time entries and expenses into Odoo, batched per project: what the timesheets and expenses
flows share.

A run (``timesheets.run``, ``expenses.run``: scheduled, or ``l2c sync``) reads the changes
since its cursor, maps each record to canonical, groups the records by the Odoo project they
book on and enqueues one batch job per project (the key is a digest of the record versions, so
an overlapping window or a rerun enqueues nothing twice) in the transaction that stores the
cursor. A record that cannot be grouped (no project link, no code) is held at once as a
``validation`` exception with its payload.

A batch job resolves its project (``<crm>:project:<deal>``, bound by deal_to_project); until
the deal is synced the job is **parked** on that binding and woken by it. Then one batched,
idempotent upsert; each record's outcome is bound (hash of the version written) and audited.
A record Odoo refused is re-enqueued alone (``*.entry``) so it takes its own route (``locked``
once invoiced, ``validation`` for bad data, parked on an unmapped consultant) without holding
back the rest of the batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from lead2cash import errors
from lead2cash.connectors.odoo.gateway import EntryResult, Scope
from lead2cash.engine.handlers import JobContext
from lead2cash.flows.runtime import Hub, key_of
from lead2cash.model.base import SourceRef
from lead2cash.model.work import Expense, TimeEntry
from lead2cash.store.bindings import content_hash
from lead2cash.store.jobs import NewJob

Kind = Literal["timesheets", "expenses"]
W = TypeVar("W", TimeEntry, Expense)

MODEL: dict[str, type[TimeEntry] | type[Expense]] = {
    "timesheets": TimeEntry,
    "expenses": Expense,
}
ODOO_MODEL = {"timesheets": "account.analytic.line", "expenses": "hr.expense"}


@dataclass
class Planned(Generic[W]):
    """What a run found: the records per project binding, and those it could not place."""

    by_project: dict[str, list[W]] = field(default_factory=dict)
    unplaced: list[tuple[W, errors.Lead2CashError]] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(len(v) for v in self.by_project.values()) + len(self.unplaced)


@dataclass
class BatchOutcome:
    project: str
    results: list[EntryResult]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[EntryResult]:
        return [r for r in self.results if r.error is not None]


def deal_project(hub: Hub, item: TimeEntry | Expense) -> SourceRef:
    if item.project is None:
        raise errors.ValidationError(
            f"{item.source.key} names no project", field="project", rule="required"
        )
    return hub.mapper.deal_project(item.project, item.project_code)


def plan(hub: Hub, items: Sequence[W]) -> Planned[W]:
    planned: Planned[W] = Planned()
    for item in items:
        try:
            ref = deal_project(hub, item)
        except errors.Lead2CashError as exc:
            planned.unplaced.append((item, exc))
            continue
        planned.by_project.setdefault(ref.key, []).append(item)
    return planned


def version_tag(item: TimeEntry | Expense) -> str:
    stamp = item.source.modified_at
    body = content_hash(item.model_dump(mode="json"))[:16]
    return f"{item.source.key}@{stamp.isoformat() if stamp else body}"


def batch_job(kind: Kind, project: str, items: Sequence[TimeEntry | Expense]) -> NewJob:
    digest = hashlib.sha256("\n".join(sorted(version_tag(i) for i in items)).encode()).hexdigest()
    return NewJob(
        f"{kind}.batch",
        f"{kind}:batch:{project}:{digest[:24]}",
        {"project": project, "items": [i.model_dump(mode="json") for i in items]},
    )


def entry_job(kind: Kind, project: str | None, item: TimeEntry | Expense) -> NewJob:
    return NewJob(
        f"{kind}.entry",
        f"{kind}:entry:{version_tag(item)}",
        {"project": project, "items": [item.model_dump(mode="json")]},
    )


def enqueue_plan(
    hub: Hub, kind: Kind, planned: Planned[Any], *, cursor: tuple[str, Any] | None = None
) -> int:
    """Enqueue the batches (and hold the unplaced records) with the cursor, atomically."""
    jobs = [batch_job(kind, project, items) for project, items in planned.by_project.items()]
    with hub.store.engine.begin() as conn:
        created = sum(e.created for e in hub.store.jobs.enqueue(jobs, conn=conn))
        if cursor is not None:
            hub.store.cursors.put(cursor[0], cursor[1], conn=conn)
    for item, exc in planned.unplaced:
        hub.store.jobs.hold(
            entry_job(kind, None, item),
            error_class=exc.failure_class.value,
            message=str(exc)[:2000],
            detail=exc.details,
            actor=hub.actor,
        )
    return created


def items_of(kind: Kind, payload: dict[str, Any]) -> list[Any]:
    try:
        return [MODEL[kind].model_validate(i) for i in payload["items"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise errors.ValidationError(
            f"the job's {kind} payload is not valid: {exc}", field="items", rule="schema"
        ) from None


def project_scope(hub: Hub, project: str) -> tuple[int, Scope]:
    """The Odoo project a batch books on, and its company's scope (parks until bound)."""
    bound = hub.binding(project)
    if bound is None or not bound.odoo_id:
        raise errors.MissingReferenceError(
            f"project {project} is not synced to Odoo yet (its deal has not reached Odoo)",
            reference=project,
        )
    if not bound.company:
        raise errors.ConfigError(f"the binding of {project} names no company")
    return bound.odoo_id, hub.gateway.scope(bound.company)


Sync = Callable[[Scope, list[Any]], list[EntryResult]]


def run_batch(
    hub: Hub, ctx: JobContext | None, kind: Kind, project: str, items: list[Any], sync: Sync
) -> BatchOutcome:
    """Book ``items`` on ``project``'s Odoo project; bind and audit each outcome."""
    project_id, scope = project_scope(hub, project)
    for tool_project in {i.project.key: i.project for i in items if i.project is not None}.values():
        if hub.lookup(tool_project) != project_id:
            hub.bind(
                tool_project,
                odoo_model="project.project",
                odoo_id=project_id,
                company=scope.key,
            )
    results = sync(scope, items)
    by_key = {i.source.key: i for i in items}
    summary: list[dict[str, Any]] = []
    with hub.store.engine.begin() as conn:
        for result in results:
            item = by_key[result.key]
            summary.append({"key": result.key, "status": result.status, "odoo_id": result.odoo_id})
            if result.error is None and result.status != "unchanged":
                hub.store.bindings.bind(
                    key_of(item.source),
                    odoo_model=ODOO_MODEL[kind],
                    odoo_id=result.odoo_id,
                    company=scope.key,
                    last_hash=content_hash(item.model_dump(mode="json")),
                    conn=conn,
                )
        hub.audit(
            hub.entry(ctx, f"odoo.{kind}.sync", project, after=summary),
            conn=conn,
        )
    return BatchOutcome(project, results)


def handle_batch(ctx: JobContext, hub: Hub, kind: Kind, sync: Sync) -> BatchOutcome:
    """A ``<kind>.batch`` job: failed records go on alone as ``<kind>.entry`` jobs."""
    project = str(ctx.payload["project"])
    items = items_of(kind, ctx.payload)
    outcome = run_batch(hub, ctx, kind, project, items, sync)
    failed = {r.key for r in outcome.failed}
    if failed:
        hub.store.jobs.enqueue(
            [entry_job(kind, project, i) for i in items if i.source.key in failed]
        )
    return outcome


def handle_entry(
    ctx: JobContext, hub: Hub, kind: Kind, sync: Sync, items: list[Any] | None = None
) -> BatchOutcome:
    """A ``<kind>.entry`` job (or an imported CSV row): one record, whose error (if any) is
    the job's outcome."""
    items = items if items is not None else items_of(kind, ctx.payload)
    project = ctx.payload.get("project")
    if not project:
        project = deal_project(hub, items[0]).key
    outcome = run_batch(hub, ctx, kind, str(project), items, sync)
    for result in outcome.failed:
        assert result.error is not None
        raise result.error
    return outcome
