"""HubSpot's answers turned into the hub's errors, and the send loop that honours its limits.

Status → error class stays in :func:`lead2cash.connectors.http.error_for_status` (401/403 →
AuthError, 404 → NotFoundError, other 4xx → RejectedError, 5xx/423 → UnavailableError, 429 →
RateLimitedError). :func:`classify` adds what only HubSpot's body tells (reference §1.7):

* the message, ``category`` and ``correlationId`` of the error body (the id goes into
  ``request_id``, so an operator can quote it to HubSpot support);
* on 429, how long to wait: ``Retry-After`` when HubSpot sends it; otherwise by ``policyName``:
  ``TEN_SECONDLY_ROLLING`` → the burst window (10 s), ``SECONDLY`` (search) → 1 s, ``DAILY`` →
  until midnight in the portal's time zone (the daily count resets then), which is far longer
  than any in-place wait, so the error goes straight to the job engine.

:class:`HubSpotSender` is :class:`~lead2cash.connectors.http.RetryingSender` with that
classification; the client passes it a hook run before every attempt (retries included), where
it takes a slot from its rate limiters and checks the daily quota.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors
from lead2cash.connectors.http import RetryingSender, error_for_status, parse_retry_after
from lead2cash.connectors.hubspot import wire
from lead2cash.connectors.hubspot.ratelimit import next_midnight

SYSTEM = "hubspot"


def _utcnow() -> datetime:
    return datetime.now(UTC)


def error_body(response: httpx.Response) -> wire.ErrorBody | None:
    """HubSpot's error body, when the answer has one."""
    try:
        data = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        return wire.ErrorBody.model_validate(data)
    except PydanticValidationError:
        return None


@dataclass(frozen=True)
class Classifier:
    """Builds the hub error for a failed HubSpot answer (see the module docstring)."""

    timezone: ZoneInfo
    burst_window: float = 10.0
    now: Callable[[], datetime] = _utcnow

    def retry_after(self, response: httpx.Response, body: wire.ErrorBody | None) -> float | None:
        policy = (body.policy_name if body else None) or ""
        if policy.upper() == "DAILY":
            return (next_midnight(self.now(), self.timezone) - self.now()).total_seconds()
        told = parse_retry_after(response.headers.get("retry-after"))
        if told is not None:
            return told
        if policy.upper() == "TEN_SECONDLY_ROLLING":
            return self.burst_window
        if policy.upper() == "SECONDLY":
            return 1.0
        return None

    def __call__(self, response: httpx.Response, operation: str) -> errors.ConnectorError | None:
        if response.status_code < 400:
            return None
        body = error_body(response)
        text = None
        if body is not None and body.message:
            kind = body.category or body.policy_name or body.error_type or "error"
            text = (
                f"{SYSTEM} {operation} answered HTTP {response.status_code} {kind}: "
                f"{body.message[:500]}"
            )
        base = error_for_status(response, system=SYSTEM, operation=operation, message=text)
        if base is None:  # pragma: no cover - status >= 400 always maps
            return None
        details = dict(base.details)
        if body is not None:
            details["request_id"] = body.correlation_id or details.get("request_id")
            details["remote_type"] = body.category or body.policy_name
        if isinstance(base, errors.RateLimitedError):
            details["retry_after"] = self.retry_after(response, body)
            details["policy"] = body.policy_name if body else None
        return type(base)(base.message, **details)


@dataclass
class HubSpotSender(RetryingSender):
    """RetryingSender with HubSpot's classification."""

    classifier: Callable[[httpx.Response, str], errors.ConnectorError | None] = field(
        default_factory=lambda: Classifier(ZoneInfo("UTC"))
    )

    def classify(self, response: httpx.Response, operation: str) -> errors.ConnectorError | None:
        return self.classifier(response, operation)
