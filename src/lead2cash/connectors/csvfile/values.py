"""Reading one CSV cell as a typed value, the way a profile says the tool writes it.

Every reader raises :class:`ValueError` with a short reason a person can act on; the parser
turns it into a row error with the line and the column.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lead2cash.model.money import check_currency

#: Hours from clock durations are kept to the microhour (1.5 s would otherwise repeat forever).
HOURS_QUANTUM = Decimal("0.000001")
MAX_HOURS = Decimal(24)

_CLOCK = re.compile(r"^(?P<h>\d+):(?P<m>[0-5]?\d)(?::(?P<s>[0-5]?\d(?:\.\d+)?))?$")
_SYMBOLS = "$€£¥₹₽₩₺₪฿₫₴₦₱"
_CODE_AT_END = re.compile(r"\b([A-Za-z]{3})\s*$")
_CODE_PAREN = re.compile(r"\(([A-Za-z]{3})\)\s*$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def normalise_header(text: str) -> str:
    """Headers compared without case, BOM, surrounding quotes or repeated spaces."""
    return _SPACES.sub(" ", text.replace("\ufeff", "").strip().strip('"').strip()).casefold()


def read_date(text: str, formats: tuple[str, ...]) -> date:
    value = text.strip()
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date only
        except ValueError:
            continue
    raise ValueError(f"not a date in the expected format ({', '.join(formats)})")


def read_decimal(text: str, *, decimal_separator: str, thousands_separator: str = "") -> Decimal:
    """A number as written in the file: ``1,234.50``, ``1.234,50``, ``(12.00)``, ``-3``, ``€ 5``.

    A thousands separator is removed only where it groups digits by three (``1,234.5``), so a
    decimal written with the other mark (``1,5`` where ``.`` is expected) is an error, never 15.
    """
    value = _SPACES.sub("", text.strip())
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    value = value.strip(_SYMBOLS)
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    elif value.startswith("+"):
        value = value[1:]
    value = value.strip(_SYMBOLS)
    if thousands_separator and thousands_separator in value:
        sep, dec = re.escape(thousands_separator), re.escape(decimal_separator)
        if not re.fullmatch(rf"\d{{1,3}}({sep}\d{{3}})+({dec}\d*)?", value):
            raise ValueError(f"not a number (misplaced {thousands_separator!r})")
        value = value.replace(thousands_separator, "")
    if decimal_separator != ".":
        if "." in value:
            raise ValueError("a '.' in a number whose decimal mark is ','")
        value = value.replace(decimal_separator, ".")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", value):
        raise ValueError("not a number")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above guards this
        raise ValueError("not a number") from exc
    return -number if negative else number


def read_hours(text: str, *, style: str, decimal_separator: str) -> Decimal:
    """Hours from decimal hours (``1.5``, ``1,5``) or a clock duration (``1:30``, ``01:30:00``)."""
    value = text.strip()
    clock = _CLOCK.match(value)
    if style == "clock" or (style == "auto" and ":" in value):
        if clock is None:
            raise ValueError("not a duration H:MM or H:MM:SS")
        seconds = Decimal(int(clock["h"]) * 3600 + int(clock["m"]) * 60) + Decimal(clock["s"] or 0)
        hours = (seconds / 3600).quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP).normalize()
    else:
        if clock is not None:
            raise ValueError("a clock duration where decimal hours are expected")
        hours = read_decimal(value, decimal_separator=decimal_separator)
    if hours < 0 or hours > MAX_HOURS:
        raise ValueError("hours must be between 0 and 24")
    return hours


def read_bool(text: str, true_values: tuple[str, ...], false_values: tuple[str, ...]) -> bool:
    value = text.strip().casefold()
    if value in (v.casefold() for v in true_values):
        return True
    if value in (v.casefold() for v in false_values):
        return False
    expected = "/".join([*true_values[:2], *false_values[:2]])
    raise ValueError(f"not a yes/no value (expected e.g. {expected})")


def read_currency(text: str) -> str:
    """An ISO 4217 code from ``EUR``, ``eur``, ``Euro - EUR`` or ``Euro (EUR)``."""
    value = text.strip()
    found = _CODE_PAREN.search(value) or _CODE_AT_END.search(value)
    if found is None:
        raise ValueError("no ISO 4217 currency code")
    try:
        return check_currency(found.group(1))
    except ValueError as exc:
        raise ValueError(f"{found.group(1).upper()} is not an ISO 4217 currency code") from exc


def split_amount_code(text: str) -> tuple[str, str | None]:
    """``"EUR 12.50"``/``"12.50 EUR"`` → (``"12.50"``, ``"EUR"``); plain amounts unchanged."""
    value = text.strip()
    found = re.fullmatch(r"([A-Za-z]{3})\s*(.+)|(.+?)\s*([A-Za-z]{3})", value)
    if found is None:
        return value, None
    code = found.group(1) or found.group(4)
    amount = found.group(2) or found.group(3)
    return amount, code.upper()


def normalise_text(text: str) -> str:
    """A text cell: trimmed, inner runs of spaces kept as they are."""
    return text.strip()
