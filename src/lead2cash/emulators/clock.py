"""The emulators' business clock: record timestamps come from it, and control APIs set it.

By default it follows real UTC time. ``set(at)`` freezes it at ``at`` (so several changes can
share one timestamp, as at a cursor boundary); ``advance(seconds)`` moves it forward, frozen or
not; ``unfreeze()`` lets it run again from where it is. ``resolution_ms`` is the precision of
the system emulated: whole seconds for Harvest and Salesforce, milliseconds for HubSpot.
``apply(body, parse)`` does what a ``POST /_emulator/clock`` body asks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any


def _real_ms() -> int:
    return time.time_ns() // 1_000_000


def ms_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def datetime_to_ms(at: datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware time")
    return int(at.timestamp() * 1000)


class EmulatorClock:
    """A settable UTC clock, truncated to ``resolution_ms``."""

    def __init__(self, real: Callable[[], int] = _real_ms, *, resolution_ms: int = 1000) -> None:
        self._real = real
        self._resolution = resolution_ms
        self._frozen: int | None = None
        self._offset = 0
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        with self._lock:
            value = self._frozen if self._frozen is not None else self._real() + self._offset
        return value - value % self._resolution

    def now(self) -> datetime:
        return ms_to_datetime(self.now_ms())

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    def set(self, at: datetime, *, frozen: bool = True) -> datetime:
        target = datetime_to_ms(at)
        with self._lock:
            if frozen:
                self._frozen = target
            else:
                self._frozen = None
                self._offset = target - self._real()
        return self.now()

    def advance(self, seconds: float) -> datetime:
        step = round(seconds * 1000)
        with self._lock:
            if self._frozen is not None:
                self._frozen += step
            else:
                self._offset += step
        return self.now()

    def unfreeze(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - self._real()
                self._frozen = None
        return self.now()

    def apply(self, body: Any, parse: Callable[[str], datetime | None]) -> None:
        """A control-API body: ``set`` (a time read with ``parse``; ``frozen``, true unless
        given, as in :meth:`set`), then ``advance_seconds``, then ``unfreeze``."""
        if not isinstance(body, dict):
            raise ValueError("the clock body is a JSON object: {set, frozen, advance_seconds}")
        if "set" in body:
            at = parse(str(body["set"]))
            if at is None:
                raise ValueError(f"set: {body['set']!r} is not a time")
            self.set(at, frozen=bool(body.get("frozen", True)))
        if "advance_seconds" in body:
            self.advance(float(body["advance_seconds"]))
        if body.get("unfreeze"):
            self.unfreeze()

    def reset(self) -> None:
        with self._lock:
            self._frozen = None
            self._offset = 0
