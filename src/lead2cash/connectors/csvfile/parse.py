"""Parse a timesheet or expense export with a profile: typed rows plus row errors.

A file is read whole. Each record becomes a typed row or one or more :class:`RowError` (line,
column, reason); nothing is dropped silently. The caller picks the policy: with
``all_or_nothing=True`` any error holds back every row (the file is fixed and imported again);
otherwise the good rows are returned with the errors of the bad ones.

Row ids are stable across re-imports of the same file: the file's id column when the profile
maps one, else ``sha256:`` + 40 hex digits of the profile's source, the kind and the row's
identity fields (``CsvProfile.identity_fields``), with ``#2``, ``#3`` ... added to the second,
third ... identical row of one file, so identical rows stay distinct and keep their ids.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from lead2cash import errors
from lead2cash.connectors.csvfile import values
from lead2cash.connectors.csvfile.profiles import (
    FIELDS,
    REQUIRED,
    CsvProfile,
    Kind,
    get_profile,
)
from lead2cash.connectors.csvfile.reader import (
    FileError,
    Record,
    Source,
    decode,
    read_source,
    records,
    sniff_delimiter,
)
from lead2cash.connectors.csvfile.rows import (
    ExpenseRow,
    ParseResult,
    RowError,
    TimesheetRow,
)
from lead2cash.model.money import Money, check_currency

NO_CURRENCY = (
    "no currency for this amount: the file has no currency for it and no default was given"
)


@dataclass(frozen=True)
class Located:
    """A field's column in this file."""

    index: int
    header: str
    currency: str | None = None


@dataclass(frozen=True)
class Amount:
    value: Decimal
    code: str | None
    column: Located


def _locate(profile: CsvProfile, header: list[str]) -> tuple[dict[str, Located], list[str]]:
    """Columns of the profile's fields in this header, and the required ones not found."""
    normalised = [values.normalise_header(h) for h in header]
    found: dict[str, Located] = {}
    for field, column in profile.columns.items():
        wanted = [values.normalise_header(n) for n in column.names]
        index = next((normalised.index(n) for n in wanted if n in normalised), None)
        currency = None
        if index is None and column.pattern is not None:
            pattern = re.compile(column.pattern, re.IGNORECASE)
            for i, text in enumerate(header):
                match = pattern.fullmatch(text.replace("\ufeff", "").strip())
                if match is not None:
                    index = i
                    currency = match.groupdict().get("currency")
                    break
        if index is not None:
            found[field] = Located(index, header[index].strip(), currency and currency.upper())
    missing = [f for f in REQUIRED[profile.kind] if f != "person" and f not in found]
    if profile.kind == "timesheets" and not {
        "person",
        "person_email",
        "first_name",
        "last_name",
    } & set(found):
        missing.append("person")
    return found, missing


def _column_names(profile: CsvProfile, field: str) -> str:
    column = profile.columns.get(field)
    if column is None:
        return "a person column (person, first/last name or email)"
    shown = [*column.names, *([f"/{column.pattern}/"] if column.pattern else [])]
    return " or ".join(repr(n) for n in shown)


class _Reader:
    """Reads the cells of one record by the profile's rules."""

    def __init__(
        self, profile: CsvProfile, layout: dict[str, Located], decimal_separator: str
    ) -> None:
        self.profile = profile
        self.layout = layout
        self.decimal = decimal_separator
        kinds = FIELDS[profile.kind]
        self.readers: dict[str, Callable[[str, Located], Any]] = {
            field: self._reader(kinds[field]) for field in layout
        }

    def _reader(self, kind: str) -> Callable[[str, Located], Any]:
        p = self.profile
        if kind == "date":
            return lambda text, _: values.read_date(text, p.date_formats)
        if kind == "duration":
            return lambda text, _: values.read_hours(
                text, style=p.duration_format, decimal_separator=self.decimal
            )
        if kind == "bool":
            return lambda text, _: values.read_bool(text, p.true_values, p.false_values)
        if kind == "approval":
            return lambda text, _: values.read_bool(text, p.approved_values, p.unapproved_values)
        if kind == "decimal":
            return lambda text, _: self._number(text)
        if kind == "currency":
            return lambda text, _: values.read_currency(text)
        if kind == "money":
            return self._money
        return lambda text, _: values.normalise_text(text)

    def _number(self, text: str) -> Decimal:
        thousands = self.profile.thousands_separator
        if thousands == "auto":
            thousands = "." if self.decimal == "," else ","
        return values.read_decimal(
            text, decimal_separator=self.decimal, thousands_separator=thousands
        )

    def _money(self, text: str, column: Located) -> Amount:
        amount_text, code = values.split_amount_code(text)
        if code is not None:
            try:
                code = check_currency(code)
            except ValueError as exc:
                raise ValueError(f"{code} is not an ISO 4217 currency code") from exc
        return Amount(self._number(amount_text), code, column)

    def read(self, record: Record) -> tuple[dict[str, Any], list[RowError]]:
        read: dict[str, Any] = {}
        problems: list[RowError] = []
        for field, column in self.layout.items():
            cell = record.cells[column.index] if column.index < len(record.cells) else ""
            text = cell.strip()
            if not text:
                read[field] = None
                continue
            try:
                read[field] = self.readers[field](text, column)
            except ValueError as exc:
                problems.append(
                    RowError(line=record.line, column=column.header, reason=str(exc), value=cell)
                )
        return read, problems


def _identity_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text in ("-0", "0") else text
    if isinstance(value, Money):
        return f"{_identity_text(value.amount)} {value.currency}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Builder:
    """Turns the read cells of a record into a typed row (or row errors)."""

    def __init__(
        self,
        profile: CsvProfile,
        layout: dict[str, Located],
        *,
        default_currency: str | None,
        assume_approved: bool | None,
    ) -> None:
        self.profile = profile
        self.layout = layout
        self.default_currency = default_currency or profile.default_currency
        self.assume_approved = (
            profile.assume_approved if assume_approved is None else assume_approved
        )
        self.ids: dict[str, int] = {}
        self.hashes: Counter[str] = Counter()

    def where(self, field: str) -> str:
        located = self.layout.get(field)
        return located.header if located is not None else field

    def _money(self, read: dict[str, Any], field: str) -> Money | None:
        """An amount in the currency its cell, its header, the row or the defaults give."""
        amount: Amount | None = read.get(field)
        if amount is None:
            return None
        if field == "original_amount":
            candidates = [amount.code, amount.column.currency, read.get("original_currency")]
        else:
            candidates = [
                amount.code,
                amount.column.currency,
                read.get("currency"),
                self.default_currency,
            ]
        code = next((c for c in candidates if c), None)
        if code is None:
            raise _FieldError(field, NO_CURRENCY)
        return Money(amount=amount.value, currency=code)

    def build(
        self, record: Record, header: list[str], read: dict[str, Any]
    ) -> TimesheetRow | ExpenseRow:
        kind = self.profile.kind
        out: dict[str, Any] = {}
        for field in FIELDS[kind]:
            if field in ("id", "currency", "original_currency", "first_name", "last_name"):
                continue
            if FIELDS[kind][field] == "money":
                out[field] = self._money(read, field)
            else:
                out[field] = read.get(field)
        names = " ".join(n for n in (read.get("first_name"), read.get("last_name")) if n)
        out["person"] = read.get("person") or names or read.get("person_email")
        for field in REQUIRED[kind]:
            if out.get(field) is None:
                raise _FieldError(field, f"{field} is empty")
        if "approved" in self.layout:
            out["approved"] = bool(read.get("approved"))
        else:
            out["approved"] = self.assume_approved
        out["day"] = out.pop("date")
        for text_field in ("notes", "description"):
            if text_field in out and out[text_field] is None:
                out[text_field] = ""
        raw = {
            h.strip(): (record.cells[i] if i < len(record.cells) else "")
            for i, h in enumerate(header)
        }
        out |= {
            "line": record.line,
            "external_id": self._external_id(record, read, out),
            "source": self.profile.source,
            "raw": raw,
        }
        model = TimesheetRow if kind == "timesheets" else ExpenseRow
        return model.model_validate(out)

    def _external_id(self, record: Record, read: Mapping[str, Any], out: Mapping[str, Any]) -> str:
        given = read.get("id")
        if given:
            first = self.ids.setdefault(given, record.line)
            if first != record.line:
                raise _FieldError("id", f"id {given!r} is already on line {first}")
            return str(given)
        parts = [self.profile.source, self.profile.kind]
        for field in self.profile.identity_fields():
            value = out.get("day") if field == "date" else out.get(field, read.get(field))
            parts.append(f"{field}={_identity_text(value)}")
        digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]
        self.hashes[digest] += 1
        count = self.hashes[digest]
        return f"sha256:{digest}" + (f"#{count}" if count > 1 else "")


class _FieldError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field


def _resolve(profile: str | CsvProfile, kind: Kind) -> CsvProfile:
    chosen = get_profile(kind, profile) if isinstance(profile, str) else profile
    if chosen.kind != kind:
        raise errors.ConfigError(f"profile {chosen.name!r} reads {chosen.kind}, not {kind}")
    return chosen


def _parse(
    source: Source,
    profile: CsvProfile,
    *,
    default_currency: str | None,
    assume_approved: bool | None,
) -> tuple[str, int, list[Any], list[RowError]]:
    problems: list[RowError] = []
    rows: list[Any] = []
    total = 0
    name = "<unread>"
    try:
        data, name = read_source(source)
        text = decode(data, profile)
    except FileError as exc:
        return name, 0, [], [RowError(line=exc.line, reason=str(exc))]
    delimiter = profile.delimiter or sniff_delimiter(text, profile.skip_lines)
    decimal = profile.decimal_separator
    if decimal == "auto":
        decimal = "," if delimiter == ";" else "."
    stream = records(text, delimiter, profile.skip_lines)
    try:
        head = next(stream, None)
        if head is None:
            return name, 0, [], [RowError(line=1, reason="the file has no header row")]
        header = head.cells
        layout, missing = _locate(profile, header)
        if missing:
            return (
                name,
                0,
                [],
                [
                    RowError(
                        line=head.line,
                        column=field,
                        reason=f"no column for {field}: expected {_column_names(profile, field)}",
                    )
                    for field in missing
                ],
            )
        reader = _Reader(profile, layout, decimal)
        builder = _Builder(
            profile, layout, default_currency=default_currency, assume_approved=assume_approved
        )
        for record in stream:
            total += 1
            if len(record.cells) > len(header):
                problems.append(
                    RowError(
                        line=record.line,
                        reason=f"{len(record.cells)} cells where the header has {len(header)}",
                    )
                )
                continue
            read, cell_problems = reader.read(record)
            if cell_problems:
                problems += cell_problems
                continue
            try:
                rows.append(builder.build(record, header, read))
            except _FieldError as exc:
                problems.append(
                    RowError(line=record.line, column=builder.where(exc.field), reason=str(exc))
                )
            except ValidationError as exc:
                first = exc.errors()[0]
                problems.append(
                    RowError(
                        line=record.line,
                        column=builder.where(str(first["loc"][0])) if first["loc"] else None,
                        reason=str(first["msg"]),
                    )
                )
    except FileError as exc:
        problems.append(RowError(line=exc.line, reason=f"{exc}; the rest of the file was not read"))
    return name, total, rows, problems


def _result(
    kind: Kind,
    source: Source,
    profile: str | CsvProfile,
    *,
    all_or_nothing: bool,
    default_currency: str | None,
    assume_approved: bool | None,
) -> ParseResult[Any]:
    chosen = _resolve(profile, kind)
    currency = None if default_currency is None else check_currency(default_currency)
    name, total, rows, problems = _parse(
        source,
        chosen,
        default_currency=currency,
        assume_approved=assume_approved,
    )
    held_back = 0
    if problems and all_or_nothing:
        held_back, rows = len(rows), []
    model = ParseResult[TimesheetRow] if kind == "timesheets" else ParseResult[ExpenseRow]
    return model(
        profile=chosen.name,
        kind=kind,
        source_name=name,
        all_or_nothing=all_or_nothing,
        total_rows=total,
        rows=rows,
        errors=sorted(problems, key=lambda e: e.line),
        held_back=held_back,
    )


def parse_timesheets(
    source: Source,
    profile: str | CsvProfile,
    *,
    all_or_nothing: bool = False,
    default_currency: str | None = None,
    assume_approved: bool | None = None,
) -> ParseResult[TimesheetRow]:
    """Read a timesheet export (a path, bytes, or a binary or text stream).

    ``profile`` is a profile or the name of a registered one (``generic``, ``clockify``,
    ``toggl``, ``harvest``). ``default_currency`` prices rates when the file does not say;
    ``assume_approved`` sets the approval of every row of a file without an approval column
    (e.g. a report exported filtered on approved time)."""
    result: ParseResult[TimesheetRow] = _result(
        "timesheets",
        source,
        profile,
        all_or_nothing=all_or_nothing,
        default_currency=default_currency,
        assume_approved=assume_approved,
    )
    return result


def parse_expenses(
    source: Source,
    profile: str | CsvProfile,
    *,
    all_or_nothing: bool = False,
    default_currency: str | None = None,
    assume_approved: bool | None = None,
) -> ParseResult[ExpenseRow]:
    """Read an expense export; see :func:`parse_timesheets` (profiles ``generic``,
    ``expensify``)."""
    result: ParseResult[ExpenseRow] = _result(
        "expenses",
        source,
        profile,
        all_or_nothing=all_or_nothing,
        default_currency=default_currency,
        assume_approved=assume_approved,
    )
    return result
