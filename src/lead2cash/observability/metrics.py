"""Prometheus metrics of the engine and connectors (served at ``/metrics`` by the API)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

JOB_OUTCOMES = Counter(
    "l2c_job_outcomes_total", "Job runs by kind and resulting state", ["kind", "state"]
)
JOB_SECONDS = Histogram(
    "l2c_job_seconds",
    "Handler run time by job kind",
    ["kind"],
    buckets=(0.001, 0.005, 0.02, 0.1, 0.5, 2, 10, 60),
)
WEBHOOKS = Counter(
    "l2c_webhooks_total", "Webhook deliveries by system and result", ["system", "result"]
)
