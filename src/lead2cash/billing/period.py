"""A billing period: one calendar month, written ``YYYY-MM``.

:class:`Period` is a frozen, ordered, hashable value. Pydantic models take it as a field and
read it from, and write it as, the ``"2026-11"`` text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from lead2cash import errors

_TEXT = re.compile(r"(\d{4})-(\d{2})")


def _invalid(text: object) -> errors.ValidationError:
    return errors.ValidationError(
        f"{text!r} is not a billing period (a month written YYYY-MM, e.g. 2026-11)",
        field="period",
        rule="YYYY-MM",
    )


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month: ``Period.parse("2026-11")``; both ends of it are inclusive."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.year <= 9999 and 1 <= self.month <= 12):
            raise _invalid(f"{self.year:04d}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period a ``YYYY-MM`` text names; anything else raises ``ValidationError``."""
        match = _TEXT.fullmatch(str(text).strip())
        if match is None:
            raise _invalid(text)
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Period:
        """The period ``day`` falls in."""
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        """The first day of the month."""
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The last day of the month (inclusive)."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> Period:
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
            json_schema_input_schema=core_schema.str_schema(pattern=_TEXT.pattern),
        )


def _coerce(value: object) -> Period:
    if isinstance(value, Period):
        return value
    if isinstance(value, str):
        try:
            return Period.parse(value)
        except errors.ValidationError as exc:
            raise ValueError(exc.message) from None
    raise ValueError(f"{value!r} is not a billing period (YYYY-MM)")
