"""Parties: the firm's own legal entities, its customers and their contacts."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lead2cash.model.base import Canonical, SourceRef
from lead2cash.model.money import Currency


class Company(BaseModel):
    """One of the firm's legal entities (an Odoo ``res.company``), referenced by key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1)
    name: str = Field(min_length=1)
    currency: Currency
    country: str | None = Field(default=None, min_length=2, max_length=2)


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    street: str | None = None
    street2: str | None = None
    city: str | None = None
    zip: str | None = None
    state: str | None = None
    country: str | None = Field(default=None, min_length=2, max_length=2)

    @field_validator("country")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class Customer(Canonical):
    """A client organisation, as the CRM knows it."""

    kind = "customer"

    name: str = Field(min_length=1)
    vat: str | None = None
    domain: str | None = None
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None
    address: Address = Field(default_factory=Address)
    company: str | None = None  # key of the firm's legal entity that serves it

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str | None) -> str | None:
        if not value:
            return None
        value = value.lower().removeprefix("https://").removeprefix("http://")
        return value.removeprefix("www.").split("/")[0] or None


class Contact(Canonical):
    """A person at a customer."""

    kind = "contact"

    name: str = Field(min_length=1)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    phone: str | None = None
    job_title: str | None = None
    customer: SourceRef | None = None
