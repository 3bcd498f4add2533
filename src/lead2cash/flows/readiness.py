"""The billing readiness report: per contract and period, what a billing run would invoice and
what keeps money from being billed (the revenue-leakage view).

Per contract, with hours and amounts in the contract's currency:

- ``would_invoice``: the proposal's total (what ``l2c billing run`` drafts), or what the
  period's run drafted when it already ran;
- ``not_in_odoo``: approved time the time tool has for the period and Odoo does not (not synced
  yet, or failed), at the rate card's rate;
- ``held``: time and expense records of the contract's project waiting in the exception queue
  or parked (``l2c jobs list`` shows them);
- ``over_cap``: hours and amount beyond a not-to-exceed cap, not billed;
- ``rate_mismatch``: synced hours whose Odoo price differs from the rate card's rate on their
  day (the amount the invoice would be off by);
- ``expense_problems``: the period's expenses without a mapped category or a receipt;
- ``milestones_ready``: milestones reached and not yet invoiced.

The report reads only; a contract whose inputs cannot be read is listed with the reason.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from lead2cash import errors
from lead2cash.billing.period import Period
from lead2cash.billing.proposal import FindingKind, LineKind
from lead2cash.connectors.harvest.canonical import expense as harvest_expense
from lead2cash.connectors.harvest.canonical import project_codes, time_entry
from lead2cash.flows.billing import Billable, load, proposal_for
from lead2cash.flows.deal_to_project import deal_bindings, project_ref
from lead2cash.flows.runtime import Hub
from lead2cash.model.base import SourceRef
from lead2cash.model.contract import TimeAndMaterials
from lead2cash.model.money import round_amount
from lead2cash.model.work import Expense, TimeEntry
from lead2cash.store.jobs import JobFilter

HELD_STATES = ["exception", "parked", "dead"]
WORK_KINDS = [
    "timesheets.batch",
    "timesheets.entry",
    "csv.timesheets.import",
    "expenses.batch",
    "expenses.entry",
    "csv.expenses.import",
]


@dataclass
class Readiness:
    contract: str
    name: str = ""
    terms: str = ""
    currency: str = ""
    status: str = "ready"  # ready | blocked | billed | nothing | error
    would_invoice: Decimal = Decimal(0)
    not_in_odoo_hours: Decimal = Decimal(0)
    not_in_odoo_amount: Decimal = Decimal(0)
    held_records: int = 0
    held_hours: Decimal = Decimal(0)
    over_cap_hours: Decimal = Decimal(0)
    over_cap_amount: Decimal = Decimal(0)
    rate_mismatch_hours: Decimal = Decimal(0)
    rate_mismatch_amount: Decimal = Decimal(0)
    expense_problems: int = 0
    expense_problem_amount: Decimal = Decimal(0)
    milestones_ready: int = 0
    milestones_ready_amount: Decimal = Decimal(0)
    notes: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, Any]:
        row = {k: (f"{v:f}" if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}
        row["notes"] = "; ".join(self.notes)
        return row


@dataclass
class _Source:
    """The time tool's view of the period, by deal project key."""

    entries: dict[str, list[TimeEntry]] = field(default_factory=lambda: defaultdict(list))
    expenses: dict[str, list[Expense]] = field(default_factory=lambda: defaultdict(list))


def report(hub: Hub, period: Period) -> list[Readiness]:
    source = _source(hub, period)
    held = _held(hub)
    rows: list[Readiness] = []
    for binding in deal_bindings(hub):
        key = str(binding.key)
        row = Readiness(contract=key)
        try:
            item = load(hub, binding, period)
            _fill(hub, row, item, period, source, held)
        except errors.Lead2CashError as exc:
            row.status = "error"
            row.notes.append(str(exc))
        rows.append(row)
    return rows


def _source(hub: Hub, period: Period) -> _Source:
    found = _Source()
    client = hub.harvest
    if client is None:
        return found
    codes = project_codes(client)
    for wire_entry in client.list_time_entries(from_=period.start, to=period.end):
        entry = time_entry(wire_entry, codes)
        if not entry.approved or entry.deleted:
            continue
        try:
            project = hub.mapper.deal_project(entry.project, entry.project_code)
        except errors.Lead2CashError:
            continue
        found.entries[project.key].append(entry)
    for wire_expense in client.list_expenses(from_=period.start, to=period.end):
        try:
            item = harvest_expense(wire_expense)
            if item.project is None or not item.approved or item.deleted:
                continue
            where = hub.mapper.deal_project(item.project, item.project_code)
        except errors.Lead2CashError:
            continue
        found.expenses[where.key].append(item)
    return found


def _held(hub: Hub) -> dict[str, list[dict[str, Any]]]:
    """The items of held work jobs, by deal project key."""
    held: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for job in hub.store.jobs.find(JobFilter(states=HELD_STATES, kinds=WORK_KINDS, limit=10_000)):
        project = str(job.payload.get("project") or "")
        items = job.payload.get("items")
        held[project].extend(items if isinstance(items, list) else [job.payload])
    return held


def _fill(
    hub: Hub,
    row: Readiness,
    item: Billable,
    period: Period,
    source: _Source,
    held: dict[str, list[dict[str, Any]]],
) -> None:
    contract = item.contract
    row.name, row.terms, row.currency = contract.name, contract.terms.type, contract.currency
    project = project_ref(contract.source).key
    done = hub.store.billing.get(contract.source.key, str(period))
    proposal = proposal_for(hub, item, period)
    if done is not None and done.status != "drafting":
        row.status = "billed"
        row.would_invoice = Decimal(done.invoiced or done.total)
        row.notes.append(f"billed: invoice(s) {list(done.invoice_ids)} ({done.status})")
    else:
        row.would_invoice = proposal.total.amount
        row.status = "blocked" if proposal.blocked else ("ready" if proposal.lines else "nothing")
        ready = proposal.lines_of(LineKind.MILESTONE)
        row.milestones_ready = sum(len(line.sources) for line in ready)
        row.milestones_ready_amount = sum((line.amount.amount for line in ready), Decimal(0))
    row.over_cap_hours = proposal.hours_of(FindingKind.OVER_CAP)
    row.over_cap_amount = sum(
        (f.amount.amount for f in proposal.findings_of(FindingKind.OVER_CAP) if f.amount),
        Decimal(0),
    )
    hours = {e.source.key: e.hours for e in item.entries}
    for line in proposal.lines_of(LineKind.TIME):
        for key in line.sources:
            price = item.odoo_prices.get(key)
            if price is not None and price != line.unit_price.amount:
                row.rate_mismatch_hours += hours[key]
                row.rate_mismatch_amount += hours[key] * (price - line.unit_price.amount)
    row.rate_mismatch_amount = round_amount(row.rate_mismatch_amount, contract.currency)
    held_items = held.get(project, [])
    row.held_records = len(held_items)
    row.held_hours = sum((Decimal(str(i.get("hours") or 0)) for i in held_items), Decimal(0))
    held_keys = {_key(i) for i in held_items}
    terms = contract.terms
    for entry in source.entries.get(project, []):
        if entry.source.key in item.odoo_prices or entry.source.key in held_keys:
            continue
        row.not_in_odoo_hours += entry.hours
        if isinstance(terms, TimeAndMaterials):
            spec = hub.mapper.consultant(entry.consultant.system, entry.consultant.external_id)
            rate = terms.rate_card.rate_for(
                consultant=entry.consultant.key, role=spec.role if spec else None, day=entry.day
            )
            if rate is not None:
                row.not_in_odoo_amount += entry.hours * rate.amount
    row.not_in_odoo_amount = round_amount(row.not_in_odoo_amount, contract.currency)
    for expense in source.expenses.get(project, []):
        problem = (
            not expense.has_receipt or expense.category not in hub.mapper.spec.expense_categories
        )
        if problem:
            row.expense_problems += 1
            row.expense_problem_amount += expense.amount.amount
            why = "no receipt" if not expense.has_receipt else f"category {expense.category!r}"
            row.notes.append(f"{expense.source.key}: {why}")
    if row.status in ("ready", "nothing") and (row.held_records or row.not_in_odoo_hours):
        row.notes.append("time is missing from Odoo: sync or fix it before billing")


def _key(item: dict[str, Any]) -> str:
    """The source key of a held job's item (a TimeEntry or Expense as JSON)."""
    try:
        return SourceRef.model_validate(item.get("source") or {}).key
    except PydanticValidationError:
        return ""
