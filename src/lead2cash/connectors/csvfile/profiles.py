"""CSV column profiles: how one tool's export is laid out, as data.

A :class:`CsvProfile` names, for each field the hub reads (``FIELDS``), the header(s) it may
have in the file, and how values are written there (delimiter, date formats, decimal mark,
durations, currency, the approval column's words). The built-in profiles live in
``builtin_profiles.yaml`` next to this module; a firm adds its own in a YAML or JSON file of the
same shape (:func:`load_profiles`). ``docs/connectors/csv-profiles.md`` documents every field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lead2cash import errors
from lead2cash.model.money import check_currency

Kind = Literal["timesheets", "expenses"]
KINDS: tuple[Kind, ...] = ("timesheets", "expenses")

#: Fields a profile may map, per kind, with the type each value is read as.
FIELDS: dict[Kind, dict[str, str]] = {
    "timesheets": {
        "id": "text",
        "date": "date",
        "hours": "duration",
        "person": "text",
        "person_email": "text",
        "first_name": "text",
        "last_name": "text",
        "client": "text",
        "project": "text",
        "project_code": "text",
        "task": "text",
        "notes": "text",
        "start_time": "text",
        "billable": "bool",
        "invoiced": "bool",
        "approved": "approval",
        "billable_rate": "money",
        "billable_amount": "money",
        "cost_rate": "money",
        "currency": "currency",
    },
    "expenses": {
        "id": "text",
        "date": "date",
        "amount": "money",
        "currency": "currency",
        "person": "text",
        "person_email": "text",
        "first_name": "text",
        "last_name": "text",
        "client": "text",
        "project": "text",
        "project_code": "text",
        "category": "text",
        "merchant": "text",
        "description": "text",
        "units": "decimal",
        "billable": "bool",
        "reimbursable": "bool",
        "approved": "approval",
        "receipt_url": "text",
        "original_amount": "money",
        "original_currency": "currency",
    },
}

#: Fields every row must have a value for (a person may be a name, first/last names or email).
REQUIRED: dict[Kind, tuple[str, ...]] = {
    "timesheets": ("date", "hours", "person", "project"),
    "expenses": ("date", "amount"),
}

#: Identity fields hashed into a row's external id when the file has no id column.
DEFAULT_ID_FIELDS: dict[Kind, tuple[str, ...]] = {
    "timesheets": (
        "date",
        "person",
        "person_email",
        "client",
        "project",
        "task",
        "start_time",
        "hours",
        "notes",
    ),
    "expenses": (
        "date",
        "person",
        "person_email",
        "project",
        "category",
        "merchant",
        "amount",
        "currency",
        "description",
    ),
}

DELIMITERS = (",", ";", "\t", "|")


class Column(BaseModel):
    """Where a field is read: the first header present among ``names`` (compared without case
    and extra spaces), else the first header that fully matches ``pattern`` (a regular
    expression, case-insensitive; its named group ``currency``, if any, is the currency of the
    values in that column, as in Clockify's ``Billable Rate (EUR)``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    names: tuple[str, ...] = ()
    pattern: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Column:
        if not self.names and not self.pattern:
            raise ValueError("a column needs names or a pattern")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern {self.pattern!r} is not a regular expression") from exc
        return self


class CsvProfile(BaseModel):
    """One export layout of one tool, for one kind of file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    kind: Kind
    #: The tool the rows come from; part of the row ids, so variants of one tool's profile
    #: (another date order, say) give a re-imported file the same ids.
    source: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    description: str = ""
    #: Text encoding when the file has no byte-order mark (a BOM always wins).
    encoding: str = "utf-8"
    #: Tried in order when ``encoding`` fails (e.g. ``cp1252`` for files saved by Excel).
    fallback_encodings: tuple[str, ...] = ()
    #: ``None``: sniffed among ``, ; TAB |`` from the first lines.
    delimiter: str | None = None
    #: Lines before the header row (titles some exports put first).
    skip_lines: int = Field(default=0, ge=0)
    #: ``strptime`` formats tried in order; datetimes are read as their date. Never list two
    #: formats that read one text two ways (``%d/%m/%Y`` and ``%m/%d/%Y``).
    date_formats: tuple[str, ...] = ("%Y-%m-%d",)
    #: ``auto``: ``,`` when the delimiter is ``;`` (as spreadsheets in comma-decimal locales
    #: write), else ``.``.
    decimal_separator: Literal[".", ",", "auto"] = "auto"
    #: Digit grouping mark (``,`` in ``1,234.50``), removed only where it groups by three;
    #: ``auto``: the mark that is not the decimal one; empty: numbers are never grouped.
    thousands_separator: Literal["auto", "", ",", ".", " ", "'"] = "auto"
    #: ``auto``: ``H:MM[:SS]`` when the value has a colon, else decimal hours.
    duration_format: Literal["auto", "decimal", "clock"] = "auto"
    #: Currency of amounts when neither a currency column nor the header says.
    default_currency: str | None = None
    #: Approval of every row when the file has no approval column.
    assume_approved: bool = False
    true_values: tuple[str, ...] = ("yes", "y", "true", "1", "x")
    false_values: tuple[str, ...] = ("no", "n", "false", "0")
    #: Words of the approval column meaning approved / not approved (others are row errors;
    #: an empty cell is not approved).
    approved_values: tuple[str, ...] = ("yes", "y", "true", "1", "x", "approved")
    unapproved_values: tuple[str, ...] = ("no", "n", "false", "0", "pending", "submitted")
    columns: dict[str, Column]
    #: Fields hashed into the row id when there is no id column (defaults per kind).
    id_fields: tuple[str, ...] = ()

    @field_validator("default_currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value is None else check_currency(value)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError("the delimiter is one character")
        return value

    @model_validator(mode="after")
    def _check_fields(self) -> CsvProfile:
        known = FIELDS[self.kind]
        unknown = (set(self.columns) | set(self.id_fields)) - set(known)
        if unknown:
            raise ValueError(f"unknown {self.kind} fields: {', '.join(sorted(unknown))}")
        missing = [f for f in REQUIRED[self.kind] if f != "person" and f not in self.columns]
        if missing:
            raise ValueError(f"{self.kind} profiles must map {', '.join(missing)}")
        people = {"person", "person_email", "first_name", "last_name"}
        if self.kind == "timesheets" and not people & set(self.columns):
            raise ValueError("timesheet profiles must map person, first/last name or email")
        return self

    def identity_fields(self) -> tuple[str, ...]:
        return self.id_fields or DEFAULT_ID_FIELDS[self.kind]


class ProfileRegistry:
    """Profiles by ``(kind, name)``; a duplicate registration is refused."""

    def __init__(self, profiles: Iterable[CsvProfile] = ()) -> None:
        self._profiles: dict[tuple[Kind, str], CsvProfile] = {}
        for profile in profiles:
            self.register(profile)

    def register(self, profile: CsvProfile, *, replace: bool = False) -> None:
        key = (profile.kind, profile.name)
        if key in self._profiles and not replace:
            raise errors.ConfigError(f"a {profile.kind} profile named {profile.name!r} exists")
        self._profiles[key] = profile

    def get(self, kind: Kind, name: str) -> CsvProfile:
        try:
            return self._profiles[(kind, name)]
        except KeyError:
            names = ", ".join(self.names(kind)) or "none"
            raise errors.ConfigError(
                f"no {kind} CSV profile named {name!r}; known: {names}"
            ) from None

    def names(self, kind: Kind) -> list[str]:
        return sorted(name for k, name in self._profiles if k == kind)

    def all(self) -> list[CsvProfile]:
        return [self._profiles[key] for key in sorted(self._profiles)]


def parse_profiles(document: Any, *, origin: str) -> list[CsvProfile]:
    """Profiles from a parsed YAML/JSON document: ``{"profiles": [...]}`` or a bare list."""
    items = document.get("profiles") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise errors.ConfigError(f"{origin}: expected a list of profiles under 'profiles'")
    found: list[CsvProfile] = []
    for i, item in enumerate(items):
        try:
            found.append(CsvProfile.model_validate(item))
        except ValueError as exc:
            raise errors.ConfigError(f"{origin}: profile #{i + 1} is invalid: {exc}") from exc
    return found


def load_profiles(path: str | Path) -> list[CsvProfile]:
    """Custom profiles from a YAML (or JSON) file."""
    file = Path(path)
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise errors.ConfigError(f"cannot read CSV profiles from {file}: {exc}") from exc
    return parse_profiles(document, origin=str(file))


def builtin_profiles() -> list[CsvProfile]:
    text = (
        resources.files("lead2cash.connectors.csvfile")
        .joinpath("builtin_profiles.yaml")
        .read_text("utf-8")
    )
    return parse_profiles(yaml.safe_load(text), origin="builtin_profiles.yaml")


#: The built-in profiles; ``REGISTRY.register`` adds a firm's own.
REGISTRY = ProfileRegistry(builtin_profiles())


def get_profile(kind: Kind, name: str) -> CsvProfile:
    """A built-in (or registered) profile, as ``--profile NAME`` selects it."""
    return REGISTRY.get(kind, name)
