"""Capability protocols a connector may provide. Composition, not base classes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class WebhookEvent:
    """One event out of a verified webhook delivery, ready for the inbox."""

    event_key: str
    job_kind: str
    payload: dict[str, Any]
    job_key: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class WebhookVerifier(Protocol):
    """Checks a webhook delivery's signature and splits it into events."""

    system: str

    def verify(
        self, *, method: str, url: str, body: bytes, headers: Mapping[str, str], now: datetime
    ) -> None:
        """Raise ``errors.AuthError`` unless the delivery is genuinely signed and fresh."""

    def events(self, body: bytes) -> Sequence[WebhookEvent]:
        """The events in a verified delivery (raise ``errors.ValidationError`` if malformed)."""
