"""The HTTP plumbing every REST connector shares: client factory and timeouts, status → error
mapping (in exactly this one place), Retry-After parsing, and a send loop that honours rate
limits.

Connectors receive an injected :class:`httpx.Client`; tests hand them one whose transport is an
emulator (``httpx.ASGITransport``/``MockTransport``) or a real socket to an emulator, so the
connector code under test is exactly the production code.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx

from lead2cash import errors

log = logging.getLogger(__name__)


class HttpSettings(Protocol):
    """The connection settings every REST connector's settings carry."""

    @property
    def timeout(self) -> float: ...

    @property
    def connect_timeout(self) -> float: ...

    @property
    def verify_tls(self) -> bool: ...


def timeout_of(settings: HttpSettings) -> httpx.Timeout:
    """The read timeout of ``settings``, with its own (shorter) limit for connecting."""
    return httpx.Timeout(settings.timeout, connect=settings.connect_timeout)


def build_http_client(
    settings: HttpSettings, *, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """A pooled client (keep-alive) for one system, not following redirects; the connector's
    client adds the auth headers to every request itself, so the token goes nowhere else."""
    return httpx.Client(
        timeout=timeout_of(settings),
        transport=transport,
        verify=settings.verify_tls,
        follow_redirects=False,
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def error_for_status(
    response: httpx.Response, *, system: str, operation: str, message: str | None = None
) -> errors.ConnectorError | None:
    """The hub error for a failed response, or ``None`` when it succeeded."""
    status = response.status_code
    if status < 400:
        return None
    request_id = response.headers.get("x-request-id") or response.headers.get(
        "x-hubspot-correlation-id"
    )
    text = message or f"{system} {operation} answered HTTP {status}: {_excerpt(response)}"
    common = {"system": system, "operation": operation, "status": status, "request_id": request_id}
    if status == 429:
        return errors.RateLimitedError(
            text, retry_after=parse_retry_after(response.headers.get("retry-after")), **common
        )
    if status in (401, 403):
        return errors.AuthError(text, **common)
    if status in (404, 410):
        return errors.NotFoundError(text, **common)
    if status == 409:
        return errors.RemoteConflictError(text, **common)
    if status in (408, 423, 425) or status >= 500:
        return errors.UnavailableError(text, **common)
    return errors.RejectedError(text, **common)


def raise_for_status(response: httpx.Response, *, system: str, operation: str) -> None:
    """Raise the hub error for a failed response."""
    exc = error_for_status(response, system=system, operation=operation)
    if exc is not None:
        raise exc


def decode_json(
    response: httpx.Response,
    *,
    system: str,
    operation: str,
    loads: Callable[[bytes], Any] = json.loads,
) -> Any:
    """The answer's JSON; a body that is not JSON (a proxy's HTML page, a cut answer) is an
    UnavailableError: the system is not answering as itself, so try again later."""
    try:
        return loads(response.content)
    except ValueError as exc:
        raise errors.UnavailableError(
            f"{system} {operation} answered with a body that is not JSON",
            system=system,
            operation=operation,
            status=response.status_code,
        ) from exc


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    try:
        text = response.text
    except (httpx.ResponseNotRead, UnicodeDecodeError):
        return "<unreadable body>"
    return text[:limit]


@dataclass
class RetryingSender:
    """Sends a request, waiting out 429s (as long as Retry-After says, never less) and retrying
    5xx and network errors with exponential backoff and full jitter.

    Gives up after ``max_attempts`` and raises the classified error, so the job engine takes over.
    """

    system: str
    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 60.0
    max_rate_limit_wait: float = 900.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    #: Called before every attempt, retries included (a client-side rate limiter waits here).
    before: Callable[[str], None] | None = None
    #: Sees every answer, errors included (usage headers are read here).
    after: Callable[[httpx.Response], None] | None = None

    def send(
        self, client: httpx.Client, request: httpx.Request, *, operation: str
    ) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            if self.before is not None:
                self.before(operation)
            try:
                response = client.send(request)
            except httpx.TimeoutException as exc:
                error: errors.ConnectorError = errors.UnavailableError(
                    f"{self.system} {operation} timed out", system=self.system, operation=operation
                )
                cause: BaseException = exc
            except httpx.TransportError as exc:
                error = errors.UnavailableError(
                    f"{self.system} {operation} failed: {type(exc).__name__}: {exc}",
                    system=self.system,
                    operation=operation,
                )
                cause = exc
            else:
                if self.after is not None:
                    self.after(response)
                found = self.classify(response, operation)
                if found is None:
                    return response
                response.close()
                error, cause = found, found
            if not self.retryable(error) or attempt >= self.max_attempts:
                if cause is error:
                    raise error
                raise error from cause
            assert isinstance(error, errors.TransientError)
            self.sleep(self._delay(error, attempt))

    # What a system's sender overrides.

    def classify(self, response: httpx.Response, operation: str) -> errors.ConnectorError | None:
        """The hub error for an answer, or None when it succeeded."""
        return error_for_status(response, system=self.system, operation=operation)

    def retryable(self, error: errors.ConnectorError) -> bool:
        """Whether to try again here rather than raise to the job engine."""
        return isinstance(error, errors.TransientError)

    def _delay(self, error: errors.TransientError, attempt: int) -> float:
        if isinstance(error, errors.RateLimitedError) and error.retry_after is not None:
            wait = error.retry_after
            if wait > self.max_rate_limit_wait:
                raise error
            log.info(
                "rate limited; waiting %.2fs as told",
                wait,
                extra={"action": "rate_limited", "system": self.system},
            )
            return wait
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(0, cap)
