"""Salesforce answers → the hub's errors, and the send loop that retries the transient ones.

Salesforce says what went wrong in the body (``[{"message", "errorCode", "fields"}]``, or
``{"error", "error_description"}`` from the token endpoint), and the code matters more than the
status: ``REQUEST_LIMIT_EXCEEDED`` comes with 403 and is not an auth problem,
``UNABLE_TO_LOCK_ROW`` comes with 400 and is worth retrying. :func:`classify` starts from the
shared status mapping (``connectors/http.py``) and overrides the class by error code:

============================================  ==========================================
errorCode                                      error
============================================  ==========================================
INVALID_SESSION_ID                             AuthError (the client refreshes once first)
REQUEST_LIMIT_EXCEEDED (403)                   RateLimitedError, no Retry-After: not
                                               retried in place (the daily allocation
                                               is a rolling 24 h window); the job engine
                                               parks the job for its rate-limit pause
NOT_FOUND, ENTITY_IS_DELETED                   NotFoundError
MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE,  RejectedError
REQUIRED_FIELD_MISSING,
FIELD_CUSTOM_VALIDATION_EXCEPTION, ...
DUPLICATE_VALUE                                RemoteConflictError
UNABLE_TO_LOCK_ROW, SERVER_UNAVAILABLE         UnavailableError (retried with backoff)
OAuth invalid_grant, invalid_client, ...       AuthError
300 (several records match an external id)     RemoteConflictError
429 (gateways; Salesforce itself sends none)   RateLimitedError(Retry-After), waited out
============================================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from lead2cash import errors
from lead2cash.connectors import http
from lead2cash.connectors.salesforce import wire

SYSTEM = "salesforce"

CODE_CLASSES: dict[str, type[errors.ConnectorError]] = {
    "INVALID_SESSION_ID": errors.AuthError,
    "INVALID_AUTH_HEADER": errors.AuthError,
    "API_DISABLED_FOR_ORG": errors.AuthError,
    "API_CURRENTLY_DISABLED": errors.AuthError,
    "INSUFFICIENT_ACCESS": errors.AuthError,
    "REQUEST_LIMIT_EXCEEDED": errors.RateLimitedError,
    "NOT_FOUND": errors.NotFoundError,
    "ENTITY_IS_DELETED": errors.NotFoundError,
    "MALFORMED_QUERY": errors.RejectedError,
    "INVALID_FIELD": errors.RejectedError,
    "INVALID_TYPE": errors.RejectedError,
    "INVALID_QUERY_FILTER_OPERATOR": errors.RejectedError,
    "INVALID_QUERY_LOCATOR": errors.RejectedError,
    "REQUIRED_FIELD_MISSING": errors.RejectedError,
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": errors.RejectedError,
    "FIELD_INTEGRITY_EXCEPTION": errors.RejectedError,
    "INVALID_FIELD_FOR_INSERT_UPDATE": errors.RejectedError,
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": errors.RejectedError,
    "INVALID_CROSS_REFERENCE_KEY": errors.RejectedError,
    "JSON_PARSER_ERROR": errors.RejectedError,
    "MALFORMED_ID": errors.RejectedError,
    "STRING_TOO_LONG": errors.RejectedError,
    "INVALID_REPLICATION_DATE": errors.RejectedError,
    "EXCEEDED_ID_LIMIT": errors.RejectedError,
    "DUPLICATE_VALUE": errors.RemoteConflictError,
    "UNABLE_TO_LOCK_ROW": errors.UnavailableError,
    "SERVER_UNAVAILABLE": errors.UnavailableError,
    "invalid_grant": errors.AuthError,
    "invalid_client": errors.AuthError,
    "invalid_client_id": errors.AuthError,
    "unsupported_grant_type": errors.AuthError,
    "invalid_request": errors.AuthError,
}

DAILY_LIMIT = "REQUEST_LIMIT_EXCEEDED"


def error_items(response: httpx.Response) -> list[wire.ApiError]:
    """The error items of an answer (either body shape), or none if it has no readable body."""
    try:
        body = wire.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return []
    if isinstance(body, list):
        return [wire.ApiError.model_validate(i) for i in body if isinstance(i, dict)]
    if isinstance(body, dict) and "error" in body:
        oauth = wire.OAuthError.model_validate(body)
        return [wire.ApiError(message=oauth.error_description, errorCode=oauth.error)]
    return []


def classify(response: httpx.Response, *, operation: str) -> errors.ConnectorError | None:
    """The hub error for an answer, or ``None`` when it succeeded."""
    status = response.status_code
    if status == 300:
        return errors.RemoteConflictError(
            f"salesforce {operation}: several records match this external id",
            system=SYSTEM,
            operation=operation,
            status=300,
            remote_type="MULTIPLE_CHOICES",
        )
    base = http.error_for_status(response, system=SYSTEM, operation=operation)
    if base is None:
        return None
    items = error_items(response)
    code = items[0].errorCode if items else None
    detail = "; ".join(f"{i.errorCode}: {i.message.strip()}" for i in items)[:500]
    message = f"salesforce {operation} answered HTTP {status}" + (f": {detail}" if detail else "")
    fields = sorted({f for i in items for f in i.fields}) or None
    common: dict[str, Any] = {
        "system": SYSTEM,
        "operation": operation,
        "status": status,
        "remote_type": code,
        "fields": ",".join(fields) if fields else None,
    }
    if status == 429:
        retry_after = base.retry_after if isinstance(base, errors.RateLimitedError) else None
        return errors.RateLimitedError(message, retry_after=retry_after, **common)
    cls = CODE_CLASSES.get(code or "", type(base))
    if cls is errors.RateLimitedError:
        return errors.RateLimitedError(message, retry_after=None, **common)
    return cls(message, **common)


def is_daily_limit(error: errors.ConnectorError) -> bool:
    """Salesforce's own allocation is spent (403 REQUEST_LIMIT_EXCEEDED, no Retry-After)."""
    return (
        isinstance(error, errors.RateLimitedError)
        and remote_type(error) == DAILY_LIMIT
        and error.details.get("status") != 429
    )


def remote_type(error: errors.ConnectorError) -> str | None:
    value = error.details.get("remote_type")
    return None if value is None else str(value)


@dataclass
class SalesforceSender(http.RetryingSender):
    """:class:`~lead2cash.connectors.http.RetryingSender` with Salesforce's classification.

    The loop is the shared one (Retry-After honoured exactly, backoff with full jitter for 5xx,
    lock errors and network errors, give up after ``max_attempts``), but each answer is
    classified by :func:`classify`, every answer (errors too) is shown to ``after`` (the
    client reads ``Sforce-Limit-Info`` there), and the daily limit is never retried in place.
    """

    def classify(self, response: httpx.Response, operation: str) -> errors.ConnectorError | None:
        return classify(response, operation=operation)

    def retryable(self, error: errors.ConnectorError) -> bool:
        return isinstance(error, errors.TransientError) and not is_daily_limit(error)
