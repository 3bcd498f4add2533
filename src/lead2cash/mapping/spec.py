"""The schema of a mapping file (``mappings.yaml``).

Example::

    version: 4
    tables:
      contract_types: {"T&M": time_and_materials, Retainer: retainer, Fixed: fixed_fee,
                       Milestones: milestone}
      business_units: {Benelux: be, UK: uk}
    triggers:
      hubspot: {pipeline: default, stages: [contractsigned, closedwon]}
      salesforce: {stages: [Contract Approved]}
    contract:
      name: "properties.dealname | strip | required"
      type: "properties.contract_type | map:contract_types"
      company: "properties.business_unit | map:business_units | default:be"
      currency: "properties.deal_currency_code | upper"
      ...
    rate_cards:
      standard:
        EUR: {roles: {senior: "150", junior: "95"}, default_role: junior}
    consultants:
      harvest: {"1001": {employee: "Alice Martin", role: senior}}
    billing_codes:
      default: {product: "Consulting (T&M)"}
      codes: {PM: {product: "Project management"}}
    expense_categories:
      Travel: {product: "Travel", reinvoice: cost}
      Meals: {product: "Meals", reinvoice: sales_price, markup: "0.10"}

Odoo records are named by external id (``module.name``) or by name, never by numeric id, so a
mapping promotes from one database to the next.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lead2cash.mapping.transforms import Expression
from lead2cash.model.contract import ReinvoicePolicy
from lead2cash.model.money import Currency, StrictDecimal


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _expression(value: str) -> str:
    Expression.parse(value)  # raises ConfigError on an unknown transform
    return value


class StageTrigger(_Spec):
    """The deal stages (in an optional pipeline) that start deal_to_project."""

    pipeline: str | None = None
    stages: list[str] = Field(min_length=1)


class TermsSpec(_Spec):
    """Expressions for each contract type's parameters (evaluated on the deal)."""

    rate_card: str = "const:standard"
    cap: str | None = None
    monthly_fee: str | None = None
    included_hours: str | None = None
    overage_rate: str | None = None
    rollover: str | None = None
    total: str = "amount | decimal"
    contract_value: str = "amount | decimal"
    #: For milestones and instalments: read from the deal's line items.
    line_name: str = "name | required"
    line_amount: str = "amount | decimal"
    line_share: str | None = "properties.share | decimal"
    line_due_date: str = "properties.due_date | date"

    @field_validator("*")
    @classmethod
    def _parse(cls, value: str | None) -> str | None:
        return None if value is None else _expression(value)


class ContractSpec(_Spec):
    name: str = "name | strip | required"
    type: str
    company: str
    currency: str
    start_date: str | None = None
    end_date: str | None = None
    po_number: str | None = None
    terms: TermsSpec = Field(default_factory=TermsSpec)

    @field_validator("name", "type", "company", "currency", "start_date", "end_date", "po_number")
    @classmethod
    def _parse(cls, value: str | None) -> str | None:
        return None if value is None else _expression(value)


class RateCardSpec(_Spec):
    roles: dict[str, StrictDecimal] = Field(min_length=1)
    overrides: dict[str, StrictDecimal] = Field(default_factory=dict)
    default_role: str | None = None

    @model_validator(mode="after")
    def _default_known(self) -> RateCardSpec:
        if self.default_role and self.default_role not in self.roles:
            raise ValueError(f"default_role {self.default_role!r} has no rate")
        return self


class ConsultantSpec(_Spec):
    employee: str = Field(min_length=1)  # Odoo employee: external id or name
    role: str | None = None


class ProductSpec(_Spec):
    product: str = Field(min_length=1)  # Odoo product: external id or name
    billable: bool = True


class BillingCodes(_Spec):
    default: ProductSpec
    codes: dict[str, ProductSpec] = Field(default_factory=dict)


class ExpenseCategorySpec(_Spec):
    product: str = Field(min_length=1)
    reinvoice: ReinvoicePolicy = ReinvoicePolicy.COST
    markup: StrictDecimal = Field(default=Decimal(0), ge=0)


class ProjectLinkSpec(_Spec):
    """How a time or expense tool's project names the deal it delivers: its project code
    is the deal's id in ``crm`` (``hubspot`` or ``salesforce``)."""

    crm: str = Field(min_length=1)


class CompanySpec(_Spec):
    odoo_company: str = Field(min_length=1)  # external id or name of the res.company
    currency: Currency


class MappingSpec(_Spec):
    """A whole mapping file. ``version`` is recorded on every job that ran with it."""

    version: int = Field(ge=1)
    tables: dict[str, dict[str, str]] = Field(default_factory=dict)
    companies: dict[str, CompanySpec] = Field(min_length=1)
    triggers: dict[str, StageTrigger] = Field(default_factory=dict)
    contract: ContractSpec
    #: per-CRM overrides of ``contract`` (Salesforce custom fields are named differently)
    contracts: dict[str, ContractSpec] = Field(default_factory=dict)
    rate_cards: dict[str, dict[Currency, RateCardSpec]] = Field(default_factory=dict)
    consultants: dict[str, dict[str, ConsultantSpec]] = Field(default_factory=dict)
    match_consultants_by_email: bool = True
    billing_codes: BillingCodes
    expense_categories: dict[str, ExpenseCategorySpec] = Field(default_factory=dict)
    #: tool (``harvest``, a CSV profile's source) → how its project codes name CRM deals
    project_links: dict[str, ProjectLinkSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _tables_exist(self) -> MappingSpec:
        used: set[str] = set()
        exprs: list[str | None] = []
        for contract in (self.contract, *self.contracts.values()):
            exprs += [
                contract.name,
                contract.type,
                contract.company,
                contract.currency,
                contract.start_date,
                contract.end_date,
                contract.po_number,
                *contract.terms.model_dump().values(),
            ]
        for text in exprs:
            if text:
                used |= Expression.parse(text).tables_used()
        missing = sorted(used - set(self.tables))
        if missing:
            raise ValueError(f"lookup table(s) used but not defined: {', '.join(missing)}")
        return self
