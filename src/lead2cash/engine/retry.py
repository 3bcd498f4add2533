"""Retry policy (configuration) kept apart from the retry decision (one failure's verdict)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lead2cash.settings import RetrySettings


@dataclass(frozen=True)
class RetryDecision:
    """Whether to try again, and after how many seconds."""

    retry: bool
    delay: float = 0.0


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, a cap and a maximum number of attempts.

    The delay before attempt ``n + 1`` is uniform in ``[0, min(cap, base * factor ** (n - 1))]``
    (AWS "full jitter"), and never shorter than a ``Retry-After`` the remote system gave.
    """

    max_attempts: int = 8
    base: float = 2.0
    factor: float = 2.0
    cap: float = 3600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    @classmethod
    def of(cls, settings: RetrySettings) -> RetryPolicy:
        """The policy the ``retry`` settings (``L2C_RETRY__*``) describe."""
        return cls(
            settings.max_attempts, settings.base_seconds, settings.factor, settings.cap_seconds
        )

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.cap, self.base * self.factor ** max(0, attempt - 1))
        return self.rng.uniform(0, ceiling)

    def decide(self, attempt: int, *, retry_after: float | None = None) -> RetryDecision:
        """The decision after failed attempt number ``attempt`` (1-based)."""
        if attempt >= self.max_attempts:
            return RetryDecision(retry=False)
        delay = self.backoff(attempt)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return RetryDecision(retry=True, delay=delay)
