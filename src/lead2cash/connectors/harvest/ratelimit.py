"""A client-side token bucket, so the hub rarely meets Harvest's 429 in the first place.

Harvest limits the general API to 100 requests per 15 seconds per account. A bucket of
``capacity`` tokens refilled at ``rate`` tokens per second lets at most ``capacity + rate * T``
requests through in any window of ``T`` seconds; :meth:`TokenBucket.for_limit` picks the rate
so that this equals the server's limit. Callers that find the bucket empty *reserve* a token
(the level goes negative) and sleep outside the lock, so threads sharing a bucket are served in
arrival order. Buckets are shared per key (the account id) within a process with
:meth:`TokenBucket.shared`, because the limit belongs to the account, not to one client object.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar


class TokenBucket:
    """Thread-safe token bucket with blocking :meth:`acquire`."""

    _registry: ClassVar[dict[tuple[str, float, float], TokenBucket]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        rate: float,
        capacity: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("a token bucket needs rate > 0 and capacity >= 1")
        self.rate = rate
        self.capacity = capacity
        self._clock = clock
        self._sleep = sleep
        self._level = float(capacity)
        self._stamp = clock()
        self._lock = threading.Lock()

    @classmethod
    def for_limit(
        cls,
        requests: int,
        period: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> TokenBucket:
        """A bucket that never lets more than ``requests`` through in any ``period`` seconds."""
        if not 1 <= burst < requests:
            raise ValueError("burst must be at least 1 and smaller than requests")
        return cls((requests - burst) / period, burst, clock=clock, sleep=sleep)

    @classmethod
    def shared(cls, key: str, requests: int, period: float, burst: int) -> TokenBucket:
        """The process-wide bucket for ``key`` (an account id) and this limit."""
        rate = (requests - burst) / period
        with cls._registry_lock:
            found = cls._registry.get((key, rate, float(burst)))
            if found is None:
                found = cls.for_limit(requests, period, burst)
                cls._registry[(key, rate, float(burst))] = found
            return found

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._level = min(float(self.capacity), self._level + elapsed * self.rate)

    def reserve(self, tokens: float = 1.0) -> float:
        """Take ``tokens`` now and return how long the caller must wait before using them."""
        with self._lock:
            self._refill(self._clock())
            self._level -= tokens
            return 0.0 if self._level >= 0 else -self._level / self.rate

    def acquire(self, tokens: float = 1.0) -> float:
        """Block until ``tokens`` are available; returns the seconds waited."""
        wait = self.reserve(tokens)
        if wait > 0:
            self._sleep(wait)
        return wait

    def available(self) -> float:
        """Tokens available right now (negative while callers wait for reserved ones)."""
        with self._lock:
            self._refill(self._clock())
            return self._level
