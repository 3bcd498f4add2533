"""Evaluate a :class:`MappingSpec`: deals to contracts, source users to employees, billing codes
to service products, expense categories to expense products.

Every failure is a :class:`lead2cash.errors.MappingError` (a validation-class failure) naming the
field and the rule, so the job waits in the exception queue until the mapping or the record is
fixed and the job replayed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors
from lead2cash.config.loader import fingerprint, read_yaml, validate
from lead2cash.mapping.spec import (
    CompanySpec,
    ConsultantSpec,
    ContractSpec,
    ExpenseCategorySpec,
    MappingSpec,
    ProductSpec,
    TermsSpec,
)
from lead2cash.mapping.transforms import MISSING, evaluate
from lead2cash.model.base import SourceRef
from lead2cash.model.contract import (
    ConsultantRate,
    Contract,
    FixedFee,
    Instalment,
    Milestone,
    MilestoneTerms,
    RateCard,
    Retainer,
    RoleRate,
    TimeAndMaterials,
)
from lead2cash.model.deal import Deal, LineItem
from lead2cash.model.money import ISO_4217, Money

CONTRACT_TYPES = ("time_and_materials", "milestone", "retainer", "fixed_fee")


def deal_record(deal: Deal) -> dict[str, Any]:
    """The flat view of a deal that mapping expressions read."""
    return {
        "name": deal.name,
        "stage": deal.stage,
        "pipeline": deal.pipeline,
        "is_won": deal.is_won,
        "owner": deal.owner,
        "close_date": deal.close_date,
        "amount": deal.amount.amount if deal.amount else None,
        "currency": deal.amount.currency if deal.amount else None,
        "properties": deal.properties,
        "id": deal.source.external_id,
    }


def line_record(line: LineItem) -> dict[str, Any]:
    amount = line.unit_price.amount * line.quantity if line.unit_price else None
    return {
        "name": line.name,
        "sku": line.sku,
        "quantity": line.quantity,
        "amount": amount,
        "unit_price": line.unit_price.amount if line.unit_price else None,
        "properties": line.properties,
        "id": line.source.external_id,
    }


class Mapper:
    """A loaded mapping, ready to evaluate."""

    def __init__(self, spec: MappingSpec, *, fingerprint_: str | None = None) -> None:
        self.spec = spec
        self.version = f"{spec.version}.{fingerprint_ or fingerprint(spec.model_dump(mode='json'))}"

    @classmethod
    def load(cls, path: Path) -> Mapper:
        data = read_yaml(path)
        return cls(validate(MappingSpec, data, source=str(path)), fingerprint_=fingerprint(data))

    # -- triggers -------------------------------------------------------------------------

    def is_trigger(self, system: str, deal: Deal) -> bool:
        """Whether the deal's stage starts deal_to_project for this CRM."""
        trigger = self.spec.triggers.get(system)
        if trigger is None:
            return deal.is_won
        if trigger.pipeline and deal.pipeline != trigger.pipeline:
            return False
        return deal.stage in trigger.stages

    # -- contracts ------------------------------------------------------------------------

    def _eval(self, text: str | None, record: Any, field: str) -> Any:
        if text is None:
            return MISSING
        return evaluate(text, record, self.spec.tables, field=field)

    def _need(self, text: str | None, record: Any, field: str) -> Any:
        value = self._eval(text, record, field)
        if value is MISSING:
            raise errors.MappingError(f"{field} is missing", field=field, rule="required")
        return value

    def contract_spec(self, system: str) -> ContractSpec:
        """A CRM's contract expressions: ``contracts.<system>``, else ``contract``."""
        return self.spec.contracts.get(system, self.spec.contract)

    def contract(self, deal: Deal, customer: SourceRef) -> Contract:
        """The contract a won deal commits to."""
        spec, record = self.contract_spec(deal.source.system), deal_record(deal)
        kind = self._need(spec.type, record, "contract.type")
        if kind not in CONTRACT_TYPES:
            raise errors.MappingError(
                f"unknown contract type {kind!r}",
                field="contract.type",
                rule="one of " + ", ".join(CONTRACT_TYPES),
            )
        company = self._need(spec.company, record, "contract.company")
        if company not in self.spec.companies:
            raise errors.MappingError(
                f"no company {company!r} in the mapping",
                field="contract.company",
                rule="known company",
            )
        currency = str(self._need(spec.currency, record, "contract.currency"))
        if currency not in ISO_4217:
            raise errors.MappingError(
                f"{currency!r} is not an ISO 4217 currency",
                field="contract.currency",
                rule="iso4217",
            )
        try:
            terms = self._terms(str(kind), deal, record, currency)
            return Contract(
                source=deal.source,
                name=self._need(spec.name, record, "contract.name"),
                customer=customer,
                company=company,
                currency=currency,
                terms=terms,
                start_date=self._optional_date(spec.start_date, record, "contract.start_date"),
                end_date=self._optional_date(spec.end_date, record, "contract.end_date"),
                po_number=_or_none(self._eval(spec.po_number, record, "contract.po_number")),
            )
        except PydanticValidationError as exc:
            first = exc.errors(include_input=False, include_url=False)[0]
            where = ".".join(str(p) for p in first["loc"])
            raise errors.MappingError(
                f"contract: {where}: {first['msg']}", field=f"contract.{where}", rule=first["type"]
            ) from None

    def _optional_date(self, text: str | None, record: Any, field: str) -> date | None:
        value = self._eval(text, record, field)
        return None if value is MISSING else value

    def _money(self, text: str | None, record: Any, field: str, currency: str) -> Money:
        return Money(amount=self._need(text, record, field), currency=currency)

    def _terms(
        self, kind: str, deal: Deal, record: dict[str, Any], currency: str
    ) -> TimeAndMaterials | MilestoneTerms | Retainer | FixedFee:
        t = self.contract_spec(deal.source.system).terms
        if kind == "time_and_materials":
            cap = self._eval(t.cap, record, "terms.cap")
            return TimeAndMaterials(
                rate_card=self.rate_card(
                    str(self._need(t.rate_card, record, "terms.rate_card")), currency
                ),
                cap=None if cap is MISSING else Money(amount=cap, currency=currency),
            )
        if kind == "retainer":
            rollover = self._eval(t.rollover, record, "terms.rollover")
            return Retainer(
                monthly_fee=self._money(t.monthly_fee, record, "terms.monthly_fee", currency),
                included_hours=self._need(t.included_hours, record, "terms.included_hours"),
                overage_rate=self._money(t.overage_rate, record, "terms.overage_rate", currency),
                rollover=False if rollover is MISSING else bool(rollover),
            )
        if not deal.line_items:
            raise errors.MappingError(
                f"a {kind} deal needs line items (one per "
                f"{'milestone' if kind == 'milestone' else 'instalment'})",
                field="line_items",
                rule="required",
            )
        lines = [line_record(li) for li in deal.line_items]
        if kind == "milestone":
            value = self._eval(t.contract_value, record, "terms.contract_value")
            return MilestoneTerms(
                contract_value=None if value is MISSING else Money(amount=value, currency=currency),
                milestones=[self._milestone(t, line, currency, i) for i, line in enumerate(lines)],
            )
        return FixedFee(
            total=self._money(t.total, record, "terms.total", currency),
            instalments=[self._instalment(t, line, currency, i) for i, line in enumerate(lines)],
        )

    def _share_or_amount(
        self, t: TermsSpec, line: dict[str, Any], index: int, currency: str
    ) -> dict[str, Any]:
        share = self._eval(t.line_share, line, f"line_items.{index}.share")
        if share is not MISSING:
            return {"share": share}
        return {"amount": self._money(t.line_amount, line, f"line_items.{index}.amount", currency)}

    def _milestone(
        self, t: TermsSpec, line: dict[str, Any], currency: str, index: int
    ) -> Milestone:
        due = self._eval(t.line_due_date, line, f"line_items.{index}.due_date")
        return Milestone(
            key=str(line["id"]),
            name=self._need(t.line_name, line, f"line_items.{index}.name"),
            due_date=None if due is MISSING else due,
            **self._share_or_amount(t, line, index, currency),
        )

    def _instalment(
        self, t: TermsSpec, line: dict[str, Any], currency: str, index: int
    ) -> Instalment:
        return Instalment(
            key=str(line["id"]),
            due_date=self._need(t.line_due_date, line, f"line_items.{index}.due_date"),
            **self._share_or_amount(t, line, index, currency),
        )

    def rate_card(self, name: str, currency: str) -> RateCard:
        by_currency = self.spec.rate_cards.get(name)
        if by_currency is None:
            raise errors.MappingError(
                f"no rate card {name!r}", field="terms.rate_card", rule="known rate card"
            )
        card = by_currency.get(currency)
        if card is None:
            raise errors.MappingError(
                f"rate card {name!r} has no {currency} rates",
                field="terms.rate_card",
                rule="rates in contract currency",
            )
        return RateCard(
            roles=[
                RoleRate(role=r, rate=Money(amount=v, currency=currency))
                for r, v in card.roles.items()
            ],
            overrides=[
                ConsultantRate(consultant=c, rate=Money(amount=v, currency=currency))
                for c, v in card.overrides.items()
            ],
            default_role=card.default_role,
        )

    # -- reference data -------------------------------------------------------------------

    def company(self, key: str) -> CompanySpec:
        try:
            return self.spec.companies[key]
        except KeyError:
            raise errors.MappingError(
                f"no company {key!r} in the mapping", field="company", rule="known company"
            ) from None

    def consultant(self, system: str, user_id: str) -> ConsultantSpec | None:
        """The mapped employee of a source user, or None (then match by e-mail if allowed)."""
        return self.spec.consultants.get(system, {}).get(str(user_id))

    def deal_project(self, project: SourceRef, code: str | None) -> SourceRef:
        """The binding of the Odoo project a tool's project delivers: ``<crm>:project:<deal>``,
        which deal_to_project binds when it confirms the deal's sale order."""
        link = self.spec.project_links.get(project.system)
        if link is None:
            raise errors.MappingError(
                f"the mapping has no project_links entry for {project.system}",
                field="project_links",
                rule="known tool",
            )
        if not code or not code.strip():
            raise errors.MappingError(
                f"project {project.key} has no code naming its {link.crm} deal",
                field="project.code",
                rule="required",
            )
        return SourceRef(system=link.crm, object_type="project", external_id=code.strip())

    def product_for(self, billing_code: str | None) -> ProductSpec:
        if billing_code and billing_code in self.spec.billing_codes.codes:
            return self.spec.billing_codes.codes[billing_code]
        return self.spec.billing_codes.default

    def expense_category(self, category: str | None) -> ExpenseCategorySpec:
        if not category:
            raise errors.MappingError(
                "the expense has no category", field="category", rule="required"
            )
        found = self.spec.expense_categories.get(category)
        if found is None:
            raise errors.MappingError(
                f"expense category {category!r} is not mapped",
                field="category",
                rule="known category",
            )
        return found


def _or_none(value: Any) -> Any:
    return None if value is MISSING else value
