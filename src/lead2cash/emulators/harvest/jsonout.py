"""JSON in and out of the emulator without floats.

Harvest's JSON carries hours and money as plain JSON numbers. The emulator keeps them as
:class:`~decimal.Decimal` and writes them back digit for digit (``2.11`` stays ``2.11``), which
``json.dumps`` cannot do for Decimals; :func:`dumps` is a small writer that can. Request bodies
of the control API are read with :func:`loads` (fractions as Decimal).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lead2cash.emulators import jsonout as shared

loads = shared.loads


def format_datetime(value: datetime) -> str:
    """Harvest's timestamp format: ``2017-06-27T16:47:14Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON; Decimals written exactly, times as Harvest writes them."""
    return shared.dumps(value, format_datetime=format_datetime)
