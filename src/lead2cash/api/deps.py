"""Dependencies shared by the routers, overridable in tests (``app.dependency_overrides``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lead2cash.connectors.base import WebhookVerifier
from lead2cash.security.tokens import Principal, Role, TokenStore
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


_bearer = HTTPBearer(auto_error=False)


def principal(
    request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 without a valid token."""
    if credentials is None:
        raise HTTPException(
            401, "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    state: ApiState = request.app.state.l2c
    found = TokenStore(state.store.engine).authenticate(credentials.credentials)
    if found is None:
        raise HTTPException(401, "invalid or revoked token", headers={"WWW-Authenticate": "Bearer"})
    return found


def require(role: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets through callers with at least ``role`` (403 otherwise)."""

    def check(who: Principal = Depends(principal)) -> Principal:
        if who.role < role:
            raise HTTPException(403, f"needs the {role.name.lower()} role")
        return who

    return check
