"""What every canonical object shares: a schema version and the reference of its source record."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class SourceRef(BaseModel):
    """Where a record comes from: ``system:object_type:external_id`` (the binding key)."""

    model_config = ConfigDict(frozen=True)

    system: str = Field(min_length=1, max_length=40)
    object_type: str = Field(min_length=1, max_length=60)
    external_id: str = Field(min_length=1, max_length=200)
    modified_at: AwareDatetime | None = None

    @property
    def key(self) -> str:
        return f"{self.system}:{self.object_type}:{self.external_id}"

    def __str__(self) -> str:
        return self.key


class Canonical(BaseModel):
    """Base of every canonical object: strict, versioned, traceable to its source."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    kind: ClassVar[str] = "object"
    schema_version: int = SCHEMA_VERSION
    source: SourceRef

    @property
    def modified_at(self) -> datetime | None:
        return self.source.modified_at
