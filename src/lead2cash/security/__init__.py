"""Security: secret references, webhook signatures, API tokens and roles, redaction."""

from __future__ import annotations
