"""Deals (opportunities) as the CRM holds them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from lead2cash.model.base import Canonical, SourceRef
from lead2cash.model.money import Money, StrictDecimal
from lead2cash.model.party import Contact, Customer


class LineItem(Canonical):
    """A product or service line on a deal."""

    kind = "line_item"

    name: str = Field(min_length=1)
    sku: str | None = None
    quantity: StrictDecimal = Field(default=Decimal(1))
    unit_price: Money | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class Deal(Canonical):
    """An opportunity: its stage, value, customer and the raw properties mapping reads."""

    kind = "deal"

    name: str = Field(min_length=1)
    stage: str = Field(min_length=1)
    pipeline: str | None = None
    is_won: bool = False
    amount: Money | None = None
    close_date: date | None = None
    owner: str | None = None
    customer: SourceRef | None = None
    contacts: list[SourceRef] = Field(default_factory=list)
    line_items: list[LineItem] = Field(default_factory=list)
    properties: dict[str, Any] = Field(default_factory=dict)
    archived: bool = False


class DealBundle(BaseModel):
    """A deal with the records the deal flow needs from the CRM: its customer company and
    contacts, read in one step by the CRM connector (``connectors/<crm>/canonical.py``)."""

    model_config = ConfigDict(frozen=True)

    deal: Deal
    customer: Customer | None = None
    contacts: list[Contact] = Field(default_factory=list)
