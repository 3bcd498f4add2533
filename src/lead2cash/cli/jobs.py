"""``l2c jobs``: list, show, replay and ignore jobs."""

from __future__ import annotations

import getpass
import json
import re
from datetime import timedelta
from pathlib import Path

import typer
from rich.table import Table

from lead2cash import errors
from lead2cash.cli.common import DB_OPTION, console, fail, open_store, print_json
from lead2cash.store.jobs import JobFilter, JobState

app = typer.Typer(help="Inspect and operate the job queue.", no_args_is_help=True)

_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

STATE = typer.Option(
    [],
    "--state",
    help="pending, running, retry_wait, parked, exception, dead, ignored, done (repeatable).",
)
KIND = typer.Option([], "--kind", help="Job kind (repeatable).")
ERROR_CLASS = typer.Option([], "--error-class", help="Failure class (repeatable).")
OLDER = typer.Option(None, "--older-than", help="Last changed before this age: 30m, 2h, 7d.")
NEWER = typer.Option(None, "--newer-than", help="Last changed within this age: 30m, 2h, 7d.")
JSON = typer.Option(False, "--json", help="Print JSON.")
ACTOR = typer.Option(None, "--actor", help="Who does this (default: the OS user).")


def parse_age(text: str | None) -> timedelta | None:
    if text is None:
        return None
    match = _AGE.match(text.strip())
    if not match:
        raise typer.BadParameter(f"{text!r} is not an age like 30m, 2h or 7d")
    return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2)])


def _filter(
    ids: list[int],
    states: list[str],
    kinds: list[str],
    error_classes: list[str],
    older: str | None,
    newer: str | None,
    limit: int | None,
) -> JobFilter:
    for state in states:
        if state not in {s.value for s in JobState}:
            raise typer.BadParameter(f"unknown state {state!r}")
    return JobFilter(
        states=states,
        kinds=kinds,
        error_classes=error_classes,
        ids=ids,
        older_than=parse_age(older),
        newer_than=parse_age(newer),
        limit=limit,
    )


@app.command("list")
def list_jobs(
    states: list[str] = STATE,
    kinds: list[str] = KIND,
    error_classes: list[str] = ERROR_CLASS,
    older_than: str | None = OLDER,
    newer_than: str | None = NEWER,
    limit: int = typer.Option(50, "--limit", min=1, max=10000),
    as_json: bool = JSON,
    database_url: str | None = DB_OPTION,
) -> None:
    """List jobs, newest first."""
    store = open_store(database_url)
    found = store.jobs.find(
        _filter([], states, kinds, error_classes, older_than, newer_than, limit)
    )
    counts = {} if as_json else store.jobs.counts()
    store.close()
    if as_json:
        print_json([j.as_json() for j in found])
        return
    table = Table("id", "kind", "state", "att.", "updated", "error", title="jobs")
    for j in found:
        error = f"{j.error_class}: {j.error_message}" if j.error_class else ""
        table.add_row(
            str(j.id),
            j.kind,
            j.state.value,
            str(j.attempts),
            j.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
            error[:80],
        )
    console.print(table)
    console.print(" ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "queue empty")


@app.command("show")
def show(job_id: int, as_json: bool = JSON, database_url: str | None = DB_OPTION) -> None:
    """One job with its whole history."""
    store = open_store(database_url)
    job = store.jobs.get(job_id)
    history = store.jobs.history(job_id) if job else []
    store.close()
    if job is None:
        fail(f"no job {job_id}")
    if as_json:
        print_json({"job": job.as_json(), "history": history})
        return
    for key, value in job.as_json().items():
        console.print(f"[bold]{key}[/bold]: {value}", highlight=False)
    table = Table("at", "from", "to", "att.", "actor", "message", title="history")
    for h in history:
        table.add_row(
            h["at"].strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            h["from_state"] or "",
            h["to_state"],
            str(h["attempt"]),
            h["actor"],
            (h["message"] or "")[:80],
        )
    console.print(table)


@app.command("replay")
def replay(
    ids: list[int] = typer.Argument(None, help="Job ids (or use filters)."),
    states: list[str] = STATE,
    kinds: list[str] = KIND,
    error_classes: list[str] = ERROR_CLASS,
    older_than: str | None = OLDER,
    newer_than: str | None = NEWER,
    payload_file: Path | None = typer.Option(
        None, "--payload-file", help="Edited payload (JSON) for one job."
    ),
    reason: str | None = typer.Option(None, "--reason"),
    actor: str | None = ACTOR,
    database_url: str | None = DB_OPTION,
) -> None:
    """Put exception or dead jobs back in the queue (history kept)."""
    ids = ids or []
    if not (ids or states or kinds or error_classes or older_than or newer_than):
        fail("name job ids or at least one filter", code=2)
    payload = None
    if payload_file is not None:
        try:
            payload = json.loads(payload_file.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            fail(f"cannot read payload file: {exc}", code=2)
        if not isinstance(payload, dict):
            fail("the payload must be a JSON object", code=2)
    store = open_store(database_url)
    try:
        done = store.jobs.replay(
            _filter(ids, states, kinds, error_classes, older_than, newer_than, None),
            actor=actor or getpass.getuser(),
            reason=reason,
            payload=payload,
        )
    except errors.ValidationError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    console.print(f"replayed {len(done)} job(s): {' '.join(map(str, done))}")


@app.command("ignore")
def ignore(
    ids: list[int] = typer.Argument(None, help="Job ids (or use filters)."),
    states: list[str] = STATE,
    kinds: list[str] = KIND,
    error_classes: list[str] = ERROR_CLASS,
    older_than: str | None = OLDER,
    reason: str = typer.Option(..., "--reason", help="Why (kept in the audit log)."),
    actor: str | None = ACTOR,
    database_url: str | None = DB_OPTION,
) -> None:
    """Close exception or dead jobs for good, with a reason."""
    ids = ids or []
    if not (ids or states or kinds or error_classes or older_than):
        fail("name job ids or at least one filter", code=2)
    store = open_store(database_url)
    try:
        done = store.jobs.ignore(
            _filter(ids, states, kinds, error_classes, older_than, None, None),
            actor=actor or getpass.getuser(),
            reason=reason,
        )
    except errors.ValidationError as exc:
        fail(str(exc), code=2)
    finally:
        store.close()
    console.print(f"ignored {len(done)} job(s): {' '.join(map(str, done))}")
