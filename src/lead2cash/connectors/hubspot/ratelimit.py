"""Keeping under HubSpot's limits on the client side (reference §1.7).

* :class:`RollingWindow`: at most ``requests`` sends in any ``window`` seconds. HubSpot's burst
  limit is a *rolling* window (``TEN_SECONDLY_ROLLING``), so the limiter remembers the send
  times of the last ``requests`` calls rather than refilling a bucket; the search limit
  (``SECONDLY``) is the same shape with a one-second window. Callers that find the window full
  reserve the earliest free slot and sleep outside the lock, so threads are served in order.
* :class:`DailyQuota`: once HubSpot reports the daily quota spent (a 429 with
  ``policyName: DAILY``, or ``X-HubSpot-RateLimit-Daily-Remaining: 0``), every request fails
  fast with :class:`~lead2cash.errors.RateLimitedError` until midnight in the portal's time zone.

Both are shared per token within a process (:meth:`RollingWindow.shared`,
:meth:`DailyQuota.shared`), keyed by a digest of the token, because the limits belong to the
app or portal, not to one client object.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from lead2cash import errors


def token_key(token: str) -> str:
    """A registry key for a token that does not reveal it."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def next_midnight(now: datetime, tz: ZoneInfo) -> datetime:
    """The next midnight in ``tz`` after ``now`` (aware)."""
    local = now.astimezone(tz)
    midnight = datetime(local.year, local.month, local.day, tzinfo=tz) + timedelta(days=1)
    return midnight.astimezone(now.tzinfo)


class RollingWindow:
    """Thread-safe sliding-log limiter with blocking :meth:`acquire`."""

    _registry: ClassVar[dict[tuple[str, str, int, float], RollingWindow]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        requests: int,
        window: float,
        *,
        margin: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests < 1 or window <= 0:
            raise ValueError("a rolling window needs requests >= 1 and window > 0")
        self.requests = requests
        #: The window plus a safety margin (the server counts arrivals, we count sends).
        self.window = window + margin
        self._clock = clock
        self._sleep = sleep
        self._sends: deque[float] = deque()
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, kind: str, key: str, requests: int, window: float) -> RollingWindow:
        """The process-wide limiter of ``kind`` (``burst``, ``search``) for ``key``."""
        with cls._registry_lock:
            found = cls._registry.get((kind, key, requests, window))
            if found is None:
                found = cls(requests, window)
                cls._registry[(kind, key, requests, window)] = found
            return found

    def reserve(self) -> float:
        """Take the earliest free slot; returns how long to wait before sending."""
        with self._lock:
            now = self._clock()
            while self._sends and self._sends[0] <= now - self.window:
                self._sends.popleft()
            slot = now
            if len(self._sends) >= self.requests:
                slot = max(now, self._sends[-self.requests] + self.window)
            if self._sends:
                slot = max(slot, self._sends[-1])
            self._sends.append(slot)
            return slot - now

    def acquire(self) -> float:
        """Block until a send is allowed; returns the seconds waited."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait


class DailyQuota:
    """Remembers that the portal's daily quota is spent, until its midnight."""

    _registry: ClassVar[dict[str, DailyQuota]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self._until: datetime | None = None
        self._lock = threading.Lock()

    @classmethod
    def shared(cls, key: str) -> DailyQuota:
        with cls._registry_lock:
            return cls._registry.setdefault(key, cls())

    def spent(self, now: datetime, tz: ZoneInfo) -> datetime:
        """Record that the quota is spent; returns when it resets."""
        until = next_midnight(now, tz)
        with self._lock:
            self._until = until
        return until

    def seconds_left(self, now: datetime) -> float | None:
        """Seconds until the quota resets, or ``None`` when it is not known to be spent."""
        with self._lock:
            if self._until is None:
                return None
            if now >= self._until:
                self._until = None
                return None
            return (self._until - now).total_seconds()

    def check(self, now: datetime, *, system: str, operation: str) -> None:
        """Raise :class:`~lead2cash.errors.RateLimitedError` while the quota is spent."""
        left = self.seconds_left(now)
        if left is not None:
            raise errors.RateLimitedError(
                f"{system} daily API quota is spent; it resets at midnight (portal time)",
                retry_after=left,
                system=system,
                operation=operation,
                policy="DAILY",
            )
