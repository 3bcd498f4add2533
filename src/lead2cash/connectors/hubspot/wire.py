"""Pydantic models of HubSpot's JSON as it is on the wire (reference §1.2 to §1.7).

Everything HubSpot sends is modelled leniently (``extra="allow"``, optional fields optional):
the hub must keep working when HubSpot adds a field. Property values are strings (or null);
ids are strings, though some v4 association answers carry numbers, which are read as strings.
Times are ISO 8601 (``2026-03-02T09:00:00.123Z``) or epoch milliseconds; both are read as aware
UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def parse_time(value: Any) -> datetime:
    """A HubSpot time (ISO 8601 text, or epoch milliseconds as text or number) in UTC."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("HubSpot times are UTC; got a naive datetime")
        return value.astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def epoch_ms(value: datetime) -> int:
    """An aware datetime as epoch milliseconds (what search filters on datetimes take)."""
    if value.tzinfo is None:
        raise ValueError("datetimes sent to HubSpot must be timezone-aware")
    return int(value.timestamp() * 1000)


def _property_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _id_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class PropertyVersion(Wire):
    value: str | None = None
    timestamp: datetime | None = None
    source_type: str | None = Field(default=None, alias="sourceType")

    _time = field_validator("timestamp", mode="before")(
        lambda v: None if v is None else parse_time(v)
    )


class AssociatedId(Wire):
    id: str
    type: str | None = None

    _id = field_validator("id", mode="before")(_id_text)


class NextPage(Wire):
    after: str
    link: str | None = None

    _after = field_validator("after", mode="before")(_id_text)


class Paging(Wire):
    next: NextPage | None = None


class AssociationList(Wire):
    results: list[AssociatedId] = Field(default_factory=list)
    paging: Paging | None = None


class CrmObject(Wire):
    """``SimplePublicObject`` (``...WithAssociations`` when ``associations=`` was asked)."""

    id: str
    properties: dict[str, str | None] = Field(default_factory=dict)
    properties_with_history: dict[str, list[PropertyVersion]] | None = Field(
        default=None, alias="propertiesWithHistory"
    )
    created_at: datetime = Field(alias="createdAt")
    updated_at: datetime = Field(alias="updatedAt")
    archived: bool = False
    archived_at: datetime | None = Field(default=None, alias="archivedAt")
    associations: dict[str, AssociationList] | None = None

    _id = field_validator("id", mode="before")(_id_text)
    _times = field_validator("created_at", "updated_at", "archived_at", mode="before")(
        lambda v: None if v is None else parse_time(v)
    )

    @field_validator("properties", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: _property_text(v) for k, v in value.items()}
        return value

    def prop(self, name: str) -> str | None:
        """A property's value; ``None`` when unset or empty (HubSpot clears with "")."""
        value = self.properties.get(name)
        return value if value not in (None, "") else None

    def decimal(self, name: str) -> Decimal | None:
        """A number property as an exact Decimal (``amount``, ``price``...)."""
        text = self.prop(name)
        if text is None:
            return None
        try:
            return Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"property {name}={text!r} is not a number") from exc

    def time(self, name: str) -> datetime | None:
        """A datetime property (ISO text or epoch ms) as aware UTC."""
        text = self.prop(name)
        return None if text is None else parse_time(text)

    def modified(self, modified_property: str) -> datetime:
        """When the record last changed: the modified property, else ``updatedAt``."""
        return self.time(modified_property) or self.updated_at


class ObjectPage(Wire):
    """``CollectionResponseSimplePublicObjectWithAssociationsForwardPaging``."""

    results: list[CrmObject] = Field(default_factory=list)
    paging: Paging | None = None

    @property
    def next_after(self) -> str | None:
        return None if self.paging is None or self.paging.next is None else self.paging.next.after


class SearchPage(ObjectPage):
    """``CollectionResponseWithTotalSimplePublicObjectForwardPaging``."""

    total: int = 0


class BatchResult(Wire):
    """``BatchResponseSimplePublicObject`` (HTTP 200/201, or 207 with ``errors``)."""

    status: str = "COMPLETE"
    results: list[CrmObject] = Field(default_factory=list)
    errors: list[ErrorBody] = Field(default_factory=list)
    num_errors: int | None = Field(default=None, alias="numErrors")


# -- associations v4 ---------------------------------------------------------------------------


class AssociationType(Wire):
    category: str = "HUBSPOT_DEFINED"
    type_id: int = Field(alias="typeId")
    label: str | None = None


class AssociatedObject(Wire):
    """One associated record of a v4 read: its id and the association types to it."""

    to_object_id: str = Field(alias="toObjectId")
    association_types: list[AssociationType] = Field(default_factory=list, alias="associationTypes")

    _id = field_validator("to_object_id", mode="before")(_id_text)


class AssociationPage(Wire):
    results: list[AssociatedObject] = Field(default_factory=list)
    paging: Paging | None = None


class ObjectId(Wire):
    id: str

    _id = field_validator("id", mode="before")(_id_text)


class BatchAssociationResult(Wire):
    from_: ObjectId = Field(alias="from")
    to: list[AssociatedObject] = Field(default_factory=list)
    paging: Paging | None = None


class BatchAssociations(Wire):
    status: str = "COMPLETE"
    results: list[BatchAssociationResult] = Field(default_factory=list)
    errors: list[ErrorBody] = Field(default_factory=list)
    num_errors: int | None = Field(default=None, alias="numErrors")


class AssociationLabel(Wire):
    category: str = "HUBSPOT_DEFINED"
    type_id: int = Field(alias="typeId")
    label: str | None = None


# -- pipelines ---------------------------------------------------------------------------------


class PipelineStage(Wire):
    id: str
    label: str = ""
    display_order: int = Field(default=0, alias="displayOrder")
    metadata: dict[str, str] = Field(default_factory=dict)
    archived: bool = False

    @field_validator("metadata", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in value.items()}
        return value

    @property
    def is_closed(self) -> bool:
        return self.metadata.get("isClosed", "false").lower() == "true"

    @property
    def probability(self) -> Decimal | None:
        text = self.metadata.get("probability")
        try:
            return None if text is None else Decimal(text)
        except InvalidOperation:
            return None

    @property
    def is_won(self) -> bool:
        """Closed with probability 1: "won" in any pipeline, whatever the stage id (§1.4)."""
        return self.is_closed and self.probability == 1


class Pipeline(Wire):
    id: str
    label: str = ""
    display_order: int = Field(default=0, alias="displayOrder")
    archived: bool = False
    stages: list[PipelineStage] = Field(default_factory=list)

    def stage(self, stage_id: str) -> PipelineStage | None:
        return next((s for s in self.stages if s.id == stage_id), None)


class Pipelines(Wire):
    results: list[Pipeline] = Field(default_factory=list)


# -- errors ------------------------------------------------------------------------------------


class ErrorDetail(Wire):
    message: str | None = None
    code: str | None = None
    sub_category: str | None = Field(default=None, alias="subCategory")
    in_: str | None = Field(default=None, alias="in")


class ErrorBody(Wire):
    """HubSpot's error body; every field optional (reference §1.7)."""

    status: str | None = None
    message: str | None = None
    correlation_id: str | None = Field(default=None, alias="correlationId")
    category: str | None = None
    sub_category: Any = Field(default=None, alias="subCategory")
    errors: list[ErrorDetail] = Field(default_factory=list)
    context: dict[str, Any] | None = None
    #: On 429: ``TEN_SECONDLY_ROLLING``, ``SECONDLY`` (search) or ``DAILY``.
    policy_name: str | None = Field(default=None, alias="policyName")
    error_type: str | None = Field(default=None, alias="errorType")
    request_id: str | None = Field(default=None, alias="requestId")


# -- search requests ---------------------------------------------------------------------------

Operator = Literal[
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
]


class Filter(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    property_name: str = Field(alias="propertyName")
    operator: Operator
    value: str | None = None
    high_value: str | None = Field(default=None, alias="highValue")
    values: list[str] | None = None


class FilterGroup(BaseModel):
    model_config = ConfigDict(frozen=True)

    filters: list[Filter]


class Sort(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    property_name: str = Field(alias="propertyName")
    direction: Literal["ASCENDING", "DESCENDING"] = "ASCENDING"


class SearchRequest(BaseModel):
    """``PublicObjectSearchRequest``."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    filter_groups: list[FilterGroup] = Field(default_factory=list, alias="filterGroups")
    sorts: list[Sort] = Field(default_factory=list)
    properties: list[str] = Field(default_factory=list)
    limit: int = Field(default=200, ge=1, le=200)
    after: str | None = None
    query: str | None = Field(default=None, max_length=3000)

    def body(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


BatchResult.model_rebuild()
BatchAssociations.model_rebuild()
