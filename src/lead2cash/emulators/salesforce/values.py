"""Field values in and out of the emulator, and the REST API's error answers.

Values are kept as Python objects by field type: ``str`` (text, ids, picklists), ``bool``,
``Decimal`` (currency, percent, double), ``int``, ``date`` and aware UTC ``datetime`` with whole
seconds. Request bodies are read with fractions as Decimal and converted here; wrong types get
Salesforce's ``JSON_PARSER_ERROR``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lead2cash.emulators import jsonout
from lead2cash.emulators.salesforce.ids import to18
from lead2cash.emulators.salesforce.schema import TEXT_TYPES, FieldDef


class ApiError(Exception):
    """A REST API error: answered as ``[{"message", "errorCode", "fields"}]``."""

    def __init__(self, status: int, code: str, message: str, fields: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = list(fields)

    def body(self) -> list[dict[str, Any]]:
        item: dict[str, Any] = {"message": self.message, "errorCode": self.code}
        if self.fields or self.status == 400:
            item["fields"] = self.fields
        return [item]


def no_such_column(sobject: str, name: str) -> ApiError:
    """The 400 for a field the sobject does not have (in a body or a ``fields`` list)."""
    return ApiError(
        400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject}", [name]
    )


class MultipleChoices(Exception):
    """An external id matched several records: 300 with the records' URLs."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__("more than one record matches")
        self.urls = urls


def loads(data: bytes | str) -> Any:
    """A request body, fractions as Decimal (raises ApiError on bad JSON)."""
    try:
        return json.loads(data, parse_float=Decimal)
    except ValueError as exc:
        raise ApiError(400, "JSON_PARSER_ERROR", f"Unexpected character: {exc}") from None


_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$")


def parse_datetime(text: str) -> datetime:
    """ISO 8601 as Salesforce accepts it (``Z``, ``+0000`` or ``+00:00``; no zone means UTC)."""
    value = text.strip()
    if not _DATETIME.match(value):
        raise ValueError(f"not a date-time: {text!r}")
    value = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", value):
        value = f"{value[:-2]}:{value[-2:]}"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)


def format_datetime(value: datetime) -> str:
    """Salesforce's date-time format: ``2026-03-01T10:00:00.000+0000``."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def _parser_error(f: FieldDef, raw: Any) -> ApiError:
    kind = type(raw).__name__
    return ApiError(
        400,
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {f.type} from {kind} value {raw!r} "
        "or request may be missing a required field",
    )


def to_python(f: FieldDef, raw: Any) -> Any:
    """A JSON value for field ``f`` as the emulator stores it."""
    if raw is None:
        return None
    if f.type in TEXT_TYPES:
        if isinstance(raw, bool | Mapping | list):
            raise _parser_error(f, raw)
        text = str(raw)
        if f.type in ("id", "reference"):
            if text == "":
                return None
            canonical = to18(text)
            if canonical is None:
                raise ApiError(
                    400,
                    "MALFORMED_ID",
                    f"{f.name}: id value of incorrect type: {text}",
                    [f.name],
                )
            return canonical
        limit = f.length or 255
        if len(text) > limit:
            raise ApiError(
                400,
                "STRING_TOO_LONG",
                f"{f.name}: data value too large: {text[:50]} (max length={limit})",
                [f.name],
            )
        return text
    if f.type == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise _parser_error(f, raw)
    if f.type in ("double", "percent", "currency", "int"):
        if isinstance(raw, bool):
            raise _parser_error(f, raw)
        try:
            number = Decimal(str(raw)) if not isinstance(raw, Decimal) else raw
        except InvalidOperation:
            raise _parser_error(f, raw) from None
        if not number.is_finite():
            raise _parser_error(f, raw)
        if f.type == "int":
            if number != number.to_integral_value():
                raise _parser_error(f, raw)
            return int(number)
        return number
    if f.type == "date":
        if isinstance(raw, date) and not isinstance(raw, datetime):
            return raw
        text = str(raw)
        try:
            return parse_datetime(text).date() if "T" in text else date.fromisoformat(text)
        except ValueError:
            raise _parser_error(f, raw) from None
    if f.type == "datetime":
        if isinstance(raw, datetime):
            return raw.astimezone(UTC).replace(microsecond=0)
        try:
            return parse_datetime(str(raw))
        except ValueError:
            raise _parser_error(f, raw) from None
    raise _parser_error(f, raw)  # pragma: no cover - every FieldType is handled above


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON; Decimals digit for digit, date-times in Salesforce's format."""
    return jsonout.dumps(value, format_datetime=format_datetime, allow_floats=True)
