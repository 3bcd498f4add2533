"""Contract billing: the exact rules of what a contract bills for a month (pure, no I/O).

:func:`propose` takes a canonical :class:`~lead2cash.model.contract.Contract`, a
:class:`Period`, the period's time entries and expenses, and the :class:`BillingLedger` of what
earlier runs billed; it returns a :class:`BillingProposal`: traceable :class:`BillLine`\\ s,
:class:`Finding`\\ s (blocks, warnings and information, with hours and amounts) and the ledger
to store for the next run. Money is Decimal, rounded per line to the currency's minor unit.
"""

from __future__ import annotations

from lead2cash.billing.ledger import BillingLedger
from lead2cash.billing.period import Period
from lead2cash.billing.proposal import (
    SEVERITY,
    BillingProposal,
    BillLine,
    Finding,
    FindingKind,
    LineKind,
    RetainerUsage,
    Severity,
)
from lead2cash.billing.rules import ConsultantKey, RoleOf, propose
from lead2cash.billing.rules_expenses import ExchangeRate

__all__ = [
    "SEVERITY",
    "BillLine",
    "BillingLedger",
    "BillingProposal",
    "ConsultantKey",
    "ExchangeRate",
    "Finding",
    "FindingKind",
    "LineKind",
    "Period",
    "RetainerUsage",
    "RoleOf",
    "Severity",
    "propose",
]
