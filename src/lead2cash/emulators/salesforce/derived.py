"""Salesforce's derived fields: what the org computes when a record is written.

* Contact and User ``Name`` from first and last name.
* Opportunity: ``StageName`` sets ``IsClosed``, ``IsWon``, ``ForecastCategory`` and (unless
  given in the same write) ``ForecastCategoryName`` and ``Probability`` from the org's stage;
  ``Amount`` is the sum of the line items' ``TotalPrice`` when there are line items
  (``HasOpportunityLineItem``); ``ExpectedRevenue``, ``FiscalYear`` and ``FiscalQuarter``.
* OpportunityLineItem: ``Product2Id`` and ``ListPrice`` from the price book entry; either
  ``UnitPrice`` or ``TotalPrice`` (not both on insert) and the other from ``Quantity`` (and
  ``Discount``); ``Name`` and ``ProductCode``.
* PricebookEntry ``Name`` and ``ProductCode`` from the product.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from lead2cash.emulators.salesforce.schema import ObjectDef
from lead2cash.emulators.salesforce.values import ApiError

Row = dict[str, Any]


class Lookups(Protocol):
    """What deriving needs from the org's records."""

    def live(self, record_id: str | None) -> Row | None: ...

    def stage(self, name: str | None) -> Row | None: ...

    def children(self, child: str, field: str, parent_id: str) -> list[Row]: ...


@dataclass(frozen=True)
class Stage:
    api_name: str
    probability: int
    forecast: str
    is_closed: bool = False
    is_won: bool = False

    def row(self, sort_order: int) -> dict[str, Any]:
        labels = {"Pipeline": "Pipeline", "BestCase": "Best Case", "Commit": "Commit"}
        return {
            "ApiName": self.api_name,
            "MasterLabel": self.api_name,
            "IsActive": True,
            "IsClosed": self.is_closed,
            "IsWon": self.is_won,
            "DefaultProbability": Decimal(self.probability),
            "ForecastCategory": self.forecast,
            "ForecastCategoryName": labels.get(self.forecast, self.forecast),
            "SortOrder": sort_order,
        }


#: Salesforce's standard sales process, plus "Contract Approved": an org-specific won stage
#: (which is why the hub filters ``IsWon = true``, not ``StageName = 'Closed Won'``).
DEFAULT_STAGES = [
    Stage("Prospecting", 10, "Pipeline"),
    Stage("Qualification", 10, "Pipeline"),
    Stage("Needs Analysis", 20, "Pipeline"),
    Stage("Value Proposition", 50, "Pipeline"),
    Stage("Id. Decision Makers", 60, "Pipeline"),
    Stage("Perception Analysis", 70, "Pipeline"),
    Stage("Proposal/Price Quote", 75, "Pipeline"),
    Stage("Negotiation/Review", 90, "Pipeline"),
    Stage("Contract Approved", 100, "Closed", is_closed=True, is_won=True),
    Stage("Closed Won", 100, "Closed", is_closed=True, is_won=True),
    Stage("Closed Lost", 0, "Omitted", is_closed=True),
]


def derive(
    data: Lookups, obj: ObjectDef, row: Row, changed: Mapping[str, Any], *, creating: bool
) -> None:
    name = obj.name
    if name in ("Contact", "User"):
        row["Name"] = " ".join(p for p in (row.get("FirstName"), row.get("LastName")) if p)
    elif name == "Opportunity":
        derive_opportunity(data, row, changed)
    elif name == "OpportunityLineItem":
        derive_line_item(data, row, changed, creating=creating)
    elif name == "PricebookEntry":
        product = data.live(row.get("Product2Id"))
        row["Name"] = product["Name"] if product else None
        row["ProductCode"] = product["ProductCode"] if product else None


def derive_opportunity(data: Lookups, row: Row, changed: Mapping[str, Any]) -> None:
    stage = data.stage(row.get("StageName"))
    if stage is not None:
        row["IsClosed"] = stage["IsClosed"]
        row["IsWon"] = stage["IsWon"]
        row["ForecastCategory"] = stage["ForecastCategory"]
        if "StageName" in changed and "ForecastCategoryName" not in changed:
            row["ForecastCategoryName"] = stage["ForecastCategoryName"]
        if "StageName" in changed and "Probability" not in changed:
            row["Probability"] = stage["DefaultProbability"]
    items = data.children("OpportunityLineItem", "OpportunityId", row["Id"])
    row["HasOpportunityLineItem"] = bool(items)
    if items:
        row["Amount"] = sum((i["TotalPrice"] or Decimal(0) for i in items), Decimal(0))
    amount, probability = row.get("Amount"), row.get("Probability")
    row["ExpectedRevenue"] = (
        (amount * probability / 100).quantize(Decimal("0.01"))
        if amount is not None and probability is not None
        else None
    )
    close: date | None = row.get("CloseDate")
    row["FiscalYear"] = close.year if close else None
    row["FiscalQuarter"] = (close.month - 1) // 3 + 1 if close else None


def derive_line_item(
    data: Lookups, row: Row, changed: Mapping[str, Any], *, creating: bool
) -> None:
    entry = data.live(row.get("PricebookEntryId"))
    if entry is not None:
        row["Product2Id"] = row.get("Product2Id") or entry["Product2Id"]
        row["ListPrice"] = entry["UnitPrice"]
    both = changed.get("UnitPrice") is not None and changed.get("TotalPrice") is not None
    if creating and both:
        raise ApiError(
            400,
            "FIELD_INTEGRITY_EXCEPTION",
            "field integrity exception: TotalPrice (must specify either TotalPrice or "
            "UnitPrice; but not both)",
            ["TotalPrice"],
        )
    quantity: Decimal | None = row["Quantity"]
    if quantity is None or quantity <= 0:
        raise ApiError(400, "FIELD_INTEGRITY_EXCEPTION", "Quantity must be positive", ["Quantity"])
    if "TotalPrice" in changed and "UnitPrice" not in changed and row["TotalPrice"] is not None:
        row["UnitPrice"] = row["TotalPrice"] / quantity
    else:
        if row.get("UnitPrice") is None:
            row["UnitPrice"] = row.get("ListPrice")
        if row.get("UnitPrice") is None:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                "field integrity exception: TotalPrice (must specify either TotalPrice or "
                "UnitPrice)",
                ["UnitPrice"],
            )
        total = quantity * row["UnitPrice"]
        discount = row.get("Discount")
        if discount:
            total = total * (100 - discount) / 100
        row["TotalPrice"] = total.quantize(Decimal("0.01"))
    product = data.live(row.get("Product2Id"))
    opportunity = data.live(row.get("OpportunityId"))
    row["ProductCode"] = product["ProductCode"] if product else None
    names = [r["Name"] for r in (opportunity, product) if r is not None and r["Name"]]
    row["Name"] = " ".join(names) or None
