"""Expenses re-invoiced to the customer, one line per expense.

The policy is the expense category's (when the caller maps categories to policies), else the
contract's :class:`~lead2cash.model.contract.ExpensePolicy`: ``no`` re-invoices nothing
(``not_reinvoiced``), ``cost`` bills the amount, ``sales_price`` bills the amount times
``1 + markup``. An expense in another currency than the contract's is converted with the
caller's ``exchange_rate(from_ccy, to_ccy, day)`` (then marked up); without one it is a
``needs_conversion`` block. The amount is rounded once, in the contract's currency.

An expense without a category (it picks the product and the policy) or without a receipt (the
customer's proof) is a block: not billed, not in the ledger, billed by a later run once fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from lead2cash import errors
from lead2cash.billing.draft import Draft, screen, times
from lead2cash.billing.proposal import FindingKind, LineKind
from lead2cash.model.contract import ExpensePolicy, ReinvoicePolicy
from lead2cash.model.work import Expense

#: ``exchange_rate(from_ccy, to_ccy, day)``: how many ``to_ccy`` one ``from_ccy`` was worth.
ExchangeRate = Callable[[str, str, date], Decimal]


def bill_expenses(
    draft: Draft,
    expenses: Sequence[Expense],
    *,
    category_policies: Mapping[str, ExpensePolicy],
    exchange_rate: ExchangeRate | None,
) -> None:
    """Lines for the billable expenses, findings for the others (``expenses`` in any order)."""
    for expense in sorted(expenses, key=lambda x: (x.day, x.source.key)):
        if _screened(draft, expense):
            continue
        policy = category_policies.get(expense.category or "", draft.contract.expenses)
        if policy.reinvoice is ReinvoicePolicy.NO:
            draft.find(
                FindingKind.NOT_REINVOICED,
                f"{expense.source.key}: the expense policy does not re-invoice it",
                sources=[expense.source.key],
                amount=expense.amount,
            )
            continue
        _bill(draft, expense, policy, exchange_rate)


def _screened(draft: Draft, expense: Expense) -> bool:
    """Report (and skip) an expense that is billed, deleted, unapproved, out of the period or
    not billable."""
    key = expense.source.key
    skipped = screen(
        draft,
        key=key,
        billed=draft.ledger.expenses,
        deleted=expense.deleted,
        approved=expense.approved,
        day=expense.day,
        billable=expense.billable,
    )
    if skipped is None:
        return False
    kind, why = skipped
    draft.find(kind, f"expense {key}: {why}", sources=[key], amount=expense.amount)
    return True


def _bill(
    draft: Draft, expense: Expense, policy: ExpensePolicy, exchange_rate: ExchangeRate | None
) -> None:
    key = expense.source.key
    blocked = False
    if not expense.category:
        draft.find(
            FindingKind.MISSING_CATEGORY,
            f"expense {key} has no category",
            sources=[key],
            amount=expense.amount,
        )
        blocked = True
    if not expense.has_receipt:
        draft.find(
            FindingKind.MISSING_RECEIPT,
            f"expense {key} has no receipt",
            sources=[key],
            amount=expense.amount,
        )
        blocked = True
    rate = Decimal(1)
    converted = ""
    if expense.amount.currency != draft.currency:
        if exchange_rate is None:
            draft.find(
                FindingKind.NEEDS_CONVERSION,
                f"expense {key} is in {expense.amount.currency} on a {draft.currency} contract "
                "and no exchange rate was given",
                sources=[key],
                amount=expense.amount,
            )
            return
        rate = _rate(exchange_rate, expense.amount.currency, draft.currency, expense.day)
        converted = f", {expense.amount} at {rate:f}"
    if blocked:
        return
    factor = Decimal(1)
    marked = ""
    if policy.reinvoice is ReinvoicePolicy.SALES_PRICE and policy.markup:
        factor += policy.markup
        marked = f", cost plus {times(policy.markup, Decimal(100)).normalize():f} %"
    price = draft.money(draft.rounded(times(expense.amount.amount, rate, factor)))
    label = expense.category or "Expense"
    text = f": {expense.description}" if expense.description else ""
    draft.line(
        LineKind.EXPENSE,
        f"{label} {expense.day}{text}{converted}{marked}",
        Decimal(1),
        price,
        [key],
    )
    draft.expenses.append(key)


def _rate(exchange_rate: ExchangeRate, source: str, target: str, day: date) -> Decimal:
    rate: object = exchange_rate(source, target, day)  # checked: callers may pass floats
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        raise errors.ValidationError(
            f"the exchange rate {source}→{target} on {day} is {rate!r}",
            field="exchange_rate",
            rule="a positive Decimal",
        )
    return rate
