"""Dependencies shared by the routers, overridable in tests (``app.dependency_overrides``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import Request

from lead2cash.connectors.base import WebhookVerifier
from lead2cash.store.facade import Store


@dataclass
class ApiState:
    """What the app serves from: the store and the webhook verifiers by system."""

    store: Store
    verifiers: Mapping[str, WebhookVerifier] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


def api_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.l2c
    return state
