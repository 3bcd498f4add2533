"""Structured logging: stdlib ``logging`` with ``extra`` fields, as text or one JSON object a line.

Every record the hub logs carries an ``action`` (snake_case) and, where known, ``job_id``,
``kind``, ``system``, ``external_id`` and ``correlation_id``. :class:`RedactingFilter` replaces
known secret values with ``***`` in messages and fields before any handler sees them, so a
token that slipped into an exception text never reaches a log file.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr

from lead2cash.security.secrets import redact

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data |= _fields(record)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value ...``."""

    def format(self, record: logging.LogRecord) -> str:
        at = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        extra = " ".join(f"{k}={v}" for k, v in sorted(_fields(record).items()))
        text = f"{at} {record.levelname} {record.name}: {record.getMessage()}"
        text = f"{text} {extra}" if extra else text
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


class RedactingFilter(logging.Filter):
    """Replaces the values of known secrets with ``***`` in the message and the fields."""

    def __init__(self, secrets: list[SecretStr]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s.get_secret_value()]

    def _clean(self, text: str) -> str:
        return redact(text, self.secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = self._clean(record.getMessage())
            record.args = None
            for key, value in _fields(record).items():
                if isinstance(value, str):
                    setattr(record, key, self._clean(value))
        return True


def configure(
    *, level: str = "INFO", json_lines: bool = False, secrets: list[SecretStr] | None = None
) -> None:
    """Set up the root logger for a command (CLI entry points call this once)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.addFilter(RedactingFilter(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
