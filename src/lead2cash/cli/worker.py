"""``l2c worker``: run jobs until stopped (SIGTERM finishes the job in hand).

With ``-f lead2cash.yaml`` the worker runs the flows: it resolves the configuration's secrets
(and keeps them out of its logs), builds the hub every flow job needs, registers the flows'
handlers and, unless ``--no-schedule``, runs the scheduler (``flows.<name>.schedule``; one
leader among all workers on PostgreSQL). ``--metrics-port`` serves the worker's own
Prometheus metrics (job outcomes and durations).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer
from prometheus_client import start_http_server

from lead2cash import errors
from lead2cash.cli.common import DB_OPTION, LOG_JSON, console, fail, open_store, settings
from lead2cash.cli.config import ENV, load_all
from lead2cash.engine.loading import build_registry
from lead2cash.engine.retry import RetryPolicy
from lead2cash.engine.scheduler import Scheduler
from lead2cash.engine.worker import Worker
from lead2cash.observability import logs

FLOW_HANDLERS = "lead2cash.flows.handlers"


def worker(
    config_file: Path | None = typer.Option(
        None,
        "--file",
        "-f",
        envvar="L2C_CONFIG",
        help="The configuration file: run the flows (hub, flow handlers, scheduler).",
    ),
    env: str = ENV,
    schedule: bool = typer.Option(
        True, "--schedule/--no-schedule", help="With -f: also run the flows' schedules."
    ),
    concurrency: int | None = typer.Option(
        None,
        "--concurrency",
        "-c",
        min=1,
        max=256,
        help="Threads claiming and running jobs (default: L2C_WORKER__CONCURRENCY, else 1).",
    ),
    handlers: list[str] = typer.Option([], "--handlers", help="Extra handler module (repeatable)."),
    kinds: list[str] = typer.Option([], "--kind", help="Only run these job kinds."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, max=1000),
    burst: bool = typer.Option(False, "--burst", help="Exit when no job is due."),
    metrics_port: int | None = typer.Option(
        None, "--metrics-port", min=1, max=65535, help="Serve /metrics on this port."
    ),
    log_json: bool = LOG_JSON,
    database_url: str | None = DB_OPTION,
) -> None:
    """Claim and run jobs until stopped."""
    logs.configure(json_lines=log_json)
    s = settings(database_url)
    modules = [*s.handlers, *handlers]
    if config_file is not None and FLOW_HANDLERS not in modules:
        modules.append(FLOW_HANDLERS)
    try:
        registry = build_registry(modules)
    except errors.ConfigError as exc:
        fail(str(exc), code=2)
    if not registry.kinds():
        fail("no handlers registered (set L2C_HANDLERS, pass --handlers or -f)", code=2)
    store = open_store(database_url)
    services: dict[str, Any] = {"store": store, "settings": s}
    scheduler: Scheduler | None = None
    if config_file is not None:
        from lead2cash.flows.build import hub_from_config
        from lead2cash.flows.handlers import schedules

        try:
            config, mapper = load_all(config_file, env)
            hub = hub_from_config(config, mapper, store)
        except errors.Lead2CashError as exc:
            store.close()
            fail(str(exc), code=2)
        logs.configure(json_lines=log_json, secrets=hub.secrets)
        services["hub"] = hub
        if schedule:
            scheduler = Scheduler(store, schedules(config.flows), config_version=mapper.version)
    overrides: dict[str, Any] = {}
    if concurrency is not None:
        overrides["concurrency"] = concurrency
    if batch_size is not None:
        overrides["batch_size"] = batch_size
    policy = RetryPolicy.of(s.retry)
    runner = Worker(
        store,
        registry,
        settings=s.worker.model_copy(update=overrides),
        policy=policy,
        services=services,
        kinds=list(kinds) or None,
        retention=timedelta(days=s.dedup_retention_days),
    )
    if metrics_port is not None:
        start_http_server(metrics_port, addr="127.0.0.1")
    ticking = None
    if scheduler is not None:
        scheduler.tick_as_leader()  # what is due now is in the queue before the first claim
        ticking = threading.Thread(target=scheduler.run, name="l2c-scheduler", daemon=True)
        ticking.start()
    try:
        stats = runner.run(burst=burst, install_signals=True)
    finally:
        if scheduler is not None and ticking is not None:
            scheduler.stop_event.set()
            ticking.join(timeout=10)
        if "hub" in services:
            services["hub"].close()
        store.close()
    console.print(f"worker {runner.worker_id}: {stats.runs} runs {stats.by_state}")
