"""API tokens with roles: viewer < operator < admin.

A token is shown once, when created; the store keeps only its SHA-256 digest, so the database
never holds a usable secret. Tokens are compared by digest lookup (a unique index), and a revoked
token stops working at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from lead2cash import errors
from lead2cash.store.tables import api_tokens

TOKEN_PREFIX = "l2c_"  # noqa: S105 - a public prefix, not a secret


class Role(IntEnum):
    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        try:
            return cls[name.upper()]
        except KeyError:
            raise errors.ValidationError(
                f"unknown role {name!r}", field="role", rule="viewer, operator or admin"
            ) from None


@dataclass(frozen=True)
class Principal:
    name: str
    role: Role


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    def __init__(
        self, engine: Engine, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.engine = engine
        self.clock = clock

    def create(self, name: str, role: Role) -> str:
        """A new token for ``name``; the only time its value is available."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(api_tokens).values(
                        name=name,
                        role=role.name.lower(),
                        digest=digest(token),
                        created_at=self.clock(),
                    )
                )
        except IntegrityError:
            raise errors.ValidationError(
                f"a token named {name!r} exists", field="name", rule="unique"
            ) from None
        return token

    def authenticate(self, token: str) -> Principal | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(api_tokens.c.name, api_tokens.c.role).where(
                    api_tokens.c.digest == digest(token), api_tokens.c.revoked_at.is_(None)
                )
            ).first()
        return None if row is None else Principal(row.name, Role.parse(row.role))

    def revoke(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(api_tokens)
                    .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
                    .values(revoked_at=self.clock())
                ).rowcount
            )

    def list(self) -> list[dict[str, object]]:
        with self.engine.connect() as conn:
            return [
                dict(r._mapping)
                for r in conn.execute(
                    select(
                        api_tokens.c.name,
                        api_tokens.c.role,
                        api_tokens.c.created_at,
                        api_tokens.c.revoked_at,
                    ).order_by(api_tokens.c.name)
                )
            ]
