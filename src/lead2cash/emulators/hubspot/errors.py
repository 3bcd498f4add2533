"""HubSpot's error answers: ``{"status":"error","message","correlationId","category",...}``.

:class:`HubSpotError` is raised anywhere in the emulator and turned into HubSpot's body by the
app. Categories used: ``VALIDATION_ERROR`` (400), ``INVALID_AUTHENTICATION`` (401),
``MISSING_SCOPES`` (403), ``OBJECT_NOT_FOUND`` (404), ``CONFLICT``/``OBJECT_ALREADY_EXISTS``
(409), ``RATE_LIMITS`` (429, with ``policyName``; see ``limits.py``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any


def correlation_id() -> str:
    return str(uuid.uuid4())


def error_body(message: str, category: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": correlation_id(),
    }
    body |= {k: v for k, v in extra.items() if v is not None}
    body["category"] = category
    return body


class HubSpotError(Exception):
    """An error answer: status, and HubSpot's body."""

    def __init__(self, status: int, message: str, category: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = error_body(message, category, **extra)


def not_found(object_id: str) -> HubSpotError:
    return HubSpotError(
        404,
        "Object not found.  objectId are usually numeric.",
        "OBJECT_NOT_FOUND",
        context={"id": [str(object_id)]},
    )


def invalid(message: str, **extra: Any) -> HubSpotError:
    return HubSpotError(400, message, "VALIDATION_ERROR", **extra)


def property_errors(problems: list[tuple[str, str, str]]) -> HubSpotError:
    """400 for invalid property values: ``(name, error code, message)`` each, embedded as
    JSON in the message the way HubSpot's v3 object endpoints do."""
    detail = [
        {
            "isValid": False,
            "message": message,
            "error": code,
            "name": name,
            "localizedErrorMessage": message,
        }
        for name, code, message in problems
    ]
    text = "Property values were not valid: " + json.dumps(detail, separators=(",", ":"))
    return invalid(text)
