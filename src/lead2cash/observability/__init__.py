"""Observability: Prometheus metrics, structured logs, tracing and business alerts."""

from __future__ import annotations
