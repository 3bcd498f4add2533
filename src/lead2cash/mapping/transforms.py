"""Field expressions: a path into a record, then a pipe of named transforms.

``"properties.region | lower | map:regions | default:be"`` reads ``record["properties"]["region"]``,
lower-cases it, looks it up in the lookup table ``regions`` and falls back to ``be``. Expressions
and lookup tables are data (mapping YAML), the transforms are this fixed, tested vocabulary:

=============  ====================================================================
``strip``       trim white space; empty becomes missing
``lower``       lower case          ``upper``  upper case
``decimal``     a Decimal from text or int (``1,234.50`` accepted; floats refused)
``int``         an integer           ``bool``  true/false/yes/no/1/0
``date``        an ISO date (``2026-12-04``, or the date part of a timestamp, or epoch ms)
``map:T``       look the value up in table ``T``; a value not in the table is an error
``map?:T``      the same, but a value not in the table becomes missing
``default:V``   ``V`` when the value is missing
``required``    an error when the value is missing
``split:S``     a list, split on ``S`` (``;`` by default)
``const:V``     the constant ``V`` whatever the path holds
=============  ====================================================================

A failing transform raises :class:`lead2cash.errors.MappingError` naming the field and the rule,
so the job lands in the exception queue with a message a person can act on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lead2cash import errors


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()

Tables = Mapping[str, Mapping[str, Any]]


def read_path(record: Any, path: str) -> Any:
    """``a.b.0.c`` into nested mappings, lists and attributes; MISSING when absent."""
    value = record
    for part in path.split("."):
        if value is None or value is MISSING:
            return MISSING
        if isinstance(value, Mapping):
            value = value.get(part, MISSING)
        elif isinstance(value, list | tuple) and part.isdigit():
            index = int(part)
            value = value[index] if index < len(value) else MISSING
        else:
            value = getattr(value, part, MISSING)
    return None if value is None else value


def _missing(value: Any) -> bool:
    return value is MISSING or value is None or (isinstance(value, str) and not value.strip())


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool | float):
        raise ValueError("not a decimal (floats are refused)")
    if isinstance(value, Decimal | int):
        return Decimal(value)
    text = str(value).strip().replace(",", "")
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not result.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return result


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "on"):
        return True
    if text in ("false", "no", "n", "0", "off"):
        return False
    raise ValueError(f"{value!r} is not a yes/no value")


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if text.isdigit() and len(text) >= 12:  # epoch milliseconds (HubSpot date properties)
        return datetime.fromtimestamp(int(text) / 1000, UTC).date()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date") from None


_SIMPLE: dict[str, Callable[[Any], Any]] = {
    "lower": lambda v: str(v).lower(),
    "upper": lambda v: str(v).upper(),
    "decimal": _decimal,
    "int": lambda v: int(_decimal(v)),
    "bool": _bool,
    "date": _date,
}


@dataclass(frozen=True)
class Expression:
    """A parsed field expression."""

    text: str
    path: str | None
    steps: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> Expression:
        parts = [p.strip() for p in text.split("|")]
        head, steps = parts[0], []
        for part in parts[1:]:
            name, sep, arg = part.partition(":")
            name = name.strip()
            if name not in _SIMPLE and name not in (
                "strip",
                "map",
                "map?",
                "default",
                "required",
                "split",
                "const",
            ):
                raise errors.ConfigError(f"unknown transform {name!r} in {text!r}")
            if name in ("map", "map?", "default", "const") and not sep:
                raise errors.ConfigError(f"transform {name!r} needs an argument in {text!r}")
            steps.append((name, arg.strip() if sep else None))
        return cls(text, head or None, tuple(steps))

    def tables_used(self) -> set[str]:
        return {arg for name, arg in self.steps if name in ("map", "map?") and arg}

    def evaluate(self, record: Any, tables: Tables, *, field: str) -> Any:
        """The value, or MISSING; MappingError naming ``field`` when a rule fails."""
        value = read_path(record, self.path) if self.path else MISSING
        for name, arg in self.steps:
            try:
                value = self._step(name, arg, value, tables)
            except ValueError as exc:
                raise errors.MappingError(
                    f"{field}: {exc} (from {self.text!r})", field=field, rule=name
                ) from None
        return MISSING if _missing(value) else value

    @staticmethod
    def _step(name: str, arg: str | None, value: Any, tables: Tables) -> Any:
        if name == "const":
            return arg
        if name == "default":
            return arg if _missing(value) else value
        if name == "required":
            if _missing(value):
                raise ValueError("is required but missing")
            return value
        if _missing(value):
            return MISSING
        if name == "strip":
            return str(value).strip()
        if name == "split":
            return [p.strip() for p in str(value).split(arg or ";") if p.strip()]
        if name in ("map", "map?"):
            table = tables.get(arg or "")
            if table is None:
                raise ValueError(f"no lookup table {arg!r}")
            key = str(value)
            if key in table:
                return table[key]
            if name == "map?":
                return MISSING
            raise ValueError(f"{key!r} is not in lookup table {arg!r}")
        return _SIMPLE[name](value)


@functools.lru_cache(maxsize=1024)
def parsed(text: str) -> Expression:
    """The expression ``text`` (parsed once: mappings evaluate the same few per record)."""
    return Expression.parse(text)


def evaluate(text: str, record: Any, tables: Tables, *, field: str) -> Any:
    return parsed(text).evaluate(record, tables, field=field)
