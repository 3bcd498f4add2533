"""The emulator's business clock: record timestamps come from it, and the control API sets it.

By default it follows real UTC time. ``set(at)`` freezes it at ``at`` (so several changes can
share one timestamp, as at a cursor boundary); ``advance(seconds)`` moves it forward, frozen or
not; ``unfreeze()`` lets it run again from where it is. Harvest's timestamps have whole
seconds, and so do the emulator's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def _real_now() -> datetime:
    return datetime.now(UTC)


class EmulatorClock:
    """A settable UTC clock with whole-second resolution."""

    def __init__(self, real: Callable[[], datetime] = _real_now) -> None:
        self._real = real
        self._frozen: datetime | None = None
        self._offset = timedelta(0)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            value = self._frozen if self._frozen is not None else self._real() + self._offset
        return value.astimezone(UTC).replace(microsecond=0)

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def set(self, at: datetime, *, frozen: bool = True) -> datetime:
        if at.tzinfo is None:
            raise ValueError("the clock needs a timezone-aware time")
        with self._lock:
            if frozen:
                self._frozen = at.astimezone(UTC)
            else:
                self._frozen = None
                self._offset = at.astimezone(UTC) - self._real()
        return self.now()

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._frozen += timedelta(seconds=seconds)
            else:
                self._offset += timedelta(seconds=seconds)
        return self.now()

    def unfreeze(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - self._real()
                self._frozen = None
        return self.now()

    def reset(self) -> None:
        with self._lock:
            self._frozen = None
            self._offset = timedelta(0)
