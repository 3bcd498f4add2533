"""The billing rules: what a contract bills for a period, exactly, given what was billed before.

:func:`propose` is pure (no I/O, no clock) and deterministic: the same contract, period, work
and ledger give the same proposal, line for line. It returns the ledger after the run, and a
run over that ledger bills nothing again (everything it names is ``already_billed``).

Time entries are screened first, in (day, source key) order: one the ledger names is
``already_billed``; a deleted one, one not approved, one dated outside the period, and a
non-billable one are reported (``deleted``, ``not_approved``, ``outside_period``,
``non_billable`` with its hours) and not billed. What remains is billed by the terms:

==================  =====================================================================
terms               rules (module)
==================  =====================================================================
time and materials  rate card price, one line per rate, not-to-exceed cap (``rules_time``)
retainer            monthly fee, drawdown, rollover, overage (``rules_retainer``)
milestone           reached milestones, last one takes the remainder (``rules_fixed``)
fixed fee           instalments due by the period's end, remainder rule (``rules_fixed``)
==================  =====================================================================

Time entries on milestone and fixed-fee contracts are not billed by the hour and are ignored.
Expenses are billed on every kind of contract (``rules_expenses``). Amounts are rounded per line
to the contract currency's minor unit (half-up); the total is the sum of the rounded lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from lead2cash import errors
from lead2cash.billing.draft import Draft, hours_text, screen
from lead2cash.billing.ledger import BillingLedger
from lead2cash.billing.period import Period
from lead2cash.billing.proposal import BillingProposal
from lead2cash.billing.rules_expenses import ExchangeRate, bill_expenses
from lead2cash.billing.rules_fixed import bill_instalments, bill_milestones
from lead2cash.billing.rules_retainer import bill_retainer
from lead2cash.billing.rules_time import Staffing, bill_time
from lead2cash.model.base import SourceRef
from lead2cash.model.contract import (
    Contract,
    ExpensePolicy,
    FixedFee,
    MilestoneTerms,
    Retainer,
    TimeAndMaterials,
)
from lead2cash.model.work import Expense, TimeEntry

#: A consultant's role (``senior``) from their source reference, or a mapping keyed by the
#: reference's key (``harvest:user:1001``); ``None`` means the rate card's default role.
RoleOf = Callable[[SourceRef], str | None] | Mapping[str, str]
#: The key a rate card's consultant overrides use for a consultant, or such a mapping.
ConsultantKey = Callable[[SourceRef], str] | Mapping[str, str]


def propose(
    contract: Contract,
    period: Period,
    *,
    entries: Sequence[TimeEntry] = (),
    expenses: Sequence[Expense] = (),
    ledger: BillingLedger | None = None,
    role_of: RoleOf | None = None,
    consultant_key: ConsultantKey | None = None,
    exchange_rate: ExchangeRate | None = None,
    category_policies: Mapping[str, ExpensePolicy] | None = None,
) -> BillingProposal:
    """What ``contract`` bills for ``period``.

    ``entries`` and ``expenses`` are the period's work (others are reported, not billed);
    ``ledger`` is what earlier runs billed (``BillingLedger.opening(contract)`` when omitted).
    ``role_of`` and ``consultant_key`` tell the rate card who a consultant is (by default no
    role, so the card's default role, and the consultant's source key). ``exchange_rate``
    converts expenses in other currencies; ``category_policies`` overrides the contract's
    expense policy per expense category.

    Raises ``ValidationError`` for a ledger of another contract or currency
    (``ledger.contract``, ``ledger.amount_billed``), two records with one source key
    (``entries``, ``expenses``), a retainer period out of order (``period``) and an exchange
    rate that is not a positive Decimal (``exchange_rate``).
    """
    ledger = ledger if ledger is not None else BillingLedger.opening(contract)
    ledger.check_for(contract)
    _one_per_key("entries", (e.source.key for e in entries))
    _one_per_key("expenses", (x.source.key for x in expenses))
    draft = Draft(contract=contract, period=period, ledger=ledger)
    terms = contract.terms
    if isinstance(terms, TimeAndMaterials):
        staffing = Staffing(role_of=_role_of(role_of), key_of=_key_of(consultant_key))
        bill_time(draft, terms, _billable(draft, entries), staffing)
    elif isinstance(terms, Retainer):
        bill_retainer(draft, terms, _billable(draft, entries))
    elif isinstance(terms, MilestoneTerms):
        bill_milestones(draft, terms)
    elif isinstance(terms, FixedFee):
        bill_instalments(draft, terms)
    bill_expenses(
        draft,
        expenses,
        category_policies=category_policies or {},
        exchange_rate=exchange_rate,
    )
    return draft.proposal()


def _billable(draft: Draft, entries: Sequence[TimeEntry]) -> list[TimeEntry]:
    """The entries to bill, in (day, source key) order; the others are reported."""
    kept: list[TimeEntry] = []
    for entry in sorted(entries, key=lambda e: (e.day, e.source.key)):
        key = entry.source.key
        skipped = screen(
            draft,
            key=key,
            billed=draft.ledger.time_entries,
            deleted=entry.deleted,
            approved=entry.approved,
            day=entry.day,
            billable=entry.billable,
        )
        if skipped is None:
            kept.append(entry)
            continue
        kind, why = skipped
        draft.find(
            kind,
            f"{hours_text(entry.hours)} h of {key}: {why}",
            sources=[key],
            hours=entry.hours,
        )
    return kept


def _one_per_key(field: str, keys: Iterable[str]) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise errors.ValidationError(
                f"{key} is given twice", field=field, rule="one record per source key"
            )
        seen.add(key)


def _role_of(role_of: RoleOf | None) -> Callable[[SourceRef], str | None]:
    if role_of is None:
        return lambda _ref: None
    if isinstance(role_of, Mapping):
        roles = role_of
        return lambda ref: roles.get(ref.key)
    return role_of


def _key_of(consultant_key: ConsultantKey | None) -> Callable[[SourceRef], str]:
    if consultant_key is None:
        return lambda ref: ref.key
    if isinstance(consultant_key, Mapping):
        keys = consultant_key
        return lambda ref: keys.get(ref.key, ref.key)
    return consultant_key
