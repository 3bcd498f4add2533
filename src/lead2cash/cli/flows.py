"""``l2c sync <flow>`` (run a flow now, or ``--dry-run``) and ``l2c approvals`` (the deal
flow's approval gate)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from lead2cash import errors
from lead2cash.cli.common import DB_OPTION, console, fail, open_store, print_json, settings
from lead2cash.cli.config import ENV, FILE, load_all
from lead2cash.engine.handlers import HandlerRegistry
from lead2cash.engine.retry import RetryPolicy
from lead2cash.engine.worker import Worker
from lead2cash.flows import dryrun, handlers
from lead2cash.flows.build import hub_from_config
from lead2cash.store.audit import AuditEntry
from lead2cash.store.bindings import BindingKey
from lead2cash.store.jobs import JobFilter, JobState, NewJob
from lead2cash.store.tables import jobs as jobs_table

approvals = typer.Typer(
    help="Deals waiting at the approval gate (flows.deal_to_project.approval_gate)."
)


def sync(
    flow: str = typer.Argument(
        ..., help="deal_to_project, timesheets, expenses or status_feedback"
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print what would be written; write nothing."
    ),
    as_json: bool = typer.Option(False, "--json"),
    path: Path = FILE,
    env: str = ENV,
    database_url: str | None = DB_OPTION,
) -> None:
    """Run a flow now (its run job and everything it enqueues), or show what it would write."""
    if flow not in handlers.RUN_KINDS:
        fail(f"unknown flow {flow!r}; one of {', '.join(handlers.RUN_KINDS)}", code=2)
    try:
        config, mapper = load_all(path, env)
    except errors.Lead2CashError as exc:
        fail(str(exc), code=2)
    store = open_store(database_url)
    hub = None
    try:
        hub = hub_from_config(config, mapper, store)
        if dry_run:
            planned = dryrun.plan(hub, flow)
            if as_json:
                print_json([p.__dict__ for p in planned])
                return
            table = Table(title=f"{flow}: {len(planned)} writes (dry run, nothing written)")
            for column in ("system", "target", "reference", "values", "note"):
                table.add_column(column)
            for p in planned:
                table.add_row(p.system, p.target, p.reference, json.dumps(p.values), p.note)
            console.print(table)
            return
        registry = HandlerRegistry()
        handlers.register(registry)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        store.jobs.enqueue(
            [NewJob(handlers.RUN_KINDS[flow], f"sync:{flow}:{stamp}", {})], actor="cli"
        )
        s = settings(database_url)
        policy = RetryPolicy.of(s.retry)
        stats = Worker(
            store,
            registry,
            settings=s.worker,
            policy=policy,
            services={"hub": hub, "store": store},
        ).run_until_idle()
        console.print(f"{flow}: {stats.runs} job runs {stats.by_state}")
    except errors.Lead2CashError as exc:
        fail(str(exc))
    finally:
        if hub is not None:
            hub.close()
        store.close()


def _waiting(database_url: str | None) -> list[tuple[int, str, str]]:
    store = open_store(database_url)
    try:
        found = store.jobs.find(
            JobFilter(
                states=[JobState.PARKED.value],
                extra=[jobs_table.c.parked_on.like("approval:%")],
                limit=1000,
            )
        )
        return [(j.id, str(j.parked_on), str(j.payload)) for j in found]
    finally:
        store.close()


@approvals.command("list")
def list_approvals(
    as_json: bool = typer.Option(False, "--json"), database_url: str | None = DB_OPTION
) -> None:
    """Deals waiting for a person's approval."""
    waiting = _waiting(database_url)
    if as_json:
        print_json([{"job": j, "approval": a, "payload": p} for j, a, p in waiting])
        return
    table = Table(title=f"{len(waiting)} deal(s) waiting for approval")
    for column in ("job", "approval", "deal"):
        table.add_column(column)
    for job_id, key, payload in waiting:
        table.add_row(str(job_id), key, payload)
    console.print(table)


def _decide(
    key: str, decision: str, actor: str, reason: str | None, database_url: str | None
) -> None:
    if not key.startswith("approval:"):
        key = f"approval:{key}"
    try:
        binding = BindingKey.parse(key)
    except errors.Lead2CashError as exc:
        fail(str(exc), code=2)
    store = open_store(database_url)
    try:
        with store.engine.begin() as conn:
            woke = store.bindings.bind(binding, canonical_id=decision, conn=conn)
            store.audit.append(
                conn,
                AuditEntry(
                    actor=actor,
                    action=f"deal_to_project.{decision}",
                    system=binding.object_type,
                    object_type="deal",
                    object_id=binding.external_id,
                    after={"reason": reason} if reason else None,
                ),
            )
        console.print(f"{key}: {decision} by {actor}; {woke} job(s) resumed")
    finally:
        store.close()


@approvals.command("approve")
def approve(
    deal: str = typer.Argument(..., help="approval:<crm>:<deal id>, or <crm>:<deal id>"),
    actor: str = typer.Option(..., "--by", help="Who approves (audited)."),
    database_url: str | None = DB_OPTION,
) -> None:
    """Let a deal through the gate: its job resumes and creates the order and project."""
    _decide(deal, "approved", actor, None, database_url)


@approvals.command("reject")
def reject(
    deal: str = typer.Argument(...),
    actor: str = typer.Option(..., "--by"),
    reason: str = typer.Option(..., "--reason", help="Why (audited)."),
    database_url: str | None = DB_OPTION,
) -> None:
    """Stop a deal at the gate: its job ends without writing to Odoo."""
    if not reason.strip():
        fail("a rejection needs a reason", code=2)
    _decide(deal, "rejected", actor, reason, database_url)
