"""JSON out of the emulators with Decimals written digit for digit.

Real systems write money and hours as plain JSON numbers (``2.11``). The emulators keep them as
:class:`~decimal.Decimal` and write them back exactly, which ``json.dumps`` cannot do;
:func:`dumps` is a small writer that can. Each emulator passes its system's date-time format;
floats are refused unless an emulator says its system sends them; control-API metadata that
holds floats (latencies, call times) goes through :func:`floats_as_decimals` first.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def loads(data: bytes | str) -> Any:
    """JSON with fractions as Decimal."""
    return json.loads(data, parse_float=Decimal)


def floats_as_decimals(value: Any) -> Any:
    """``value`` with the floats in its dicts and lists as exact Decimals (``repr`` digits)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: floats_as_decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [floats_as_decimals(v) for v in value]
    return value


def _number(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError("cannot write a non-finite number to JSON")
    return format(value, "f")


class _Writer:
    def __init__(self, format_datetime: Callable[[datetime], str], allow_floats: bool) -> None:
        self.format_datetime = format_datetime
        self.allow_floats = allow_floats
        self.out: list[str] = []

    def write(self, value: Any) -> None:
        out = self.out
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
        elif isinstance(value, float):
            if not self.allow_floats:
                raise TypeError("the emulator writes no floats; use Decimal")
            out.append(repr(value))
        elif isinstance(value, datetime):
            out.append(json.dumps(self.format_datetime(value)))
        elif isinstance(value, date):
            out.append(json.dumps(value.isoformat()))
        elif isinstance(value, Mapping):
            out.append("{")
            for i, (key, item) in enumerate(value.items()):
                if i:
                    out.append(",")
                out.append(json.dumps(str(key), ensure_ascii=False))
                out.append(":")
                self.write(item)
            out.append("}")
        elif isinstance(value, Sequence | set | frozenset):
            out.append("[")
            for i, item in enumerate(value):
                if i:
                    out.append(",")
                self.write(item)
            out.append("]")
        else:
            raise TypeError(f"cannot write {type(value).__name__} to JSON")


def dumps(
    value: Any, *, format_datetime: Callable[[datetime], str], allow_floats: bool = False
) -> bytes:
    """``value`` as compact UTF-8 JSON."""
    writer = _Writer(format_datetime, allow_floats)
    writer.write(value)
    return "".join(writer.out).encode()
