"""The HTTP API (FastAPI): webhooks, operations, metrics, health."""

from __future__ import annotations
