"""HubSpot's time text and millisecond stamps (the clock itself is ``emulators/clock.py``)."""

from __future__ import annotations

from lead2cash.emulators.clock import datetime_to_ms, ms_to_datetime


def iso(ms: int) -> str:
    """HubSpot's time text: ``2026-03-02T09:00:00.123Z``."""
    return ms_to_datetime(ms).isoformat(timespec="milliseconds").replace("+00:00", "Z")


__all__ = ["datetime_to_ms", "iso", "ms_to_datetime"]
