"""The canonical model: pydantic objects the flows speak. No I/O here.

Money is :class:`Money` (Decimal + ISO 4217). Every object carries its :class:`SourceRef` and a
``schema_version``.
"""

from __future__ import annotations

from lead2cash.model.base import SCHEMA_VERSION, Canonical, SourceRef
from lead2cash.model.contract import (
    BillingTerms,
    ConsultantRate,
    Contract,
    ExpensePolicy,
    FixedFee,
    Instalment,
    Milestone,
    MilestoneTerms,
    RateCard,
    ReinvoicePolicy,
    Retainer,
    RoleRate,
    TimeAndMaterials,
)
from lead2cash.model.deal import Deal, DealBundle, LineItem
from lead2cash.model.invoice import Invoice, InvoiceState, Payment, PaymentState
from lead2cash.model.money import Money, round_amount
from lead2cash.model.party import Address, Company, Contact, Customer
from lead2cash.model.work import Consultant, Expense, Project, Task, TimeEntry

__all__ = [
    "SCHEMA_VERSION",
    "Address",
    "BillingTerms",
    "Canonical",
    "Company",
    "Consultant",
    "ConsultantRate",
    "Contact",
    "Contract",
    "Customer",
    "Deal",
    "DealBundle",
    "Expense",
    "ExpensePolicy",
    "FixedFee",
    "Instalment",
    "Invoice",
    "InvoiceState",
    "LineItem",
    "Milestone",
    "MilestoneTerms",
    "Money",
    "Payment",
    "PaymentState",
    "Project",
    "RateCard",
    "ReinvoicePolicy",
    "Retainer",
    "RoleRate",
    "SourceRef",
    "Task",
    "TimeAndMaterials",
    "TimeEntry",
    "round_amount",
]
