"""``l2c worker``: run jobs until stopped (SIGTERM finishes the job in hand)."""

from __future__ import annotations

import typer

from lead2cash import errors
from lead2cash.cli.common import DB_OPTION, LOG_JSON, console, fail, open_store, settings
from lead2cash.engine.loading import build_registry
from lead2cash.engine.retry import RetryPolicy
from lead2cash.engine.worker import Worker
from lead2cash.observability import logs


def worker(
    concurrency: int = typer.Option(
        1, "--concurrency", "-c", min=1, max=256, help="Threads claiming and running jobs."
    ),
    handlers: list[str] = typer.Option([], "--handlers", help="Extra handler module (repeatable)."),
    kinds: list[str] = typer.Option([], "--kind", help="Only run these job kinds."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, max=1000),
    burst: bool = typer.Option(False, "--burst", help="Exit when no job is due."),
    log_json: bool = LOG_JSON,
    database_url: str | None = DB_OPTION,
) -> None:
    """Claim and run jobs until stopped."""
    logs.configure(json_lines=log_json)
    s = settings(database_url)
    try:
        registry = build_registry([*s.handlers, *handlers])
    except errors.ConfigError as exc:
        fail(str(exc), code=2)
    if not registry.kinds():
        fail("no handlers registered (set L2C_HANDLERS or pass --handlers)", code=2)
    store = open_store(database_url)
    worker_settings = s.worker.model_copy(
        update={"concurrency": concurrency, **({"batch_size": batch_size} if batch_size else {})}
    )
    policy = RetryPolicy(
        s.retry.max_attempts, s.retry.base_seconds, s.retry.factor, s.retry.cap_seconds
    )
    runner = Worker(
        store,
        registry,
        settings=worker_settings,
        policy=policy,
        services={"store": store, "settings": s},
        kinds=list(kinds) or None,
    )
    stats = runner.run(burst=burst, install_signals=True)
    store.close()
    console.print(f"worker {runner.worker_id}: {stats.runs} runs {stats.by_state}")
