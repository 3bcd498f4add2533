"""JSON in and out of the emulator without floats.

Harvest's JSON carries hours and money as plain JSON numbers. The emulator keeps them as
:class:`~decimal.Decimal` and writes them back digit for digit (``2.11`` stays ``2.11``), which
``json.dumps`` cannot do for Decimals; :func:`dumps` is a small writer that can. Request bodies
of the control API are read with :func:`loads` (fractions as Decimal).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def loads(data: bytes | str) -> Any:
    return json.loads(data, parse_float=Decimal)


def format_datetime(value: datetime) -> str:
    """Harvest's timestamp format: ``2017-06-27T16:47:14Z``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError("cannot write a non-finite number to JSON")
    return format(value, "f")


def _write(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, Decimal):
        out.append(_number(value))
    elif isinstance(value, datetime):
        out.append(json.dumps(format_datetime(value)))
    elif isinstance(value, date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            out.append(json.dumps(str(key), ensure_ascii=False))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    elif isinstance(value, float):
        raise TypeError("the emulator writes no floats; use Decimal")
    else:
        raise TypeError(f"cannot write {type(value).__name__} to JSON")


def dumps(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON; Decimals written exactly, times as Harvest writes them."""
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode()
