"""HubSpot's rate limits as the emulator enforces them (reference §1.7).

* Burst: at most ``requests`` calls in any rolling ``window_seconds`` (private apps: 100 per
  10 s on Free/Starter, 190 on Professional/Enterprise). Over it: 429 with ``policyName:
  TEN_SECONDLY_ROLLING``. Every non-search answer carries ``X-HubSpot-RateLimit-Max``,
  ``-Remaining``, ``-Interval-Milliseconds``, ``-Daily`` and ``-Daily-Remaining``.
* Search: exempt from the burst window; ``search_per_second`` calls per rolling second
  (``policyName: SECONDLY``). Search answers carry no rate-limit headers.
* Daily: ``daily`` calls per day of the emulator clock in the portal's time zone (``DAILY``).
* Storms (control API): every call answers 429 for a while.

Refused calls do not count. ``Retry-After`` is sent only when configured
(``retry_after_header``; HubSpot does not document sending it) or given for a storm.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lead2cash.emulators.hubspot.errors import correlation_id

MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


def rate_limit_body(policy: str) -> dict[str, Any]:
    """HubSpot's 429 body."""
    return {
        "status": "error",
        "message": MESSAGES.get(policy, "You have reached your rate limit."),
        "errorType": "RATE_LIMIT",
        "correlationId": correlation_id(),
        "policyName": policy,
        "requestId": correlation_id().replace("-", ""),
    }


@dataclass
class LimitConfig:
    requests: int = 100
    window_seconds: float = 10.0
    search_per_second: int = 5
    daily: int = 250_000
    retry_after_header: bool = False
    enforce: bool = True

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Refusal:
    policy: str
    retry_after: float | None
    headers: dict[str, str] = field(default_factory=dict)


class Limits:
    """Thread-safe counters for one private app on one portal."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self.config = LimitConfig()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.config = LimitConfig()
            self._burst: deque[float] = deque()
            self._search: deque[float] = deque()
            self._day: str = ""
            self._day_count = 0
            self._storm_until: float | None = None
            self._storm_retry_after: float | None = None
            self._storm_policy = "TEN_SECONDLY_ROLLING"

    def configure(self, changes: dict[str, Any]) -> LimitConfig:
        with self._lock:
            for name, value in changes.items():
                if name not in self.config.__dict__:
                    raise ValueError(f"unknown rate_limit setting {name!r}")
                current = getattr(self.config, name)
                setattr(self.config, name, type(current)(value))
            return self.config

    def storm(
        self, seconds: float, retry_after: float | None, policy: str = "TEN_SECONDLY_ROLLING"
    ) -> None:
        with self._lock:
            self._storm_until = self._monotonic() + seconds
            self._storm_retry_after = retry_after
            self._storm_policy = policy

    def clear_storm(self) -> None:
        with self._lock:
            self._storm_until = None

    def _prune(self, log: deque[float], now: float, window: float) -> None:
        while log and log[0] <= now - window:
            log.popleft()

    def admit(self, *, search: bool, today: datetime, zone: ZoneInfo) -> Refusal | dict[str, str]:
        """Count the call, or refuse it: the headers to answer with, or the refusal."""
        cfg = self.config
        with self._lock:
            now = self._monotonic()
            if self._storm_until is not None:
                if now < self._storm_until:
                    wait = self._storm_retry_after
                    if wait is None:
                        wait = math.ceil(self._storm_until - now)
                    return Refusal(self._storm_policy, wait, self._headers(now, search))
                self._storm_until = None
            day = today.astimezone(zone).date().isoformat()
            if day != self._day:
                self._day, self._day_count = day, 0
            if not cfg.enforce:
                self._day_count += 1
                return self._headers(now, search)
            if self._day_count >= cfg.daily:
                return Refusal("DAILY", None, self._headers(now, search))
            if search:
                self._prune(self._search, now, 1.0)
                if len(self._search) >= cfg.search_per_second:
                    wait = self._search[0] + 1.0 - now
                    return Refusal("SECONDLY", self._retry_after(wait), {})
                self._search.append(now)
            else:
                self._prune(self._burst, now, cfg.window_seconds)
                if len(self._burst) >= cfg.requests:
                    wait = self._burst[0] + cfg.window_seconds - now
                    return Refusal(
                        "TEN_SECONDLY_ROLLING", self._retry_after(wait), self._headers(now, search)
                    )
                self._burst.append(now)
            self._day_count += 1
            return self._headers(now, search)

    def _retry_after(self, wait: float) -> float | None:
        return float(max(1, math.ceil(wait))) if self.config.retry_after_header else None

    def _headers(self, now: float, search: bool) -> dict[str, str]:
        if search:
            return {}
        cfg = self.config
        self._prune(self._burst, now, cfg.window_seconds)
        return {
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(cfg.window_seconds * 1000)),
            "X-HubSpot-RateLimit-Max": str(cfg.requests),
            "X-HubSpot-RateLimit-Remaining": str(max(0, cfg.requests - len(self._burst))),
            "X-HubSpot-RateLimit-Daily": str(cfg.daily),
            "X-HubSpot-RateLimit-Daily-Remaining": str(max(0, cfg.daily - self._day_count)),
        }

    def usage(self) -> tuple[int, int]:
        with self._lock:
            return self._day_count, self.config.daily
