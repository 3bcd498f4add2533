"""Handlers, registered explicitly by job kind (dotted: ``hubspot.deal.import``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from lead2cash import errors
from lead2cash.engine.retry import RetryPolicy
from lead2cash.store.jobs import Job


class JobRetry(Exception):
    """Signal from a handler: run me again after ``delay`` seconds, without counting a failure
    (e.g. a batch that made progress and wants to continue)."""

    def __init__(self, delay: float = 0.0, *, payload: dict[str, Any] | None = None) -> None:
        super().__init__(f"retry in {delay}s")
        self.delay = delay
        self.payload = payload


@dataclass
class JobContext:
    """What a handler gets besides the payload."""

    job: Job
    worker_id: str
    log: logging.LoggerAdapter[logging.Logger]
    services: dict[str, Any] = field(default_factory=dict)

    @property
    def correlation_id(self) -> str:
        return self.job.correlation_id

    @property
    def payload(self) -> dict[str, Any]:
        return self.job.payload


class Handler(Protocol):
    def __call__(self, ctx: JobContext) -> None: ...


@dataclass(frozen=True)
class Registration:
    kind: str
    handler: Handler
    retry: RetryPolicy | None = None


class HandlerRegistry:
    """Job kind → handler. Registering a kind twice is a configuration error."""

    def __init__(self) -> None:
        self._by_kind: dict[str, Registration] = {}

    def register(self, kind: str, handler: Handler, *, retry: RetryPolicy | None = None) -> None:
        if kind in self._by_kind:
            raise errors.ConfigError(f"a handler is already registered for job kind {kind!r}")
        self._by_kind[kind] = Registration(kind, handler, retry)

    def get(self, kind: str) -> Registration | None:
        return self._by_kind.get(kind)

    def kinds(self) -> list[str]:
        return sorted(self._by_kind)
