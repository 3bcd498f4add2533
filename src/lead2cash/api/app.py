"""``create_app``: the FastAPI application over a store."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from fastapi import FastAPI

from lead2cash import __version__
from lead2cash.api.deps import ApiState
from lead2cash.api.routers import jobs, ops, webhooks
from lead2cash.connectors.base import WebhookVerifier
from lead2cash.store.facade import Store


def create_app(
    store: Store,
    *,
    verifiers: Mapping[str, WebhookVerifier] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FastAPI:
    app = FastAPI(title="lead2cash", version=__version__)
    app.state.l2c = ApiState(store=store, verifiers=dict(verifiers or {}), clock=clock)
    app.include_router(webhooks.router)
    app.include_router(ops.router)
    app.include_router(jobs.router)
    return app
