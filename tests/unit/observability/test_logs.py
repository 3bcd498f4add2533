"""Structured logs: JSON lines with the extra fields; secrets redacted before any handler."""

from __future__ import annotations

import io
import json
import logging

from pydantic import SecretStr

from lead2cash.observability.logs import JsonFormatter, RedactingFilter, TextFormatter


def _logger(
    stream: io.StringIO, formatter: logging.Formatter, secrets: list[SecretStr]
) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RedactingFilter(secrets))
    logger = logging.getLogger(f"test.logs.{id(stream)}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def test_json_lines_carry_extra_fields_and_redact_secrets() -> None:
    stream = io.StringIO()
    log = _logger(stream, JsonFormatter(), [SecretStr("tok-123-secret")])
    log.warning(
        "odoo refused key %s",
        "tok-123-secret",
        extra={
            "action": "job_failed",
            "job_id": 7,
            "system": "odoo",
            "detail": "Authorization: bearer tok-123-secret",
        },
    )
    line = json.loads(stream.getvalue())
    assert line["action"] == "job_failed"
    assert line["job_id"] == 7
    assert line["level"] == "warning"
    assert "tok-123-secret" not in stream.getvalue()
    assert line["message"] == "odoo refused key ***"


def test_text_format_lists_fields() -> None:
    stream = io.StringIO()
    log = _logger(stream, TextFormatter(), [])
    log.info("started", extra={"action": "worker_started", "kinds": "a,b"})
    text = stream.getvalue()
    assert "INFO" in text
    assert "started action=worker_started kinds=a,b" in text
