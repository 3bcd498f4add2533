"""Salesforce JSON as it is on the wire (REST API, OAuth token endpoint).

Records keep Salesforce's field names. Numbers are read as Decimal (money is never a float) and
date-times as aware UTC datetimes (Salesforce writes ``2026-03-01T10:00:00.000+0000``). Models
allow extra fields: orgs add custom fields, and queries choose their columns.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


def loads(data: bytes | str) -> Any:
    """JSON with fractions as Decimal."""
    return json.loads(data, parse_float=Decimal)


def _write(value: Any, out: list[str]) -> None:
    if value is None or isinstance(value, bool | str | int):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("cannot send a non-finite number")
        out.append(format(value, "f"))
    elif isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes sent to Salesforce must be timezone-aware")
        out.append(json.dumps(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")))
    elif isinstance(value, date):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, Mapping):
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            out.append(("," if i else "") + json.dumps(str(key)) + ":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, Sequence):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"cannot send {type(value).__name__} to Salesforce (floats neither)")


def dumps(value: Any) -> bytes:
    """A request body: Decimals digit for digit, dates ISO, date-times in UTC."""
    out: list[str] = []
    _write(value, out)
    return "".join(out).encode()


_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_datetime(value: str) -> datetime:
    """``2026-03-01T10:00:00.000+0000`` (or ``Z``, ``+00:00``) as an aware UTC datetime."""
    text = _OFFSET.sub(r"\1:\2", value.strip().replace("Z", "+00:00"))
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError(f"a Salesforce date-time without a zone: {value!r}")
    return parsed.astimezone(UTC)


def iso_param(value: datetime) -> str:
    """A date-time query parameter as Salesforce's examples write it: ``...T10:00:00+00:00``."""
    if value.tzinfo is None:
        raise ValueError("date-times sent to Salesforce must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def soql_datetime(value: datetime) -> str:
    """A SOQL date-time literal (unquoted, UTC): ``2026-03-01T10:00:00Z``."""
    if value.tzinfo is None:
        raise ValueError("SOQL date-times must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def soql_string(value: str) -> str:
    """A quoted, escaped SOQL string literal."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace("'", "\\'")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f"'{escaped}'"


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Stamped(Wire):
    """Anything with Salesforce's system timestamps."""

    Id: str
    SystemModstamp: datetime | None = None
    LastModifiedDate: datetime | None = None
    CreatedDate: datetime | None = None

    @field_validator("SystemModstamp", "LastModifiedDate", "CreatedDate", mode="before")
    @classmethod
    def _datetime(cls, value: Any) -> Any:
        return parse_datetime(value) if isinstance(value, str) else value


class ApiError(Wire):
    """One item of an error answer ``[{"message", "errorCode", "fields"}]``."""

    message: str = ""
    errorCode: str = ""
    fields: list[str] = Field(default_factory=list)


class OAuthError(Wire):
    error: str = ""
    error_description: str = ""


class TokenResponse(Wire):
    access_token: str
    instance_url: str
    id: str | None = None
    token_type: str = "Bearer"  # noqa: S105 - a token type, not a secret
    scope: str | None = None
    issued_at: str | None = None
    signature: str | None = None


class ApiVersion(Wire):
    label: str
    url: str
    version: str


class QueryResult(Wire):
    """One batch of a SOQL result."""

    totalSize: int
    done: bool
    nextRecordsUrl: str | None = None
    records: list[dict[str, Any]]


class Account(Stamped):
    Name: str | None = None
    AccountNumber: str | None = None
    Type: str | None = None
    Industry: str | None = None
    Phone: str | None = None
    Website: str | None = None
    BillingStreet: str | None = None
    BillingCity: str | None = None
    BillingState: str | None = None
    BillingPostalCode: str | None = None
    BillingCountry: str | None = None
    CurrencyIsoCode: str | None = None


class Contact(Wire):
    Id: str | None = None
    FirstName: str | None = None
    LastName: str | None = None
    Email: str | None = None
    Phone: str | None = None
    Title: str | None = None


class OpportunityLineItem(Wire):
    Id: str
    OpportunityId: str | None = None
    Product2Id: str | None = None
    PricebookEntryId: str | None = None
    ProductName: str | None = None
    ProductCode: str | None = None
    Quantity: Decimal | None = None
    UnitPrice: Decimal | None = None
    TotalPrice: Decimal | None = None
    ServiceDate: date | None = None
    Description: str | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> OpportunityLineItem:
        product = record.get("Product2") or {}
        flat = {k: v for k, v in record.items() if k != "Product2"}
        flat["ProductName"] = product.get("Name")
        flat.setdefault("ProductCode", product.get("ProductCode"))
        return cls.model_validate(flat)


_Contact = Contact
_Account = Account


class OpportunityContactRole(Wire):
    Id: str
    ContactId: str | None = None
    Role: str | None = None
    IsPrimary: bool = False
    Contact: _Contact | None = None


class Opportunity(Stamped):
    Name: str | None = None
    AccountId: str | None = None
    Amount: Decimal | None = None
    CloseDate: date | None = None
    StageName: str | None = None
    IsClosed: bool | None = None
    IsWon: bool | None = None
    Probability: Decimal | None = None
    Type: str | None = None
    LeadSource: str | None = None
    OwnerId: str | None = None
    Pricebook2Id: str | None = None
    Description: str | None = None
    CurrencyIsoCode: str | None = None
    Account: _Account | None = None


class DeletedRecord(Wire):
    id: str
    deletedDate: datetime

    @field_validator("deletedDate", mode="before")
    @classmethod
    def _datetime(cls, value: Any) -> Any:
        return parse_datetime(value) if isinstance(value, str) else value


class DeletedResult(Wire):
    deletedRecords: list[DeletedRecord]
    earliestDateAvailable: datetime | None = None
    latestDateCovered: datetime | None = None

    @field_validator("earliestDateAvailable", "latestDateCovered", mode="before")
    @classmethod
    def _datetime(cls, value: Any) -> Any:
        return parse_datetime(value) if isinstance(value, str) else value


class UpdatedResult(Wire):
    ids: list[str]
    latestDateCovered: datetime | None = None

    @field_validator("latestDateCovered", mode="before")
    @classmethod
    def _datetime(cls, value: Any) -> Any:
        return parse_datetime(value) if isinstance(value, str) else value


class SaveResult(Wire):
    """``POST sobjects/<T>`` and upsert answers."""

    id: str
    success: bool = True
    errors: list[Any] = Field(default_factory=list)
    created: bool | None = None
